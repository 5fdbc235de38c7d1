package dev.weir;

/**
 * Turns each record into exactly one record. One instance is shared by all subtasks, so it must be
 * stateless or thread-safe; an exception fails the job into its restart strategy.
 */
@FunctionalInterface
public interface MapFunction<K, V, KO, VO> {
    Record<KO, VO> map(Record<K, V> record) throws Exception;
}
