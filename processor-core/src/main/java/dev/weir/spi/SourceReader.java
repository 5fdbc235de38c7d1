package dev.weir.spi;

import dev.weir.Record;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads the splits (for Kafka: partitions) one source subtask owns. Every method is called on that
 * subtask's thread only, in this order: {@link #poll} repeatedly, interleaved with {@link
 * #snapshotPositions} at each checkpoint and {@link #notifyCheckpointComplete} after it completed;
 * {@link #close} last. An exception from any method fails the job into its restart strategy; the
 * job then resumes from the last completed checkpoint.
 */
public interface SourceReader<K, V> extends AutoCloseable {
    /**
     * The next records, in order per split, waiting at most {@code timeout} when none is there. A
     * record that cannot be deserialized throws, naming where it is (topic, partition, offset).
     */
    List<Record<K, V>> poll(Duration timeout);

    /**
     * Positions just after the last record returned by {@link #poll}: split id to the next position
     * to read. Restoring them resumes with the first record not yet returned.
     */
    Map<String, Long> snapshotPositions(long checkpointId);

    /**
     * Checkpoint {@code checkpointId} is complete and durable; its positions may be published (for
     * Kafka: committed to the job's group so lag tools see progress). Must be idempotent.
     */
    default void notifyCheckpointComplete(long checkpointId, Map<String, Long> positions) {}

    @Override
    void close();
}
