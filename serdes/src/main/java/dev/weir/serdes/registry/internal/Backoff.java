package dev.weir.serdes.registry.internal;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: before retry round {@code n} (from 0) wait a uniformly
 * random time in {@code [0, min(cap, base * 2^n))}, so that many clients retrying after the same
 * outage spread out instead of arriving together.
 */
record Backoff(Duration base, Duration cap, DoubleSupplier random) {

    Duration delay(int round) {
        long baseNanos = base.toNanos();
        long capNanos = cap.toNanos();
        long ceiling =
                round >= 62 || baseNanos > (capNanos >> Math.min(round, 62))
                        ? capNanos
                        : Math.min(capNanos, baseNanos << round);
        double r = random.getAsDouble();
        if (!(r >= 0 && r < 1)) {
            throw new IllegalStateException("jitter source must give [0, 1), gave " + r);
        }
        return Duration.ofNanos((long) (ceiling * r));
    }
}
