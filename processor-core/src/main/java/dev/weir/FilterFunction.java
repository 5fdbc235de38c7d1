package dev.weir;

/**
 * Keeps the records for which it returns true. Shared by all subtasks, like {@link MapFunction}.
 */
@FunctionalInterface
public interface FilterFunction<K, V> {
    boolean test(Record<K, V> record) throws Exception;
}
