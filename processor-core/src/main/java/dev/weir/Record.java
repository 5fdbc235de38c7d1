package dev.weir;

import java.util.List;

/**
 * A data record: key (may be null before a keyBy), value, timestamp in epoch millis and headers.
 * Records are immutable; operators derive new ones with the {@code with…} methods.
 */
public record Record<K, V>(K key, V value, long timestamp, List<Header> headers)
        implements StreamElement {
    public Record {
        headers = headers.isEmpty() ? List.of() : List.copyOf(headers);
    }

    public static <K, V> Record<K, V> of(K key, V value, long timestamp) {
        return new Record<>(key, value, timestamp, List.of());
    }

    public <K2> Record<K2, V> withKey(K2 newKey) {
        return new Record<>(newKey, value, timestamp, headers);
    }

    public <V2> Record<K, V2> withValue(V2 newValue) {
        return new Record<>(key, newValue, timestamp, headers);
    }

    public <K2, V2> Record<K2, V2> with(K2 newKey, V2 newValue) {
        return new Record<>(newKey, newValue, timestamp, headers);
    }
}
