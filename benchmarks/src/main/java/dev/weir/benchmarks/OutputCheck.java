package dev.weir.benchmarks;

import dev.weir.examples.AmountSerde;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Verifies a contender's output against the workload: each key's final count and sum. Fed on the
 * reader's thread; {@link #verify} is called after the reader stopped.
 */
abstract sealed class OutputCheck implements BiConsumer<byte[], byte[]> {

    /** "OK", or "MISMATCH: " and the first difference found with the number of bad keys. */
    abstract String verify(Workload w);

    static OutputCheck forAggregate() {
        return new Aggregate(v -> new String(v, StandardCharsets.UTF_8));
    }

    /**
     * avro-aggregate's contract: as {@link #forAggregate()}, the value a {@code Totals {count:
     * long, sum: long}} record in the Confluent wire format — decoded here by hand from the Avro
     * specification (magic byte 0, 4-byte schema id, two zig-zag varints), not by Weir's serde.
     */
    static OutputCheck forAvroAggregate() {
        return new Aggregate(OutputCheck::avroTotals);
    }

    static String avroTotals(byte[] v) {
        if (v.length < 7 || v[0] != 0) {
            return "(not the Confluent wire format: " + v.length + " bytes)";
        }
        int[] at = {5};
        long count = zigZagLong(v, at);
        long sum = zigZagLong(v, at);
        if (at[0] > v.length) {
            return "(truncated Avro: " + v.length + " bytes)";
        }
        return at[0] == v.length
                ? aggregateValue(count, sum)
                : "(" + (v.length - at[0]) + " bytes after count and sum)";
    }

    private static long zigZagLong(byte[] v, int[] at) {
        long raw = 0;
        for (int shift = 0; at[0] < v.length && shift < 64; shift += 7) {
            byte b = v[at[0]++];
            raw |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        at[0] = Integer.MAX_VALUE;
        return 0;
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
        private final Function<byte[], String> format;

        private Aggregate(Function<byte[], String> format) {
            this.format = format;
        }

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
                String got = format.apply(e.getValue());
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

    /**
     * The pipe copies inputs: per key, the number of outputs and the sum of their amounts. Flush
     * records ({@link Workload#FLUSH_KEY_PREFIX}) are not counted.
     */
    static final class Pipe extends OutputCheck {
        private final AmountSerde amounts = new AmountSerde();
        private final Map<String, long[]> totals = new HashMap<>();

        @Override
        public void accept(byte[] key, byte[] value) {
            String k = new String(key, StandardCharsets.UTF_8);
            if (Workload.isFlushKey(k)) {
                return; // an event-time input's end marker, copied like any record
            }
            long[] t = totals.computeIfAbsent(k, x -> new long[2]);
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
