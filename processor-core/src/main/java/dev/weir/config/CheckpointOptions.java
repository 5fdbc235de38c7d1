package dev.weir.config;

import java.util.List;

/** Options of periodic checkpoints. */
public final class CheckpointOptions {
    private CheckpointOptions() {}

    public static final ConfigOption<String> DIR =
            ConfigOption.string(
                    "checkpoint.dir",
                    null,
                    "Where checkpoints go: file:///absolute/path or s3://bucket/prefix (the job's checkpoints are under <dir>/<job.name>/)");

    public static final ConfigOption<Long> INTERVAL_MS =
            ConfigOption.longValue(
                    "checkpoint.interval.ms",
                    5_000L,
                    10L,
                    86_400_000L,
                    "Time from the start of one checkpoint to the start of the next");

    public static final ConfigOption<Long> TIMEOUT_MS =
            ConfigOption.longValue(
                    "checkpoint.timeout.ms",
                    60_000L,
                    100L,
                    86_400_000L,
                    "A checkpoint not completed within this time is aborted");

    public static final ConfigOption<Integer> RETAINED =
            ConfigOption.integer(
                    "checkpoint.retained",
                    3,
                    1,
                    1000,
                    "Completed checkpoints kept; restore falls back to an older one if the newest is damaged");

    public static final ConfigOption<Integer> TOLERABLE_FAILURES =
            ConfigOption.integer(
                    "checkpoint.tolerable-failures",
                    3,
                    0,
                    Integer.MAX_VALUE,
                    "Consecutive failed checkpoints after which the job fails into its restart strategy");

    public static final ConfigOption<SavepointOptions.Flag> ALLOW_EMPTY_START =
            ConfigOption.enumeration(
                    "checkpoint.allow-empty-start",
                    SavepointOptions.Flag.class,
                    SavepointOptions.Flag.FALSE,
                    "Start with empty state when the job has retained checkpoints but none of them"
                            + " can be restored (damaged or missing files); by default such a start"
                            + " fails, naming each checkpoint and why it was rejected");

    public static List<ConfigOption<?>> all() {
        return List.of(
                DIR, INTERVAL_MS, TIMEOUT_MS, RETAINED, TOLERABLE_FAILURES, ALLOW_EMPTY_START);
    }
}
