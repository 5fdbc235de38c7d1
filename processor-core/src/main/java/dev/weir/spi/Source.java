package dev.weir.spi;

import dev.weir.config.ConfigOption;
import java.util.List;

/**
 * A connector that reads records into a job. The runtime calls {@link #createReader} once per
 * source subtask, on the thread that sets the job up, before any record flows. Implementations hold
 * configuration only and must be safe to share between subtasks.
 */
public interface Source<K, V> {
    SourceReader<K, V> createReader(SourceContext context);

    /** Configuration keys this connector reads, validated at startup. */
    default List<ConfigOption<?>> options() {
        return List.of();
    }
}
