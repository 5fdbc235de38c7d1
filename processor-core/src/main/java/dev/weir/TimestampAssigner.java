package dev.weir;

/**
 * Gives a record its event time in epoch millis. Called on the source subtask's thread for every
 * record it reads, before any operator sees it; the result becomes the record's timestamp.
 */
@FunctionalInterface
public interface TimestampAssigner<K, V> {
    long extractTimestamp(Record<K, V> record);
}
