package dev.weir;

/**
 * Where a record was read: its Kafka topic, partition and offset, and the record as the source read
 * it. Set by the Kafka source on every record it reads and kept when an operator derives a record
 * with {@link Record#withKey}, {@link Record#withValue} or {@link Record#with}; a record built anew
 * (for example with {@link Record#of}) has none.
 *
 * <p>{@code sourceRecord} is the source's own record, held by reference (no copy): for the Kafka
 * source, the {@code org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>} it
 * deserialized — the original key and value bytes, timestamp and headers. It is there for the
 * source's {@link dev.weir.spi.DeadLetterWriter}, which writes a record a process function threw on
 * back unchanged ({@code process.error.policy=dead-letter}); the runtime never looks into it. Do
 * not modify it. It is null in an origin built from coordinates alone, and it takes no part in
 * {@link #equals}: two origins are equal when they name the same record.
 */
public record Origin(String topic, int partition, long offset, Object sourceRecord) {
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

    /** An origin that names a record without holding it. */
    public Origin(String topic, int partition, long offset) {
        this(topic, partition, offset, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Origin other
                && partition == other.partition
                && offset == other.offset
                && topic.equals(other.topic);
    }

    @Override
    public int hashCode() {
        return (topic.hashCode() * 31 + partition) * 31 + Long.hashCode(offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
