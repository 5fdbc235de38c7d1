package dev.weir.examples;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Produces a test's input from a thread of its own while the job runs; {@link #join} rethrows what
 * failed there, {@link #stop} interrupts it (for a test that fails before the input is complete).
 */
final class InputFeeder {
    /** What the thread runs; an interrupt (from {@link #stop}) ends it quietly. */
    interface Body {
        void run() throws Exception;
    }

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private InputFeeder(String name, Body body) {
        this.thread =
                new Thread(
                        () -> {
                            try {
                                body.run();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } catch (Throwable t) {
                                failure.set(t);
                            }
                        },
                        name);
    }

    static InputFeeder start(String name, Body body) {
        InputFeeder f = new InputFeeder(name, body);
        f.thread.start();
        return f;
    }

    /** Waits until the body returned; throws if it is still running or failed. */
    void join(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("input producer still running after " + timeout);
        }
        if (failure.get() != null) {
            throw new AssertionError("input producer failed", failure.get());
        }
    }

    void stop() throws InterruptedException {
        thread.interrupt();
        thread.join(30_000);
    }
}
