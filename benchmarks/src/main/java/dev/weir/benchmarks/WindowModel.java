package dev.weir.benchmarks;

import java.util.Arrays;

/**
 * The expected output of the windowed aggregate, computed from the records as they are produced
 * ({@link Workload.RecordListener}): for every key and window that closes, its count and sum.
 * Memory is one long per input record until {@link #finish}, then three arrays over the (key,
 * window) pairs, sorted for binary search. Fed by one thread; read-only after {@link #finish}.
 *
 * <p>It also counts input records that would be late: whose window was already closed by the
 * largest timestamp produced before them. That maximum is at least every partition's maximum, so
 * none late here means none late in Kafka Streams (stream time per task) or Weir (the minimum over
 * partitions).
 */
final class WindowModel implements Workload.RecordListener {
    private static final int AMOUNT_BITS = 10;

    private final WindowSpec spec;
    private final int keys;
    private final long originMs;
    private long[] packed;
    private int size;
    private long maxTs = Long.MIN_VALUE;
    private long late;

    private long[] pairs;
    private long[] counts;
    private long[] sums;
    private long notClosed;
    private long windows;

    /** {@code earliestMs}: no record is stamped before it. */
    WindowModel(WindowSpec spec, int keys, long earliestMs, int expectedRecords) {
        this.spec = spec;
        this.keys = keys;
        this.originMs = spec.start(earliestMs);
        this.packed = new long[Math.max(16, expectedRecords)];
    }

    @Override
    public void record(int key, long timestampMs, int amount) {
        if (timestampMs < originMs) {
            throw new IllegalArgumentException(
                    "timestamp " + timestampMs + " before the model's origin " + originMs);
        }
        if (amount < 0 || amount >= 1 << AMOUNT_BITS) {
            throw new IllegalArgumentException("amount must be in [0, 1024), got " + amount);
        }
        long start = spec.start(timestampMs);
        if (maxTs != Long.MIN_VALUE && spec.closedBy(maxTs, start + spec.sizeMs())) {
            late++;
        }
        maxTs = Math.max(maxTs, timestampMs);
        long window = (start - originMs) / spec.sizeMs();
        if (size == packed.length) {
            packed = Arrays.copyOf(packed, size * 2);
        }
        packed[size++] = ((window * keys + key) << AMOUNT_BITS) | amount;
    }

    /**
     * Ends the input: {@code flushTs} is the timestamp of the flush records that follow it on every
     * partition; only windows that it closes are expected.
     */
    WindowModel finish(long flushTs) {
        long[] sorted = Arrays.copyOf(packed, size);
        packed = null;
        Arrays.sort(sorted);
        long[] p = new long[size];
        long[] c = new long[size];
        long[] s = new long[size];
        int n = 0;
        long lastWindow = -1;
        for (int i = 0; i < sorted.length; ) {
            long pair = sorted[i] >>> AMOUNT_BITS;
            long count = 0;
            long sum = 0;
            for (; i < sorted.length && sorted[i] >>> AMOUNT_BITS == pair; i++) {
                count++;
                sum += sorted[i] & ((1 << AMOUNT_BITS) - 1);
            }
            long window = pair / keys;
            if (!spec.closedBy(flushTs, startOf(window) + spec.sizeMs())) {
                notClosed++;
                continue;
            }
            if (window != lastWindow) {
                windows++;
                lastWindow = window;
            }
            p[n] = pair;
            c[n] = count;
            s[n] = sum;
            n++;
        }
        pairs = Arrays.copyOf(p, n);
        counts = Arrays.copyOf(c, n);
        sums = Arrays.copyOf(s, n);
        return this;
    }

    private long startOf(long window) {
        return originMs + window * spec.sizeMs();
    }

    /** Number of expected outputs: (key, window) pairs whose window closes. */
    int expected() {
        return pairs.length;
    }

    /** Distinct windows among the expected outputs. */
    long windows() {
        return windows;
    }

    /** (key, window) pairs the flush does not close (0 when the flush is far enough ahead). */
    long notClosed() {
        return notClosed;
    }

    /** Input records whose window was closed before they were produced. */
    long lateInputs() {
        return late;
    }

    /** The index of key {@code key}'s window starting at {@code startMs}, or -1 if not expected. */
    int find(int key, long startMs) {
        if (key < 0 || key >= keys || startMs < originMs) {
            return -1;
        }
        long offset = startMs - originMs;
        if (offset % spec.sizeMs() != 0) {
            return -1;
        }
        int i = Arrays.binarySearch(pairs, (offset / spec.sizeMs()) * keys + key);
        return i >= 0 ? i : -1;
    }

    /** The exact value expected for the pair at {@code index}. */
    String json(int index) {
        long start = startOf(pairs[index] / keys);
        return WindowSpec.json(start, start + spec.sizeMs(), counts[index], sums[index]);
    }

    /** A readable name of the pair at {@code index}, for messages. */
    String describe(int index) {
        return "user-" + (pairs[index] % keys) + " " + json(index);
    }
}
