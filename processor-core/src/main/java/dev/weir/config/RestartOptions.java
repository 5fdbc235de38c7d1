package dev.weir.config;

import java.util.List;

/** How a job restarts after a failure inside the process. */
public final class RestartOptions {
    private RestartOptions() {}

    /** The restart strategies. */
    public enum Strategy {
        EXPONENTIAL_BACKOFF,
        FIXED_DELAY,
        NONE
    }

    public static final ConfigOption<Strategy> STRATEGY =
            ConfigOption.enumeration(
                    "restart.strategy",
                    Strategy.class,
                    Strategy.EXPONENTIAL_BACKOFF,
                    "What happens when a subtask fails");

    public static final ConfigOption<Integer> FIXED_DELAY_ATTEMPTS =
            ConfigOption.integer(
                    "restart.fixed-delay.attempts",
                    3,
                    0,
                    Integer.MAX_VALUE,
                    "Restarts before the job fails for good (fixed-delay)");

    public static final ConfigOption<Long> FIXED_DELAY_MS =
            ConfigOption.longValue(
                    "restart.fixed-delay.delay.ms",
                    1_000L,
                    0L,
                    3_600_000L,
                    "Pause before each restart (fixed-delay)");

    public static final ConfigOption<Long> BACKOFF_INITIAL_MS =
            ConfigOption.longValue(
                    "restart.exponential-backoff.initial.ms",
                    100L,
                    // Not 0: each pause is the last one times the multiplier, and 0 stays 0.
                    1L,
                    3_600_000L,
                    "First pause (exponential-backoff)");

    public static final ConfigOption<Long> BACKOFF_MAX_MS =
            ConfigOption.longValue(
                    "restart.exponential-backoff.max.ms",
                    30_000L,
                    0L,
                    3_600_000L,
                    "Longest pause (exponential-backoff)");

    public static final ConfigOption<Double> BACKOFF_MULTIPLIER =
            ConfigOption.doubleValue(
                    "restart.exponential-backoff.multiplier",
                    2.0,
                    1.0,
                    100.0,
                    "Growth of the pause per restart");

    public static final ConfigOption<Long> BACKOFF_RESET_MS =
            ConfigOption.longValue(
                    "restart.exponential-backoff.reset-after.ms",
                    60_000L,
                    0L,
                    86_400_000L,
                    "Running this long without failure resets the pause to its initial value");

    public static List<ConfigOption<?>> all() {
        return List.of(
                STRATEGY,
                FIXED_DELAY_ATTEMPTS,
                FIXED_DELAY_MS,
                BACKOFF_INITIAL_MS,
                BACKOFF_MAX_MS,
                BACKOFF_MULTIPLIER,
                BACKOFF_RESET_MS);
    }
}
