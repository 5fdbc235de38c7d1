package dev.weir.spi;

import dev.weir.config.ConfigOption;
import java.util.List;

/**
 * A connector that writes a job's output. {@link #createWriter} is called once per sink subtask on
 * the thread that sets the job up. Implementations hold configuration only.
 */
public interface Sink<K, V> {
    SinkWriter<K, V> createWriter(SinkContext context);

    /** Configuration keys this connector reads, validated at startup. */
    default List<ConfigOption<?>> options() {
        return List.of();
    }
}
