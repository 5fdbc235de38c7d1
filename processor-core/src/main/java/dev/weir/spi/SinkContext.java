package dev.weir.spi;

import dev.weir.SubtaskInfo;
import dev.weir.config.WeirConfig;
import java.util.Optional;

/** What a sink subtask is told when its writer is created. */
public interface SinkContext {
    SubtaskInfo subtask();

    WeirConfig config();

    /** The committer this sink created for the current attempt, if any. */
    Optional<CheckpointCommitter> committer();
}
