package dev.weir.serdes.registry.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A thread-safe map of at most {@code maxSize} entries that evicts the least recently used one,
 * optionally forgetting each entry {@code ttl} after it was put. A hit costs one uncontended lock
 * and a hash lookup.
 */
final class BoundedCache<K, V> {
    private record Entry<V>(V value, long expiresAtNanos) {}

    private final int maxSize;
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private final LinkedHashMap<K, Entry<V>> map;

    /**
     * @param ttl how long an entry lives after its put; empty: until evicted
     */
    BoundedCache(int maxSize, Optional<Duration> ttl, LongSupplier nanoTime) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be >= 1, got " + maxSize);
        }
        this.maxSize = maxSize;
        this.ttlNanos = ttl.map(Duration::toNanos).orElse(-1L);
        this.nanoTime = nanoTime;
        this.map = new LinkedHashMap<>(16, 0.75f, true);
    }

    synchronized Optional<V> get(K key) {
        Entry<V> e = map.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (ttlNanos >= 0 && nanoTime.getAsLong() - e.expiresAtNanos >= 0) {
            map.remove(key);
            return Optional.empty();
        }
        return Optional.of(e.value);
    }

    synchronized void put(K key, V value) {
        long expires = ttlNanos >= 0 ? nanoTime.getAsLong() + ttlNanos : 0;
        map.put(key, new Entry<>(value, expires));
        if (map.size() > maxSize) {
            Iterator<Map.Entry<K, Entry<V>>> eldest = map.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    synchronized void remove(K key) {
        map.remove(key);
    }

    synchronized int size() {
        return map.size();
    }
}
