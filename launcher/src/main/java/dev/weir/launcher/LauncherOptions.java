package dev.weir.launcher;

import dev.weir.config.ConfigOption;
import java.util.List;

/** Keys of {@code weir run} itself: what a SIGTERM does (docs/operations.md#stopping). */
public final class LauncherOptions {
    private LauncherOptions() {}

    public static final ConfigOption<Boolean> SHUTDOWN_SAVEPOINT =
            ConfigOption.bool(
                    "shutdown.savepoint",
                    false,
                    "On SIGTERM, stop with a savepoint (into shutdown.savepoint.dir, else"
                            + " savepoint.dir) instead of a plain stop; its location is printed as"
                            + " 'savepoint: URI'. If it fails or times out, the job stops without"
                            + " one and resumes from its last checkpoint when started again");

    public static final ConfigOption<String> SHUTDOWN_SAVEPOINT_DIR =
            ConfigOption.string(
                    "shutdown.savepoint.dir",
                    "",
                    "Directory (file:///… or s3://…) of the savepoint a SIGTERM takes with"
                            + " shutdown.savepoint=true; empty: savepoint.dir");

    public static final ConfigOption<Long> SHUTDOWN_TIMEOUT_MS =
            ConfigOption.longValue(
                    "shutdown.timeout.ms",
                    120_000L,
                    1L,
                    Long.MAX_VALUE,
                    "How long a SIGTERM waits for the savepoint (with shutdown.savepoint=true) and"
                            + " the stop; give the orchestrator's grace period more than this");

    public static List<ConfigOption<?>> all() {
        return List.of(SHUTDOWN_SAVEPOINT, SHUTDOWN_SAVEPOINT_DIR, SHUTDOWN_TIMEOUT_MS);
    }
}
