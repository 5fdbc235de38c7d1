package dev.weir;

/** Derives the key a record is partitioned and its state is scoped by. Shared by all subtasks. */
@FunctionalInterface
public interface KeySelector<K, V, KO> {
    KO key(Record<K, V> record) throws Exception;
}
