package dev.weir.spi;

import dev.weir.Origin;

/**
 * Writes the records a keyed operator's process function threw on to where the job keeps them
 * ({@code process.error.policy=dead-letter}) — for the Kafka source, its dead-letter topic — as the
 * source read them: {@link Origin#sourceRecord()}, not a serialization of what the function got,
 * plus the error. The job's {@link Source} creates one per keyed operator subtask and attempt
 * ({@link Source#createDeadLetterWriter}); the runtime never looks into the records it writes.
 *
 * <p>Call order, all on the task thread of the operator's subtask: {@link #write} for each record
 * its function threw on, {@link #checkpoint} when barrier n has reached the operator (after the
 * records before it, before those after it), {@link #close} last, also after a failure. An
 * exception from {@link #write} or {@link #checkpoint} fails the attempt into the restart strategy.
 *
 * <p>The letters written before barrier n belong to checkpoint n, like the operator's state and
 * output: with a {@linkplain DeadLetterContext#committer() committer} they must be committed with
 * checkpoint n or not at all (for Kafka: in the transaction of epoch n, which an attempt that fails
 * aborts), so that the replay after a failure writes them once more and a reader of committed data
 * sees each once; without one, {@link #checkpoint} returns only once they are durable (at least
 * once).
 */
public interface DeadLetterWriter extends AutoCloseable {
    /**
     * Writes the record {@code origin} names, with {@code error}, the exception the function threw.
     * May return before the letter is durable (see {@link #checkpoint}).
     *
     * @return false if {@code origin} holds no record this writer can write — an origin built from
     *     coordinates, or another source's record; the runtime then stops the job, naming it
     */
    boolean write(Origin origin, Throwable error);

    /**
     * Barrier {@code checkpointId} reached the operator: what {@link #write} wrote before belongs
     * to that checkpoint, later letters to the next.
     */
    void checkpoint(long checkpointId);

    /** Releases what the writer holds. Idempotent. */
    @Override
    void close();
}
