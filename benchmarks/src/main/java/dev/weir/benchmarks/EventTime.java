package dev.weir.benchmarks;

import java.util.Random;

/**
 * Explicit Kafka timestamps for a {@link Workload}: record {@code i} is stamped {@code startMs + i
 * / recordsPerMs}, moved back by a uniform jitter of 0 to {@code disorderMs} ms, so event time
 * advances with the record index and is out of order by at most {@code disorderMs}. After the last
 * record, one flush record per partition is stamped {@code flushTimestampMs}: far enough ahead to
 * close every window of the real records in the engines under test.
 */
record EventTime(long startMs, int recordsPerMs, int disorderMs, long flushTimestampMs) {
    EventTime {
        if (recordsPerMs < 1) {
            throw new IllegalArgumentException("records per ms must be >= 1, got " + recordsPerMs);
        }
        if (disorderMs < 0) {
            throw new IllegalArgumentException("disorder must be >= 0 ms, got " + disorderMs);
        }
    }

    /** The undisturbed timestamp of record {@code index}: never decreases with the index. */
    long base(long index) {
        return startMs + index / recordsPerMs;
    }

    /** The timestamp of record {@code index}, drawing its jitter from {@code jitter}. */
    long timestamp(long index, Random jitter) {
        return base(index) - (disorderMs == 0 ? 0 : jitter.nextInt(disorderMs + 1));
    }
}
