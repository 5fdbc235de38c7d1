package dev.weir.window;

/**
 * Combines the values of a window two at a time, as they arrive: the window's result is {@code
 * reduce(reduce(v1, v2), v3)…}; for sessions two windows' results are also combined when the
 * windows merge, earlier window first. Called on the subtask's thread; it should be associative and
 * must not return null. An exception fails the job into its restart strategy.
 */
@FunctionalInterface
public interface ReduceFunction<V> {
    V reduce(V accumulated, V value) throws Exception;
}
