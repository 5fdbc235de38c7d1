package dev.weir.kafka;

import dev.weir.RecordSerde;
import dev.weir.config.WeirConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The key and value serde of one Kafka source or sink, and their life cycle ({@link RecordSerde}):
 * configured when the connector's first reader or writer opens, closed when its last one closed.
 * Readers and writers are created on the thread that sets the job up and closed on their own
 * subtask threads, hence the lock; it is taken twice per subtask, never per record.
 */
final class RecordSerdes<K, V> {
    /** {@code source.} or {@code sink.}: keys under it override top-level ones for this side. */
    private final String prefix;

    final RecordSerde<K> key;
    final RecordSerde<V> value;
    private int open;

    RecordSerdes(String prefix, RecordSerde<K> key, RecordSerde<V> value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException(
                    "a Kafka connector needs a key and a value serde, got key "
                            + key
                            + ", value "
                            + value);
        }
        this.prefix = prefix;
        this.key = key;
        this.value = value;
    }

    /**
     * What {@link RecordSerde#configure} gets: every key of the job's configuration, and the keys
     * under {@link #prefix} once more without it, overriding a top-level key of that name — so
     * {@code schema.registry.url} serves sources and sinks, {@code source.schema.registry.url} only
     * sources.
     */
    static Map<String, String> settings(WeirConfig config, String prefix) {
        Map<String, String> settings = new HashMap<>(config.asMap());
        settings.putAll(config.withPrefix(prefix));
        return Map.copyOf(settings);
    }

    /** Called before a reader or writer is created; configures the serdes for the first one. */
    synchronized void open(WeirConfig config) {
        if (open == 0) {
            Map<String, String> settings = settings(config, prefix);
            key.configure(settings, true);
            try {
                value.configure(settings, false);
            } catch (RuntimeException e) {
                closeAfterFailure(e, key);
                throw e;
            }
        }
        open++;
    }

    /** Called once per reader or writer when it closes; closes the serdes after the last one. */
    synchronized void release() {
        if (open == 0) {
            throw new IllegalStateException("record serdes released more often than opened");
        }
        if (--open > 0) {
            return;
        }
        try {
            key.close();
        } finally {
            value.close();
        }
    }

    private static void closeAfterFailure(RuntimeException failure, RecordSerde<?> serde) {
        try {
            serde.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
