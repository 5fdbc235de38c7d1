package dev.weir.format;

import java.util.List;
import java.util.Optional;

/**
 * The content of a checkpoint's {@code _metadata} file: everything needed to restore, with paths
 * relative to the directory that holds it. {@code incarnation} names the job attempt that wrote it
 * (empty in files of format versions 1 and 2, and in savepoints' own copies it is informational):
 * the exactly-once commit record carries the same name, so a restore can tell the committed
 * checkpoint from a file a paused, superseded process wrote under the same id.
 */
public record CheckpointMetadata(
        String jobName,
        long checkpointId,
        long timestampMillis,
        int maxParallelism,
        Kind kind,
        List<OperatorSnapshot> operators,
        String incarnation) {

    public static final String FILE_NAME = "_metadata";

    /**
     * A checkpoint (RocksDB's native files, owned by Weir) or a savepoint (canonical key-group
     * files, owned by the user, self-contained).
     */
    public enum Kind {
        CHECKPOINT,
        SAVEPOINT
    }

    /** Metadata without an incarnation (files of older format versions, tests). */
    public CheckpointMetadata(
            String jobName,
            long checkpointId,
            long timestampMillis,
            int maxParallelism,
            Kind kind,
            List<OperatorSnapshot> operators) {
        this(jobName, checkpointId, timestampMillis, maxParallelism, kind, operators, "");
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
        java.util.Objects.requireNonNull(incarnation, "incarnation");
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
