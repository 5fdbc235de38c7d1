package dev.weir;

/**
 * Where a record was read: its Kafka topic, partition and offset. Set by the Kafka source on every
 * record it reads and kept when an operator derives a record with {@link Record#withKey}, {@link
 * Record#withValue} or {@link Record#with}; a record built anew (for example with {@link
 * Record#of}) has none.
 */
public record Origin(String topic, int partition, long offset) {
    public Origin {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("an origin needs a topic, got '" + topic + "'");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
