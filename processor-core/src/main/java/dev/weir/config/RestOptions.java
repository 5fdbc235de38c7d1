package dev.weir.config;

import java.util.List;

/**
 * The running job's small REST endpoint (status, checkpoints, savepoints, stop): where it listens,
 * who may change the job through it, and where it may write savepoints.
 */
public final class RestOptions {
    private RestOptions() {}

    public static final ConfigOption<Integer> PORT =
            ConfigOption.integer(
                    "rest.port",
                    -1,
                    -1,
                    65535,
                    "Port of the job's REST endpoint: -1 none, 0 any free port (logged)");

    public static final ConfigOption<String> BIND_ADDRESS =
            ConfigOption.string(
                    "rest.bind-address",
                    "127.0.0.1",
                    "Address the REST endpoint listens on. Anything but a loopback address without"
                            + " rest.auth.token logs a warning at start: whoever reaches the port"
                            + " can then stop the job");

    public static final ConfigOption<String> AUTH_TOKEN =
            ConfigOption.secret(
                    "rest.auth.token",
                    "",
                    "Bearer token that POST requests (savepoint, stop, cancel) must send as"
                            + " 'Authorization: Bearer <token>'; GET requests only read and need"
                            + " none. Never logged. Prefer rest.auth.token-file, which keeps it out"
                            + " of the process's arguments");

    public static final ConfigOption<String> AUTH_TOKEN_FILE =
            ConfigOption.string(
                    "rest.auth.token-file",
                    "",
                    "File holding the bearer token (surrounding whitespace is ignored), read once"
                            + " at start; a missing or empty file fails the start. Not together"
                            + " with rest.auth.token");

    public static final ConfigOption<Boolean> AUTH_REQUIRED =
            ConfigOption.bool(
                    "rest.auth.required",
                    false,
                    "Refuse to start the REST endpoint without a token (rest.auth.token or"
                            + " rest.auth.token-file), whatever address it binds to");

    public static final ConfigOption<Boolean> SAVEPOINT_ALLOW_ANY_DIR =
            ConfigOption.bool(
                    "rest.savepoint.allow-any-dir",
                    false,
                    "Let REST savepoint and stop requests write to any dir=; by default a dir="
                            + " must lie under savepoint.dir (same scheme and bucket, a"
                            + " sub-path)");

    public static List<ConfigOption<?>> all() {
        return List.of(
                PORT,
                BIND_ADDRESS,
                AUTH_TOKEN,
                AUTH_TOKEN_FILE,
                AUTH_REQUIRED,
                SAVEPOINT_ALLOW_ANY_DIR);
    }
}
