package dev.weir;

import java.util.Optional;

/**
 * One checkpoint as the job saw it.
 *
 * @param alignmentMillis the longest time any subtask held input channels for barrier alignment
 * @param syncMillis the longest synchronous pause of any subtask (state flush and RocksDB
 *     checkpoint, sink flush)
 * @param location where its {@code _metadata} is, when completed
 */
public record CheckpointStats(
        long id,
        Status status,
        long triggerTimestampMillis,
        long durationMillis,
        long sizeBytes,
        long alignmentMillis,
        long syncMillis,
        long commitMillis,
        Optional<String> location,
        Optional<String> failure) {

    /** Outcome of a checkpoint. */
    public enum Status {
        COMPLETED,
        FAILED
    }
}
