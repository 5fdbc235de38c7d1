package dev.weir.spi;

import dev.weir.config.WeirConfig;
import java.net.URI;

/**
 * Creates {@link CheckpointStorage} for a URI scheme; found with {@link java.util.ServiceLoader}
 * (file {@code META-INF/services/dev.weir.spi.CheckpointStorageFactory}).
 */
public interface CheckpointStorageFactory {
    /** The URI scheme served, e.g. {@code file} or {@code s3}. */
    String scheme();

    /** Storage rooted at {@code root} (the job's directory: checkpoint dir plus job name). */
    CheckpointStorage create(URI root, WeirConfig config);
}
