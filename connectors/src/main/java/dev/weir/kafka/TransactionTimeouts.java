package dev.weir.kafka;

import dev.weir.UnrecoverableJobException;
import dev.weir.WeirException;
import dev.weir.config.CheckpointOptions;
import dev.weir.config.RestartOptions;
import dev.weir.config.WeirConfig;
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
 * broker's cap {@code transaction.max.timeout.ms}. A transaction stays open from the barrier that
 * opens its epoch until the next checkpoint commits: up to {@code checkpoint.interval.ms +
 * checkpoint.timeout.ms}, plus the restart backoff for the transactions a failing job leaves open.
 * A shorter timeout would let the broker abort an epoch that is about to commit.
 */
final class TransactionTimeouts {
    static final String USER_KEY = "kafka.producer.transaction.timeout.ms";
    private static final long MIN_DEFAULT = 60_000;

    private TransactionTimeouts() {}

    static long required(WeirConfig config) {
        long backoff =
                switch (config.get(RestartOptions.STRATEGY)) {
                    case EXPONENTIAL_BACKOFF -> config.get(RestartOptions.BACKOFF_MAX_MS);
                    case FIXED_DELAY -> config.get(RestartOptions.FIXED_DELAY_MS);
                    case NONE -> 0L;
                };
        return config.get(CheckpointOptions.INTERVAL_MS)
                + config.get(CheckpointOptions.TIMEOUT_MS)
                + backoff;
    }

    /** The timeout to use, or an {@link UnrecoverableJobException} naming the keys to change. */
    static long resolve(WeirConfig config, long brokerCap) {
        long required = required(config);
        String parts =
                "checkpoint.interval.ms + checkpoint.timeout.ms + the restart backoff"
                        + " (restart.exponential-backoff.max.ms or restart.fixed-delay.delay.ms) = "
                        + required
                        + " ms";
        String user = userValue(config);
        if (user != null) {
            long value;
            try {
                value = Long.parseLong(user.trim());
            } catch (NumberFormatException e) {
                throw new UnrecoverableJobException(
                        "invalid value '" + user + "' for config key '" + USER_KEY + "'");
            }
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
                                + " is shorter than "
                                + parts
                                + ": the broker would abort transactions about to commit; set "
                                + USER_KEY
                                + " to at least "
                                + required
                                + ", or lower checkpoint.timeout.ms");
            }
            return value;
        }
        if (required > brokerCap) {
            throw new UnrecoverableJobException(
                    parts
                            + " exceeds the broker's transaction.max.timeout.ms="
                            + brokerCap
                            + ": lower checkpoint.timeout.ms (or checkpoint.interval.ms, or the"
                            + " restart backoff) by at least "
                            + (required - brokerCap)
                            + " ms, or raise transaction.max.timeout.ms on the brokers");
        }
        return Math.min(brokerCap, Math.max(2 * required, MIN_DEFAULT));
    }

    private static String userValue(WeirConfig config) {
        String v = config.withPrefix("kafka.producer.").get("transaction.timeout.ms");
        return v != null ? v : config.withPrefix("kafka.common.").get("transaction.timeout.ms");
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
