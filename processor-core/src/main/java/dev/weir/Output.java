package dev.weir;

/**
 * Where an operator emits records. Calls go synchronously to the next operator of the chain (or
 * into a buffered channel), on the calling task thread only.
 */
@FunctionalInterface
public interface Output<K, V> {
    void emit(Record<K, V> record);
}
