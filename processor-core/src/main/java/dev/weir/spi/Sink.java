package dev.weir.spi;

import dev.weir.config.ConfigOption;
import java.util.List;
import java.util.Optional;

/**
 * A connector that writes a job's output. {@link #createWriter} is called once per sink subtask on
 * the thread that sets the job up. Implementations hold configuration only.
 */
public interface Sink<K, V> {
    SinkWriter<K, V> createWriter(SinkContext context);

    /**
     * Called once per attempt, before any writer is created: a committer when checkpoints are
     * committed through this sink (exactly-once), else empty (a checkpoint is then committed when
     * its metadata is written).
     */
    default Optional<CheckpointCommitter> createCommitter(CommitterContext context) {
        return Optional.empty();
    }

    /** Configuration keys this connector reads, validated at startup. */
    default List<ConfigOption<?>> options() {
        return List.of();
    }
}
