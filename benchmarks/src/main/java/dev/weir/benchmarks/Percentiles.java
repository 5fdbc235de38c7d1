package dev.weir.benchmarks;

import java.util.Arrays;

/** Nearest-rank percentiles of a sample. */
final class Percentiles {
    private final long[] sorted;

    Percentiles(long[] values) {
        this.sorted = values.clone();
        Arrays.sort(sorted);
    }

    int size() {
        return sorted.length;
    }

    /** The {@code p}-th percentile (nearest rank), or -1 for an empty sample. */
    long at(double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    long max() {
        return at(100);
    }

    /** "p50 / p99 / max" in the sample's unit, or "-" for an empty sample. */
    String summary() {
        return sorted.length == 0 ? "-" : at(50) + " / " + at(99) + " / " + max();
    }
}
