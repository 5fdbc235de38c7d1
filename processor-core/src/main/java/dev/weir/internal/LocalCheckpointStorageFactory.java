package dev.weir.internal;

import dev.weir.config.WeirConfig;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CheckpointStorageFactory;
import java.net.URI;
import java.nio.file.Path;

/** {@code file:///…} checkpoint storage. */
public final class LocalCheckpointStorageFactory implements CheckpointStorageFactory {
    @Override
    public String scheme() {
        return "file";
    }

    @Override
    public CheckpointStorage create(URI root, WeirConfig config) {
        return new LocalCheckpointStorage(Path.of(root));
    }
}
