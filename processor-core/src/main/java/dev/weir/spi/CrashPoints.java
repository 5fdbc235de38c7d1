package dev.weir.spi;

/**
 * Deterministic fault injection for crash tests: when the JVM runs with {@code
 * -Dweir.test.crash-at=<point>:<checkpointId>}, reaching that point for that checkpoint halts the
 * JVM at once (like {@code kill -9}: no shutdown hooks, nothing flushed). {@code <point>:*} halts
 * at the first checkpoint that reaches the point. Without the property this is one comparison of a
 * constant.
 */
public final class CrashPoints {
    private static final String TARGET = System.getProperty("weir.test.crash-at");

    private CrashPoints() {}

    public static void reach(String point, long checkpointId) {
        if (TARGET != null
                && (TARGET.equals(point + ":" + checkpointId) || TARGET.equals(point + ":*"))) {
            System.err.println(
                    "weir: crash point " + point + ":" + checkpointId + " reached, halting");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
