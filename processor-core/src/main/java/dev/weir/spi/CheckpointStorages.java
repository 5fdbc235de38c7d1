package dev.weir.spi;

import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds the storage for a checkpoint or savepoint URI ({@code file:///…}, {@code s3://…}, or a
 * plain local path) among the {@link CheckpointStorageFactory} implementations on the class path.
 * Used by the runtime and by the offline savepoint tools.
 */
public final class CheckpointStorages {
    private CheckpointStorages() {}

    /** Storage rooted at {@code <dir>/<child>}; a plain path is taken as a local directory. */
    public static CheckpointStorage open(
            String dir, String child, WeirConfig config, String configKey) {
        URI base = parse(dir, configKey);
        String path = base.getPath().endsWith("/") ? base.getPath() : base.getPath() + "/";
        URI root;
        try {
            root = new URI(base.getScheme(), base.getAuthority(), path + child, null, null);
        } catch (URISyntaxException e) {
            throw new WeirException(
                    "invalid value '"
                            + dir
                            + "' for config key '"
                            + configKey
                            + "': "
                            + e.getMessage());
        }
        List<String> schemes = new ArrayList<>();
        for (CheckpointStorageFactory f : ServiceLoader.load(CheckpointStorageFactory.class)) {
            schemes.add(f.scheme());
            if (f.scheme().equals(root.getScheme())) {
                return f.create(root, config);
            }
        }
        throw new WeirException(
                "invalid value '"
                        + dir
                        + "' for config key '"
                        + configKey
                        + "': no storage for scheme '"
                        + root.getScheme()
                        + "' on the class path (available: "
                        + schemes
                        + ")");
    }

    private static URI parse(String dir, String configKey) {
        try {
            URI u = new URI(dir);
            if (u.getScheme() == null) {
                return Path.of(dir).toAbsolutePath().normalize().toUri();
            }
            if (u.getScheme().equals("file")
                    && (u.getPath() == null || !u.getPath().startsWith("/"))) {
                throw new WeirException(
                        "invalid value '"
                                + dir
                                + "' for config key '"
                                + configKey
                                + "': a file URI needs an absolute path, like file:///var/lib/weir");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new WeirException(
                    "invalid value '"
                            + dir
                            + "' for config key '"
                            + configKey
                            + "': "
                            + e.getMessage());
        }
    }
}
