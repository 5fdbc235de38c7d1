package dev.weir.spi;

import dev.weir.SubtaskInfo;
import dev.weir.config.WeirConfig;
import java.util.Optional;

/**
 * What a source is told when it creates a {@link DeadLetterWriter} for a keyed operator subtask.
 */
public interface DeadLetterContext {
    /** The keyed operator's subtask (its uid goes into the letters). */
    SubtaskInfo subtask();

    WeirConfig config();

    /**
     * The job's checkpoint committer when checkpoints commit through the sink (exactly-once): the
     * letters go into the checkpoint's commit. Empty otherwise.
     */
    Optional<CheckpointCommitter> committer();
}
