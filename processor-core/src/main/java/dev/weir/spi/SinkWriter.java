package dev.weir.spi;

import dev.weir.Record;

/**
 * Writes the records of one sink subtask. Every method is called on that subtask's thread only:
 * {@link #write} for each record, {@link #prepareCheckpoint} when a barrier reaches the sink,
 * {@link #notifyCheckpointComplete} after the checkpoint completed, {@link #close} last.
 *
 * <p>An exception fails the job into its restart strategy; the job resumes from the last completed
 * checkpoint and writes the records after it again, so a sink that keeps no transactions delivers
 * at least once.
 */
public interface SinkWriter<K, V> extends AutoCloseable {
    void write(Record<K, V> record);

    /**
     * Barrier {@code checkpointId} arrived: on return, every record written before it must be
     * durable in the target system, or staged in the checkpoint's transaction so that committing it
     * either makes them durable or fails. Throws if any of them is known to have failed, so the
     * checkpoint is never acknowledged over a lost record.
     */
    void prepareCheckpoint(long checkpointId);

    /** The checkpoint completed. Must be idempotent. */
    default void notifyCheckpointComplete(long checkpointId) {}

    @Override
    void close();
}
