package dev.weir.config;

import java.util.List;

/** Options of savepoints: where they go, and which one a job resumes from. */
public final class SavepointOptions {
    private SavepointOptions() {}

    /** A yes/no option. */
    public enum Flag {
        TRUE,
        FALSE
    }

    public static final ConfigOption<String> DIR =
            ConfigOption.string(
                    "savepoint.dir",
                    "",
                    "Default directory (file:///… or s3://…) of savepoints triggered without one;"
                            + " each goes into savepoint-<job>-<id>/ under it");

    public static final ConfigOption<String> RESTORE_PATH =
            ConfigOption.string(
                    "savepoint.path",
                    "",
                    "Savepoint (its directory) the job starts from, unless the job already has"
                            + " checkpoints newer than it");

    public static final ConfigOption<Flag> ALLOW_NON_RESTORED_STATE =
            ConfigOption.enumeration(
                    "savepoint.allow-non-restored-state",
                    Flag.class,
                    Flag.FALSE,
                    "Resume even if the savepoint holds state of operator uids the job no longer"
                            + " has (that state is dropped)");

    public static List<ConfigOption<?>> all() {
        return List.of(DIR, RESTORE_PATH, ALLOW_NON_RESTORED_STATE);
    }
}
