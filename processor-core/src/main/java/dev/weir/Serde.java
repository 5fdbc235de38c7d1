package dev.weir;

import java.util.List;

/**
 * A format that serves both roles: a {@link StateSerializer} for keys and state, and a {@link
 * RecordSerde} for Kafka records that ignores topic and headers and needs no configuration. {@link
 * Serdes}' factories return these, so the same {@code Serdes.string()} goes into a source, a {@code
 * keyBy} and a state descriptor. Implement {@code serialize(T)}, {@code deserialize(byte[])} and,
 * if the format may change, {@link #schema()} and {@link #migrationFrom}; it must then meet both
 * contracts (deterministic and thread-safe).
 */
public interface Serde<T> extends StateSerializer<T>, RecordSerde<T> {
    /** {@link #serialize(Object)}: the topic and headers play no part. */
    @Override
    default byte[] serialize(String topic, OutgoingHeaders headers, T value) {
        return serialize(value);
    }

    /** {@link #deserialize(byte[])}: the topic and headers play no part. */
    @Override
    default T deserialize(String topic, List<Header> headers, byte[] data) {
        return deserialize(data);
    }
}
