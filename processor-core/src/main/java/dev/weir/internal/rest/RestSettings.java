package dev.weir.internal.rest;

import dev.weir.WeirException;
import dev.weir.config.RestOptions;
import dev.weir.config.SavepointOptions;
import dev.weir.config.WeirConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The REST endpoint's configuration, read and checked once at start: a token that cannot be read,
 * or none while {@code rest.auth.required=true}, fails the start naming the key.
 */
public final class RestSettings {
    private final String bindAddress;
    private final int port;
    private final boolean loopback;
    private final Optional<BearerToken> token;
    private final SavepointDirs savepointDirs;

    private RestSettings(
            String bindAddress,
            int port,
            boolean loopback,
            Optional<BearerToken> token,
            SavepointDirs savepointDirs) {
        this.bindAddress = bindAddress;
        this.port = port;
        this.loopback = loopback;
        this.token = token;
        this.savepointDirs = savepointDirs;
    }

    /**
     * @throws WeirException naming the keys, for a token that is set twice, cannot be read, or is
     *     required and missing
     */
    public static RestSettings from(WeirConfig config) {
        String inline = config.get(RestOptions.AUTH_TOKEN);
        String file = config.get(RestOptions.AUTH_TOKEN_FILE);
        if (!inline.isEmpty() && !file.isEmpty()) {
            throw new WeirException(
                    "config keys '"
                            + RestOptions.AUTH_TOKEN.key()
                            + "' and '"
                            + RestOptions.AUTH_TOKEN_FILE.key()
                            + "' are both set; set one of them");
        }
        Optional<BearerToken> token =
                !inline.isEmpty()
                        ? Optional.of(BearerToken.of(inline))
                        : file.isEmpty()
                                ? Optional.empty()
                                : Optional.of(BearerToken.readFile(Path.of(file)));
        if (token.isEmpty() && config.get(RestOptions.AUTH_REQUIRED)) {
            throw new WeirException(
                    "config key '"
                            + RestOptions.AUTH_REQUIRED.key()
                            + "' is true but the REST endpoint has no token: set '"
                            + RestOptions.AUTH_TOKEN_FILE.key()
                            + "' or '"
                            + RestOptions.AUTH_TOKEN.key()
                            + "'");
        }
        String address = config.get(RestOptions.BIND_ADDRESS);
        return new RestSettings(
                address,
                config.get(RestOptions.PORT),
                isLoopback(address),
                token,
                new SavepointDirs(
                        config.get(SavepointOptions.DIR),
                        config.get(RestOptions.SAVEPOINT_ALLOW_ANY_DIR)));
    }

    private static boolean isLoopback(String address) {
        try {
            for (InetAddress a : InetAddress.getAllByName(address)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            // Opening the server fails on it, with the key named.
            return false;
        }
    }

    /** -1: no endpoint. */
    public int port() {
        return port;
    }

    String bindAddress() {
        return bindAddress;
    }

    /** True if only this host can reach the endpoint. */
    boolean loopback() {
        return loopback;
    }

    Optional<BearerToken> token() {
        return token;
    }

    SavepointDirs savepointDirs() {
        return savepointDirs;
    }
}
