package dev.weir.format;

import java.util.List;
import java.util.Optional;

/**
 * The content of a checkpoint's {@code _metadata} file: everything needed to restore, with paths
 * relative to the directory that holds it.
 */
public record CheckpointMetadata(
        String jobName,
        long checkpointId,
        long timestampMillis,
        int maxParallelism,
        Kind kind,
        List<OperatorSnapshot> operators) {

    public static final String FILE_NAME = "_metadata";

    /**
     * A checkpoint (RocksDB's native files, owned by Weir) or a savepoint (canonical key-group
     * files, owned by the user, self-contained).
     */
    public enum Kind {
        CHECKPOINT,
        SAVEPOINT
    }

    /** A checkpoint. */
    public CheckpointMetadata(
            String jobName,
            long checkpointId,
            long timestampMillis,
            int maxParallelism,
            List<OperatorSnapshot> operators) {
        this(jobName, checkpointId, timestampMillis, maxParallelism, Kind.CHECKPOINT, operators);
    }

    public CheckpointMetadata {
        if (checkpointId < 1) {
            throw new IllegalArgumentException("checkpoint id must be >= 1, got " + checkpointId);
        }
        operators = List.copyOf(operators);
    }

    public Optional<OperatorSnapshot> operator(String uid) {
        return operators.stream().filter(o -> o.uid().equals(uid)).findFirst();
    }

    /** Every data file, once. */
    public List<FileRef> allFiles() {
        return operators.stream()
                .flatMap(o -> o.subtasks().stream())
                .flatMap(s -> s.files().stream())
                .distinct()
                .toList();
    }
}
