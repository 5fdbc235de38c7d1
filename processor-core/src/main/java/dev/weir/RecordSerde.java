package dev.weir;

import java.util.List;
import java.util.Map;

/**
 * Reads and writes the keys or the values of Kafka records, for a source or a sink connector —
 * shaped like Kafka's {@code Serializer}/{@code Deserializer} pair, without depending on Kafka's
 * client. Unlike a {@link StateSerializer} it sees the record's topic and headers and gets the
 * connector's configuration, so a format can look schemas up by subject and write schema ids into
 * headers; its bytes need not be deterministic and are never stored in a checkpoint. {@link Serde}
 * is both, for formats that need neither topic, headers nor configuration.
 *
 * <p>Life cycle, per connector that was given the instance (a source or a sink, as its key or its
 * value serde): {@link #configure} once, from the thread that sets the job up, before the first
 * record; then {@link #deserialize} (source) or {@link #serialize} (sink) from every subtask's
 * thread at once, so those must be thread-safe; {@link #close} once, after the last subtask closed
 * (from that subtask's thread). When the job restarts after a failure the same instance is
 * configured again with the same settings, so {@code close} must leave it configurable. An instance
 * that keeps state from {@code configure} should serve one connector and one role (key or value):
 * given to two, it is configured and closed by each.
 *
 * <p>{@code null} keys and values (Kafka tombstones) stay {@code null}: neither method is called
 * with one. An exception from {@link #deserialize} fails the source's poll naming the record's
 * topic, partition and offset; one from {@link #serialize} fails the sink's write. Both fail the
 * job into its restart strategy. What each connector passes to {@code configure} is documented on
 * the connector (for Kafka: {@code dev.weir.kafka.KafkaSource} and {@code KafkaSink}).
 */
public interface RecordSerde<T> {
    /**
     * Receives the connector's settings, all values as strings, and whether this instance handles
     * record keys ({@code true}) or values. The default ignores them.
     *
     * @throws RuntimeException if the settings are not usable, naming the key to change; the job
     *     then fails to start
     */
    default void configure(Map<String, ?> configs, boolean isKey) {}

    /**
     * The bytes of {@code value}, written to {@code topic}. The serializer may add headers to the
     * outgoing record through {@code headers} (for the key first, then for the value, the same
     * instance); that object is valid during this call only and must not be kept.
     */
    byte[] serialize(String topic, OutgoingHeaders headers, T value);

    /**
     * Reads {@code data} from a record of {@code topic}; {@code headers} are the record's headers
     * as read from Kafka, in order, and must not be modified.
     */
    T deserialize(String topic, List<Header> headers, byte[] data);

    /** Releases what {@link #configure} acquired. The default does nothing. */
    default void close() {}
}
