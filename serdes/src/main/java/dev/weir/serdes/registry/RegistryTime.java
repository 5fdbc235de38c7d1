package dev.weir.serdes.registry;

import java.time.Duration;

/**
 * The client's source of time: TTLs of its caches and the waits between retries. Tests pass a fake
 * that advances when the client sleeps, so retries take no wall time.
 */
public interface RegistryTime {
    /** A monotonic reading in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Blocks the calling thread for {@code duration}. */
    void sleep(Duration duration) throws InterruptedException;

    /** The system's monotonic clock and {@link Thread#sleep}. */
    static RegistryTime system() {
        return SystemTime.INSTANCE;
    }

    /** The implementation behind {@link #system()}. */
    enum SystemTime implements RegistryTime {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
        }
    }
}
