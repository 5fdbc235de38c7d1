package dev.weir;

import java.util.Optional;

/**
 * One checkpoint as the job saw it.
 *
 * @param alignmentMillis the longest time any subtask held input channels for barrier alignment
 * @param syncMillis the longest synchronous pause of any subtask: the work its operators do on the
 *     task thread at the barrier (detaching dirty state, an at-least-once sink's flush), without
 *     time spent waiting for room downstream while forwarding the barrier (backpressure)
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
