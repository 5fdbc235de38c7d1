package dev.weir.kafka;

import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * The split id of a Kafka partition, {@code <topic>:<partition>}: the key of a source position in a
 * checkpoint's metadata ({@code SubtaskSnapshot.positions()}, mapped to the next offset to read).
 * The one place this encoding is written and read — by the source reader, the exactly-once
 * committer and the offline savepoint tools. Topic names cannot contain {@code ':'}, so the last
 * colon separates the partition.
 */
public final class KafkaSplits {
    private KafkaSplits() {}

    /** The split id of {@code tp}. */
    public static String id(TopicPartition tp) {
        return tp.topic() + ":" + tp.partition();
    }

    /**
     * The partition a split id names, or empty if {@code splitId} is not a Kafka split id (no
     * colon, an empty topic, or a partition that is not a non-negative int).
     */
    public static Optional<TopicPartition> parse(String splitId) {
        int colon = splitId.lastIndexOf(':');
        if (colon <= 0 || colon == splitId.length() - 1) {
            return Optional.empty();
        }
        String partition = splitId.substring(colon + 1);
        if (!partition.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    new TopicPartition(splitId.substring(0, colon), Integer.parseInt(partition)));
        } catch (NumberFormatException e) {
            // More digits than an int holds: not a partition number.
            return Optional.empty();
        }
    }
}
