package dev.weir.kafka;

import dev.weir.UnrecoverableJobException;
import dev.weir.WeirException;
import dev.weir.config.CheckpointOptions;
import dev.weir.config.WeirConfig;
import dev.weir.spi.CheckpointCommitter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Chooses {@code transaction.timeout.ms} for the exactly-once sink and checks it against the
 * broker's cap {@code transaction.max.timeout.ms}. A shorter timeout than the longest life of a
 * transaction lets the broker abort an epoch that is about to commit; the job then restarts, and
 * does so again whenever checkpoints are as slow.
 *
 * <p>The longest life, from the code of the checkpoint coordinator (one checkpoint in flight,
 * triggered on a fixed-rate tick every {@code checkpoint.interval.ms}, a tick skipped while one is
 * pending) and of {@link KafkaTransactions}. Epoch n's transaction opens with its first send after
 * barrier n-1, so no earlier than the trigger of checkpoint n-1, and lives through
 *
 * <ol>
 *   <li>the rest of checkpoint n-1: up to {@code checkpoint.timeout.ms} until every subtask
 *       acknowledged, then its commit, which the timeout does not cut short;
 *   <li>the wait for the next tick once n-1 is done: up to {@code checkpoint.interval.ms};
 *   <li>checkpoint n: up to {@code checkpoint.timeout.ms};
 *   <li>its commit, the end of the transaction.
 * </ol>
 *
 * A commit is up to {@link CheckpointCommitter#COMMIT_ATTEMPTS} calls of {@link
 * KafkaTransactions#commit}, with {@link CheckpointCommitter#COMMIT_RETRY_PAUSES_MS} of pauses in
 * all; a call blocks in {@code commitTransaction} and, until it once succeeded, in {@code
 * sendOffsetsToTransaction}, each bounded by the producer's {@code max.block.ms} (a timeout there
 * is a {@link dev.weir.spi.CommitOutcome.Retry}; {@code request.timeout.ms} and {@code
 * delivery.timeout.ms} do not lengthen the wait). So a commit takes at most {@code (COMMIT_ATTEMPTS
 * + 1) × max.block.ms + COMMIT_RETRY_PAUSES_MS}, and
 *
 * <pre>
 * required = 2 × checkpoint.timeout.ms + checkpoint.interval.ms + 2 × commit budget
 * </pre>
 *
 * The first epoch of an attempt opens with the first send after the start, at most one interval
 * before the first trigger, and so lives shorter. (The metadata write between the last
 * acknowledgement and the commit, one small file, is left out.)
 *
 * <p>With Kafka's {@code max.block.ms} of 60 s one commit could take 423.1 s, and the default
 * checkpoint settings (5 s interval, 60 s timeout) would need 971.2 s, more than the broker's
 * default cap of 15 min. So the pooled producers block at most {@link #POOL_MAX_BLOCK_MS} unless
 * {@code kafka.producer.max.block.ms} says otherwise: a commit then takes at most 108.1 s (six
 * attempts over about 1.5 min still ride out a transaction coordinator's failover), and the
 * defaults need 341.2 s.
 *
 * <p>The restart backoff is not part of it. A failing attempt is cancelled before the backoff, and
 * its committer aborts its open transactions then; a transaction it could not abort, or one a
 * crashed process left, is aborted by the next start's {@code initTransactions}. Nothing open
 * during a backoff can commit any more, so a broker that aborts it for age loses nothing.
 */
final class TransactionTimeouts {
    static final String USER_KEY = "kafka.producer.transaction.timeout.ms";
    static final String MAX_BLOCK_KEY = "kafka.producer.max.block.ms";

    /**
     * {@code max.block.ms} of the pooled transactional producers unless configured: it bounds each
     * commit attempt, and also how long a sink's send waits for buffer space or topic metadata.
     */
    static final long POOL_MAX_BLOCK_MS = 15_000;

    private static final long MIN_DEFAULT = 60_000;

    private TransactionTimeouts() {}

    /** The longest a transaction of the pool stays open, in ms; see the class comment. */
    static long required(WeirConfig config) {
        return 2 * config.get(CheckpointOptions.TIMEOUT_MS)
                + config.get(CheckpointOptions.INTERVAL_MS)
                + 2 * commitBudget(config);
    }

    /** The longest the coordinator spends committing one checkpoint, retries included. */
    static long commitBudget(WeirConfig config) {
        return (CheckpointCommitter.COMMIT_ATTEMPTS + 1) * maxBlockMillis(config)
                + CheckpointCommitter.COMMIT_RETRY_PAUSES_MS;
    }

    /**
     * {@code max.block.ms} of the pooled producers: {@code kafka.producer.max.block.ms}, else
     * {@code kafka.common.max.block.ms}, else {@link #POOL_MAX_BLOCK_MS}.
     */
    static long maxBlockMillis(WeirConfig config) {
        String v = producerSetting(config, "max.block.ms");
        return v == null ? POOL_MAX_BLOCK_MS : parse(v, MAX_BLOCK_KEY);
    }

    /** The timeout to use, or an {@link UnrecoverableJobException} naming the keys to change. */
    static long resolve(WeirConfig config, long brokerCap) {
        long required = required(config);
        String user = producerSetting(config, "transaction.timeout.ms");
        if (user != null) {
            long value = parse(user, USER_KEY);
            if (value > brokerCap) {
                throw new UnrecoverableJobException(
                        USER_KEY
                                + "="
                                + value
                                + " exceeds the broker's transaction.max.timeout.ms="
                                + brokerCap
                                + ": set "
                                + USER_KEY
                                + " to at most "
                                + brokerCap
                                + " (and at least "
                                + required
                                + "), or raise transaction.max.timeout.ms on the brokers");
            }
            if (value < required) {
                throw new UnrecoverableJobException(
                        USER_KEY
                                + "="
                                + value
                                + " is shorter than the longest life of a transaction, "
                                + describe(config)
                                + ": the broker would abort transactions about to commit; set "
                                + USER_KEY
                                + " to at least "
                                + required
                                + ", or lower checkpoint.timeout.ms, checkpoint.interval.ms or "
                                + MAX_BLOCK_KEY);
            }
            return value;
        }
        if (required > brokerCap) {
            throw new UnrecoverableJobException(
                    "the longest life of a transaction, "
                            + describe(config)
                            + ", exceeds the broker's transaction.max.timeout.ms="
                            + brokerCap
                            + ": lower checkpoint.timeout.ms (it counts twice),"
                            + " checkpoint.interval.ms or "
                            + MAX_BLOCK_KEY
                            + " (it counts "
                            + 2 * (CheckpointCommitter.COMMIT_ATTEMPTS + 1)
                            + " times) so that the sum drops by at least "
                            + (required - brokerCap)
                            + " ms, or raise transaction.max.timeout.ms on the brokers to at least "
                            + required);
        }
        return Math.min(brokerCap, Math.max(2 * required, MIN_DEFAULT));
    }

    /** The formula with this configuration's numbers, for messages. */
    private static String describe(WeirConfig config) {
        return "2 × checkpoint.timeout.ms="
                + config.get(CheckpointOptions.TIMEOUT_MS)
                + " + checkpoint.interval.ms="
                + config.get(CheckpointOptions.INTERVAL_MS)
                + " + 2 × the commit budget ("
                + (CheckpointCommitter.COMMIT_ATTEMPTS + 1)
                + " × "
                + MAX_BLOCK_KEY
                + "="
                + maxBlockMillis(config)
                + " + "
                + CheckpointCommitter.COMMIT_RETRY_PAUSES_MS
                + " ms of pauses between "
                + CheckpointCommitter.COMMIT_ATTEMPTS
                + " attempts = "
                + commitBudget(config)
                + " ms) = "
                + required(config)
                + " ms";
    }

    private static long parse(String value, String key) {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(value, key);
        }
        if (v < 0) {
            throw invalid(value, key);
        }
        return v;
    }

    private static UnrecoverableJobException invalid(String value, String key) {
        return new UnrecoverableJobException(
                "invalid value '" + value + "' for config key '" + key + "': milliseconds >= 0");
    }

    /** A producer setting as the pooled producers get it: {@code kafka.producer.} over common. */
    private static String producerSetting(WeirConfig config, String name) {
        String v = config.withPrefix("kafka.producer.").get(name);
        return v != null ? v : config.withPrefix("kafka.common.").get(name);
    }

    /** The broker's {@code transaction.max.timeout.ms}, read with describeConfigs. */
    static long brokerCap(Admin admin) {
        try {
            Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            Node node = nodes.iterator().next();
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
            Config config =
                    admin.describeConfigs(List.of(broker))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(broker);
            ConfigEntry e = config.get("transaction.max.timeout.ms");
            return e == null || e.value() == null ? 900_000L : Long.parseLong(e.value());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("interrupted", e);
        } catch (Exception e) {
            throw new WeirException("cannot read the broker's transaction.max.timeout.ms: " + e, e);
        }
    }
}
