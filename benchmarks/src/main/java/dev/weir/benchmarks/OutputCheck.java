package dev.weir.benchmarks;

import dev.weir.examples.AmountSerde;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Verifies a contender's output against the workload: each key's final count and sum. Fed on the
 * reader's thread; {@link #verify} is called after the reader stopped.
 */
abstract sealed class OutputCheck implements BiConsumer<byte[], byte[]> {

    /** "OK", or "MISMATCH: " and the first difference found with the number of bad keys. */
    abstract String verify(Workload w);

    static OutputCheck forAggregate() {
        return new Aggregate();
    }

    static OutputCheck forPipe() {
        return new Pipe();
    }

    /** A check that accepts everything, for runs that verify nothing (latency phases). */
    static OutputCheck none() {
        return new None();
    }

    static String aggregateValue(long count, long sum) {
        return "{\"count\":" + count + ",\"sum\":" + sum + "}";
    }

    private static String result(long bad, String first, long keysSeen, Workload w) {
        if (keysSeen != w.distinctKeys() && bad == 0) {
            return "MISMATCH: "
                    + keysSeen
                    + " keys in the output, "
                    + w.distinctKeys()
                    + " in the input";
        }
        return bad == 0 ? "OK" : "MISMATCH: " + bad + " keys wrong, e.g. " + first;
    }

    /** The keyed-aggregate contract: the last value of each key is its final count and sum. */
    static final class Aggregate extends OutputCheck {
        private final Map<String, byte[]> last = new HashMap<>();

        @Override
        public void accept(byte[] key, byte[] value) {
            last.put(new String(key, StandardCharsets.UTF_8), value);
        }

        @Override
        String verify(Workload w) {
            long bad = 0;
            String first = null;
            for (Map.Entry<String, byte[]> e : last.entrySet()) {
                long[] exp = w.expected(e.getKey());
                String got = new String(e.getValue(), StandardCharsets.UTF_8);
                String want = exp == null ? "(no such input key)" : aggregateValue(exp[0], exp[1]);
                if (!want.equals(got)) {
                    bad++;
                    if (first == null) {
                        first = e.getKey() + ": " + got + " instead of " + want;
                    }
                }
            }
            return result(bad, first, last.size(), w);
        }
    }

    /** The pipe copies inputs: per key, the number of outputs and the sum of their amounts. */
    static final class Pipe extends OutputCheck {
        private final AmountSerde amounts = new AmountSerde();
        private final Map<String, long[]> totals = new HashMap<>();

        @Override
        public void accept(byte[] key, byte[] value) {
            long[] t =
                    totals.computeIfAbsent(
                            new String(key, StandardCharsets.UTF_8), k -> new long[2]);
            t[0]++;
            t[1] += amounts.deserialize(value);
        }

        @Override
        String verify(Workload w) {
            long bad = 0;
            String first = null;
            for (Map.Entry<String, long[]> e : totals.entrySet()) {
                long[] exp = w.expected(e.getKey());
                if (exp == null || !Arrays.equals(exp, e.getValue())) {
                    bad++;
                    if (first == null) {
                        first =
                                e.getKey()
                                        + ": count/sum "
                                        + Arrays.toString(e.getValue())
                                        + " instead of "
                                        + (exp == null
                                                ? "(no such input key)"
                                                : Arrays.toString(exp));
                    }
                }
            }
            return result(bad, first, totals.size(), w);
        }
    }

    static final class None extends OutputCheck {
        @Override
        public void accept(byte[] key, byte[] value) {}

        @Override
        String verify(Workload w) {
            return "-";
        }
    }
}
