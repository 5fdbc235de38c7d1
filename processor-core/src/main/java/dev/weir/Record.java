package dev.weir;

import java.util.List;

/**
 * A data record: key (may be null before a keyBy), value, timestamp in epoch millis, headers, and
 * where it was read ({@code origin}: topic, partition and offset; {@code null} when the record did
 * not come from a Kafka source, or was built anew by an operator). Records are immutable; operators
 * derive new ones with the {@code with…} methods, which keep headers and origin.
 */
public record Record<K, V>(K key, V value, long timestamp, List<Header> headers, Origin origin)
        implements StreamElement {
    public Record {
        headers = headers.isEmpty() ? List.of() : List.copyOf(headers);
    }

    /** A record without an origin. */
    public Record(K key, V value, long timestamp, List<Header> headers) {
        this(key, value, timestamp, headers, null);
    }

    public static <K, V> Record<K, V> of(K key, V value, long timestamp) {
        return new Record<>(key, value, timestamp, List.of(), null);
    }

    public <K2> Record<K2, V> withKey(K2 newKey) {
        return new Record<>(newKey, value, timestamp, headers, origin);
    }

    public <V2> Record<K, V2> withValue(V2 newValue) {
        return new Record<>(key, newValue, timestamp, headers, origin);
    }

    public Record<K, V> withTimestamp(long newTimestamp) {
        return new Record<>(key, value, newTimestamp, headers, origin);
    }

    public <K2, V2> Record<K2, V2> with(K2 newKey, V2 newValue) {
        return new Record<>(newKey, newValue, timestamp, headers, origin);
    }
}
