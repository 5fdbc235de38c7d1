package dev.weir.benchmarks;

/**
 * The windowed-aggregate contract both engines implement: tumbling windows of {@code sizeMs},
 * {@code [S, E)} with {@code S = ts - floorMod(ts, size)}, watermark {@code max timestamp -
 * outOfOrdernessMs - 1}, a window emitted once when the watermark reaches {@code E - 1 +
 * allowedLatenessMs} — that is, once the largest timestamp seen is at least {@code E + grace} with
 * {@code grace = outOfOrdernessMs + allowedLatenessMs}, which is also Kafka Streams' condition for
 * closing a window of that grace. Its value is {@link #json}.
 */
record WindowSpec(long sizeMs, long outOfOrdernessMs, long allowedLatenessMs) {
    WindowSpec {
        if (sizeMs < 1) {
            throw new IllegalArgumentException("window size must be >= 1 ms, got " + sizeMs);
        }
        if (outOfOrdernessMs < 0 || allowedLatenessMs < 0) {
            throw new IllegalArgumentException(
                    "out-of-orderness and allowed lateness must be >= 0 ms, got "
                            + outOfOrdernessMs
                            + " and "
                            + allowedLatenessMs);
        }
    }

    long graceMs() {
        return outOfOrdernessMs + allowedLatenessMs;
    }

    long start(long ts) {
        return ts - Math.floorMod(ts, sizeMs);
    }

    /**
     * Whether the window ending (exclusive) at {@code end} is closed once {@code maxTs} is seen.
     */
    boolean closedBy(long maxTs, long end) {
        return maxTs >= end + graceMs();
    }

    /** {@code {"window_start":S,"window_end":E,"count":C,"sum":X}}: no spaces, this order. */
    static String json(long start, long end, long count, long sum) {
        return "{\"window_start\":"
                + start
                + ",\"window_end\":"
                + end
                + ",\"count\":"
                + count
                + ",\"sum\":"
                + sum
                + "}";
    }
}
