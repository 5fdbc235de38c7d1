package dev.weir.config;

import java.util.List;

/** The running job's small REST endpoint (status, checkpoints, savepoints). */
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
                    "Address the REST endpoint listens on; it has no authentication, so keep it"
                            + " local unless the network is trusted");

    public static List<ConfigOption<?>> all() {
        return List.of(PORT, BIND_ADDRESS);
    }
}
