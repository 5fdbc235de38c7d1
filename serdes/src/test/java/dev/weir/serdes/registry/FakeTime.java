package dev.weir.serdes.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Time that passes only when the client sleeps or a test advances it. */
final class FakeTime implements RegistryTime {
    private long nanos = 1_000_000_000L;
    private final List<Duration> sleeps = new ArrayList<>();

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        nanos += duration.toNanos();
    }

    synchronized void advance(Duration d) {
        nanos += d.toNanos();
    }

    synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }
}
