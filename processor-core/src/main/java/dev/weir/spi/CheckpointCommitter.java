package dev.weir.spi;

import dev.weir.format.CheckpointMetadata;
import java.util.OptionalLong;

/**
 * Makes checkpoints committed in an external system — for Kafka, a checkpoint is committed by
 * committing the transaction that holds its output and its source offsets (docs/architecture.md
 * §4). A job has at most one, created by its sink once per attempt (one attempt = one incarnation
 * of the job in this process).
 *
 * <p>Call order: {@link #recover} on the job's runner thread before anything is restored; then
 * {@link #begin} once; then, on the checkpoint coordinator thread and strictly in checkpoint order,
 * {@link #commit} for each checkpoint whose {@code _metadata} is durable; {@link #close} last,
 * after every subtask stopped — also after failures. Sink writers use the committer from their task
 * threads meanwhile, so implementations must be thread-safe.
 *
 * <p>With a committer, a checkpoint that fails (aborted, timed out, declined) fails the job into a
 * restart from the last committed checkpoint: output of the failed epoch was already staged.
 */
public interface CheckpointCommitter extends AutoCloseable {
    /**
     * How often the coordinator calls {@link #commit} for one checkpoint while it answers {@link
     * CommitOutcome.Retry}, before the job fails into a restart.
     */
    int COMMIT_ATTEMPTS = 6;

    /**
     * The coordinator's pauses between those attempts, in all (100 ms doubling). An external
     * transaction must outlive them, on top of the attempts themselves.
     */
    long COMMIT_RETRY_PAUSES_MS = 100 + 200 + 400 + 800 + 1_600;

    /**
     * Fences every earlier incarnation of the job and aborts whatever it left open, then reports
     * the last committed checkpoint, which the job restores. Bounded work; idempotent.
     *
     * @return empty if no checkpoint of this job was ever committed (the job starts fresh)
     * @throws dev.weir.UnrecoverableJobException when a restart cannot help (for example another
     *     live process runs the job, or the cluster's limits reject the configuration)
     */
    OptionalLong recover();

    /**
     * Where the commit record lives, for messages: what was lost when {@link #recover} names no
     * checkpoint although checkpoint storage holds completed ones.
     */
    default String describeCommitRecord() {
        return "the external system";
    }

    /**
     * Checks, after {@link #recover} named checkpoint {@code restored.checkpointId()} and it was
     * restored, that the external system's view of the source positions still agrees with the
     * checkpoint's (for Kafka: nobody reset the group's offsets since). Called on the runner thread
     * before {@link #begin}.
     *
     * @throws dev.weir.UnrecoverableJobException naming what disagrees and how to resolve it
     */
    default void verifyRestored(CheckpointMetadata restored) {}

    /**
     * True once another process took the job over (for Kafka: this process lost its job lock): the
     * coordinator then writes and deletes nothing more in checkpoint storage. Any thread.
     */
    default boolean isFenced() {
        return false;
    }

    /**
     * The first checkpoint id of this incarnation: records before barrier n belong to epoch n,
     * starting with {@code firstCheckpointId}.
     */
    void begin(long firstCheckpointId);

    /**
     * Commits checkpoint {@code metadata.checkpointId()}, whose metadata is durable. Must be
     * idempotent: committing an already committed checkpoint returns {@link
     * CommitOutcome.Committed}.
     */
    CommitOutcome commit(CheckpointMetadata metadata);

    /** Aborts what is open and releases resources; the next incarnation recovers from storage. */
    @Override
    void close();
}
