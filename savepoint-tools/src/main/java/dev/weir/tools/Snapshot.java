package dev.weir.tools;

import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.CheckpointPaths;
import dev.weir.format.FileRef;
import dev.weir.format.MetadataFormatException;
import dev.weir.format.MetadataSerializer;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CheckpointStorages;
import dev.weir.spi.CorruptCheckpointException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A savepoint or a retained checkpoint, opened read-only: its metadata and the storage its files
 * are read from. A location is a directory — local path, {@code file://} or {@code s3://} URI —
 * holding {@code _metadata}; for a checkpoint ({@code …/<job>/chk-<n>}) the job's directory is
 * opened, since its files reference {@code ../shared/}. Nothing here ever writes.
 */
public final class Snapshot implements AutoCloseable {
    private final String location;
    private final CheckpointStorage storage;
    private final String baseDir;
    private final CheckpointMetadata metadata;
    private final int formatVersion;

    private Snapshot(
            String location,
            CheckpointStorage storage,
            String baseDir,
            CheckpointMetadata m,
            int formatVersion) {
        this.location = location;
        this.storage = storage;
        this.baseDir = baseDir;
        this.metadata = m;
        this.formatVersion = formatVersion;
    }

    /**
     * Opens the savepoint or checkpoint at {@code location}.
     *
     * @throws ToolException if there is no {@code _metadata}, or it cannot be read
     */
    public static Snapshot open(String location, WeirConfig config) {
        String trimmed = location.replaceAll("/+$", "").replaceAll("/_metadata$", "");
        int slash = trimmed.lastIndexOf('/');
        String last = trimmed.substring(slash + 1);
        boolean checkpoint = slash > 0 && CheckpointPaths.parseCheckpointDir(last).isPresent();
        CheckpointStorage storage =
                CheckpointStorages.open(
                        checkpoint ? trimmed.substring(0, slash) : trimmed, "", config, "SRC");
        String base = checkpoint ? last : "";
        String metadataPath = (base.isEmpty() ? "" : base + "/") + CheckpointMetadata.FILE_NAME;
        try {
            byte[] bytes =
                    storage.read(metadataPath)
                            .orElseThrow(
                                    () ->
                                            ToolException.refused(
                                                    storage.describe(metadataPath)
                                                            + " does not exist: not a savepoint"
                                                            + " or completed checkpoint"));
            return new Snapshot(
                    storage.describe(base),
                    storage,
                    base,
                    MetadataSerializer.deserialize(bytes),
                    MetadataSerializer.versionOf(bytes));
        } catch (MetadataFormatException e) {
            storage.close();
            throw ToolException.problem(
                    storage.describe(metadataPath) + " cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    public CheckpointMetadata metadata() {
        return metadata;
    }

    /** Where it is, for messages and output. */
    public String location() {
        return location;
    }

    /** The format version of its {@code _metadata}. */
    public int formatVersion() {
        return formatVersion;
    }

    public boolean isSavepoint() {
        return metadata.kind() == CheckpointMetadata.Kind.SAVEPOINT;
    }

    /** The absolute location of one of its files. */
    public String describe(FileRef file) {
        return storage.describe((baseDir.isEmpty() ? "" : baseDir + "/") + file.path());
    }

    /**
     * Where one of its files lies on the local file system, to be read in place (never written), if
     * its storage is local.
     */
    public Optional<Path> localPath(FileRef file) {
        return storage.localPath((baseDir.isEmpty() ? "" : baseDir + "/") + file.path());
    }

    /**
     * Copies one of its files to {@code target}, checking size and CRC-32.
     *
     * @throws ToolException if the file is missing or damaged
     */
    public void fetch(FileRef file, Path target) {
        try {
            storage.download(baseDir, file, target);
        } catch (CorruptCheckpointException e) {
            throw ToolException.problem(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        storage.close();
    }
}
