package dev.weir.kafka;

import dev.weir.config.WeirConfig;
import java.util.regex.Pattern;

/**
 * The names a job uses in Kafka, each derived from the job name (and the key that overrides it) in
 * this one place: the consumer group that holds the commit record, the transactional ids of the
 * exactly-once producer pool, and the consumer group of the job lock. The runtime and the offline
 * tools ({@code weir savepoint txn}) both use them, so they always name the same things.
 */
public final class KafkaJobNames {
    private KafkaJobNames() {}

    /** The job's consumer group: {@code source.group.id}, or the job name when it is empty. */
    public static String consumerGroup(WeirConfig config, String jobName) {
        String g = config.get(KafkaOptions.GROUP_ID);
        return g.isEmpty() ? jobName : g;
    }

    /**
     * The prefix of the job's transactional ids: {@code sink.transactional-id-prefix}, or the job
     * name when it is empty.
     */
    public static String transactionalIdPrefix(WeirConfig config, String jobName) {
        return transactionalIdPrefix(config.get(KafkaOptions.TRANSACTIONAL_ID_PREFIX), jobName);
    }

    /** {@code configuredPrefix}, or {@code jobName} when it is empty. */
    public static String transactionalIdPrefix(String configuredPrefix, String jobName) {
        return configuredPrefix.isEmpty() ? jobName : configuredPrefix;
    }

    /** The transactional id of pool slot {@code slot}: {@code <prefix>-<slot>}. */
    public static String transactionalId(String prefix, int slot) {
        if (slot < 0) {
            throw new IllegalArgumentException("slot must be >= 0, got " + slot);
        }
        return prefix + "-" + slot;
    }

    /**
     * True if {@code transactionalId} is one of a pool with {@code prefix}, of any size: exactly
     * {@code <prefix>-<digits>}. So the pool of job {@code orders} does not include {@code
     * ordersx-0} or {@code orders-eu-0}.
     */
    public static boolean isPoolId(String prefix, String transactionalId) {
        return Pattern.matches(Pattern.quote(prefix) + "-\\d+", transactionalId);
    }

    /** The consumer group whose single-partition assignment is the job lock. */
    public static String lockGroup(String jobName) {
        return jobName + ".weir-lock";
    }
}
