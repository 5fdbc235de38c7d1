package dev.weir.spi;

import dev.weir.config.ConfigOption;
import java.util.List;
import java.util.Optional;

/**
 * A connector that reads records into a job. The runtime calls {@link #createReader} once per
 * source subtask, on the thread that sets the job up, before any record flows. Implementations hold
 * configuration only and must be safe to share between subtasks.
 */
public interface Source<K, V> {
    SourceReader<K, V> createReader(SourceContext context);

    /**
     * With {@code process.error.policy=dead-letter}: the writer of the records the process function
     * of keyed operator subtask {@code context.subtask()} throws on, which this source's readers
     * put into each record's {@link dev.weir.Origin#sourceRecord()}. Called once per keyed operator
     * subtask and attempt, on the thread that sets the job up, after the committer began its first
     * epoch and before any record flows.
     *
     * @return empty (the default) if this source cannot write dead letters: the job then fails at
     *     its start, naming the key
     * @throws dev.weir.UnrecoverableJobException if the configuration lacks what the writer needs
     *     (a topic), naming the key
     */
    default Optional<DeadLetterWriter> createDeadLetterWriter(DeadLetterContext context) {
        return Optional.empty();
    }

    /** Configuration keys this connector reads, validated at startup. */
    default List<ConfigOption<?>> options() {
        return List.of();
    }
}
