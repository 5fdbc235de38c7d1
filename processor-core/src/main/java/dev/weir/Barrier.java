package dev.weir;

/**
 * Checkpoint barrier {@code checkpointId}: everything before it on a channel belongs to the
 * checkpoint, everything after it to the next one. A savepoint barrier asks operators to write
 * their state in the canonical savepoint format as well.
 */
public record Barrier(long checkpointId, long timestampMillis, boolean savepoint)
        implements StreamElement {
    public Barrier {
        if (checkpointId < 1) {
            throw new IllegalArgumentException("checkpoint id must be >= 1, got " + checkpointId);
        }
    }

    /** A checkpoint barrier. */
    public Barrier(long checkpointId, long timestampMillis) {
        this(checkpointId, timestampMillis, false);
    }
}
