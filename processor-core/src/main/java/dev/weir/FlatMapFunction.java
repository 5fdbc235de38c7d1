package dev.weir;

/** Emits zero or more records per record. Shared by all subtasks, like {@link MapFunction}. */
@FunctionalInterface
public interface FlatMapFunction<K, V, KO, VO> {
    void flatMap(Record<K, V> record, Output<KO, VO> out) throws Exception;
}
