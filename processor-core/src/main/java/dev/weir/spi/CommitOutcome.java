package dev.weir.spi;

/**
 * How a checkpoint commit ended. {@link Retry}: nothing is known to be lost and calling {@link
 * CheckpointCommitter#commit} again may succeed. {@link Failed}: the checkpoint is not committed
 * and cannot be; the job restarts from the last committed checkpoint and replays.
 */
public sealed interface CommitOutcome {
    /** The checkpoint is committed. */
    record Committed() implements CommitOutcome {}

    record Retry(String reason) implements CommitOutcome {}

    record Failed(String reason, Throwable cause) implements CommitOutcome {}

    static CommitOutcome committed() {
        return new Committed();
    }
}
