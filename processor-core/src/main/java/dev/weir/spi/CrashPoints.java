package dev.weir.spi;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Deterministic fault injection for crash tests: when the JVM runs with {@code
 * -Dweir.test.crash-at=<point>:<checkpointId>}, reaching that point for that checkpoint halts the
 * JVM at once (like {@code kill -9}: no shutdown hooks, nothing flushed). {@code <point>:*} halts
 * at the first checkpoint that reaches the point. With {@code -Dweir.test.stop-at=<point>:<id|*>}
 * the process stops itself there instead ({@code SIGSTOP}, once), as a long pause would, until the
 * test sends {@code SIGCONT}. Without the properties this is one comparison of a constant.
 */
public final class CrashPoints {
    private static final String TARGET = System.getProperty("weir.test.crash-at");
    private static final String STOP = System.getProperty("weir.test.stop-at");
    private static final AtomicBoolean stopped = new AtomicBoolean();

    private CrashPoints() {}

    public static void reach(String point, long checkpointId) {
        if (TARGET != null && matches(TARGET, point, checkpointId)) {
            System.err.println(
                    "weir: crash point " + point + ":" + checkpointId + " reached, halting");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
        if (STOP != null
                && matches(STOP, point, checkpointId)
                && stopped.compareAndSet(false, true)) {
            stopSelf(point, checkpointId);
        }
    }

    private static boolean matches(String target, String point, long checkpointId) {
        return target.equals(point + ":" + checkpointId) || target.equals(point + ":*");
    }

    private static void stopSelf(String point, long checkpointId) {
        long pid = ProcessHandle.current().pid();
        System.err.println(
                "weir: stop point " + point + ":" + checkpointId + " reached, stopping pid " + pid);
        System.err.flush();
        try {
            new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start().waitFor();
            System.err.println("weir: stop point " + point + ":" + checkpointId + " resumed");
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop pid " + pid + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
