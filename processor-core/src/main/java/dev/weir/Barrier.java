package dev.weir;

/**
 * Checkpoint barrier {@code checkpointId}: everything before it on a channel belongs to the
 * checkpoint, everything after it to the next one.
 */
public record Barrier(long checkpointId, long timestampMillis) implements StreamElement {
    public Barrier {
        if (checkpointId < 1) {
            throw new IllegalArgumentException("checkpoint id must be >= 1, got " + checkpointId);
        }
    }
}
