package dev.weir.kafka;

import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Configuration of the Kafka source and sink. Any Kafka client property passes through under {@code
 * kafka.common.} (every client), {@code kafka.consumer.} or {@code kafka.producer.}.
 */
public final class KafkaOptions {
    private KafkaOptions() {}

    /** Where a source subtask starts reading a partition the job has no checkpointed offset for. */
    public enum StartFrom {
        EARLIEST,
        LATEST,
        /** The job group's committed offset; the earliest offset where there is none. */
        COMMITTED,
        /** The first offset at or after {@code source.start.timestamp-ms}. */
        TIMESTAMP
    }

    /**
     * What a source does with a record its serde cannot read (docs/serdes.md, "Poison records").
     */
    public enum DeserializationErrorPolicy {
        /** Stop the job, naming the record and the two ways past it. */
        FAIL,
        /** Count it, log it, go on. */
        SKIP,
        /** Write it unchanged to {@code source.dead-letter.topic}, count it, go on. */
        DEAD_LETTER
    }

    /** What the sink guarantees. */
    public enum Delivery {
        EXACTLY_ONCE,
        AT_LEAST_ONCE,
        NONE
    }

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOption.string(
                    "bootstrap.servers", null, "Kafka bootstrap servers, host:port[,host:port…]");

    public static final ConfigOption<StartFrom> START_FROM =
            ConfigOption.enumeration(
                    "source.start",
                    StartFrom.class,
                    StartFrom.COMMITTED,
                    "Start position of the partitions on a job's first start (nothing restored);"
                            + " once the job restored a checkpoint, a partition it does not name"
                            + " (new since) starts at earliest");

    public static final ConfigOption<Long> START_TIMESTAMP =
            ConfigOption.longValue(
                    "source.start.timestamp-ms",
                    0L,
                    0L,
                    Long.MAX_VALUE,
                    "Epoch millis to start from when source.start=timestamp");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOption.string(
                    "source.group.id",
                    "",
                    "Consumer group the job commits its progress to (empty: the job name); the group has no live members");

    public static final ConfigOption<Long> DISCOVERY_INTERVAL_MS =
            ConfigOption.longValue(
                    "source.partition-discovery.interval.ms",
                    10_000L,
                    0L,
                    86_400_000L,
                    "How often sources look for new partitions of their topics (0: never); new partitions are read from the"
                            + " earliest offset");

    public static final ConfigOption<DeserializationErrorPolicy> DESERIALIZATION_ERROR_POLICY =
            ConfigOption.enumeration(
                    "source.deserialization.error.policy",
                    DeserializationErrorPolicy.class,
                    DeserializationErrorPolicy.FAIL,
                    "A record the source's serde cannot read: fail (the job stops, naming topic,"
                            + " partition and offset), skip (counted and logged) or dead-letter"
                            + " (written unchanged to source.dead-letter.topic, in the checkpoint's"
                            + " transaction with exactly-once output)");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOption.string(
                    "source.dead-letter.topic",
                    "",
                    "Topic of the records source.deserialization.error.policy=dead-letter sets"
                            + " aside, with headers __weir.errors.* naming the error and where the"
                            + " record was");

    public static final ConfigOption<String> PROCESS_DEAD_LETTER_TOPIC =
            ConfigOption.string(
                    "process.dead-letter.topic",
                    "",
                    "Topic of the records process.error.policy=dead-letter sets aside (a process"
                            + " function threw on them), as the source read them, with headers"
                            + " __weir.errors.* naming the error, where the record was and the"
                            + " operator (empty: source.dead-letter.topic)");

    public static final ConfigOption<Delivery> DELIVERY =
            ConfigOption.enumeration(
                    "sink.delivery",
                    Delivery.class,
                    Delivery.AT_LEAST_ONCE,
                    "Delivery guarantee of the Kafka sink");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOption.string(
                    "sink.transactional-id-prefix",
                    "",
                    "Prefix of the exactly-once sink's transactional ids <prefix>-<slot> (empty: the"
                            + " job name)");

    public static final ConfigOption<Integer> PRODUCER_POOL_SIZE =
            ConfigOption.integer(
                    "sink.producer-pool-size",
                    2,
                    2,
                    16,
                    "Transactional producers per job process; one epoch (checkpoint) per producer"
                            + " at a time");

    public static final ConfigOption<String> LOCK_TOPIC =
            ConfigOption.string(
                    "job.lock.topic",
                    "weir-job-locks",
                    "Single-partition topic whose consumer-group membership lets only one live"
                            + " process run an exactly-once job (created if missing)");

    public static final ConfigOption<Integer> LOCK_SESSION_TIMEOUT_MS =
            ConfigOption.integer(
                    "job.lock.session-timeout.ms",
                    10_000,
                    1_000,
                    1_800_000,
                    "A crashed process's job lock expires after this; a process that finds the"
                            + " lock held waits twice this and a margin for it before it refuses."
                            + " Use the same value in every run of a job (within the broker's"
                            + " group.min/max.session.timeout.ms)");

    public static List<ConfigOption<?>> sourceOptions() {
        return List.of(
                BOOTSTRAP_SERVERS,
                START_FROM,
                START_TIMESTAMP,
                GROUP_ID,
                DISCOVERY_INTERVAL_MS,
                DESERIALIZATION_ERROR_POLICY,
                DEAD_LETTER_TOPIC,
                PROCESS_DEAD_LETTER_TOPIC);
    }

    /**
     * The topic of {@code process.error.policy=dead-letter}: {@code process.dead-letter.topic},
     * else {@code source.dead-letter.topic}, so that one topic set aside all of a job's bad
     * records; empty if neither is set.
     */
    static String processDeadLetterTopic(WeirConfig config) {
        String topic = config.get(PROCESS_DEAD_LETTER_TOPIC);
        return topic.isBlank() ? config.get(DEAD_LETTER_TOPIC) : topic;
    }

    public static List<ConfigOption<?>> sinkOptions() {
        return List.of(
                BOOTSTRAP_SERVERS,
                DELIVERY,
                TRANSACTIONAL_ID_PREFIX,
                PRODUCER_POOL_SIZE,
                LOCK_TOPIC,
                LOCK_SESSION_TIMEOUT_MS);
    }

    static Map<String, Object> clientProperties(WeirConfig config, String clientPrefix) {
        Map<String, Object> props = new HashMap<>(config.withPrefix("kafka.common."));
        props.putAll(config.withPrefix(clientPrefix));
        props.put("bootstrap.servers", config.get(BOOTSTRAP_SERVERS));
        return props;
    }
}
