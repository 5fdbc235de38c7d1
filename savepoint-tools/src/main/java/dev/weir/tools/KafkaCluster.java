package dev.weir.tools;

import dev.weir.WeirException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka Admin client for the tools that need the cluster ({@code offsets reset} to earliest,
 * latest or a time; {@code txn}), made from {@code --bootstrap-servers} and the client properties
 * of {@code --command-config} (security settings, like the Kafka CLI's). Every call waits at most
 * {@link #CALL_TIMEOUT}; a failure is a {@link ToolException} problem naming what was asked.
 */
public final class KafkaCluster implements AutoCloseable {
    /** How long one request to the cluster may take. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;
    private final String bootstrap;

    private KafkaCluster(Admin admin, String bootstrap) {
        this.admin = admin;
        this.bootstrap = bootstrap;
    }

    /**
     * Connects to {@code bootstrapServers} with the properties in {@code commandConfig}, if any.
     *
     * @throws ToolException if the properties file cannot be read
     */
    public static KafkaCluster connect(String bootstrapServers, Optional<Path> commandConfig) {
        Properties props = new Properties();
        if (commandConfig.isPresent()) {
            try (InputStream in = Files.newInputStream(commandConfig.get())) {
                props.load(in);
            } catch (NoSuchFileException e) {
                throw ToolException.refused(
                        "--command-config " + commandConfig.get() + " does not exist");
            } catch (IOException e) {
                throw ToolException.refused(
                        "--command-config " + commandConfig.get() + " cannot be read: " + e);
            }
        }
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                String.valueOf(CALL_TIMEOUT.toMillis()));
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "weir-savepoint-tools");
        return new KafkaCluster(Admin.create(props), bootstrapServers);
    }

    /** The Admin client, for calls this class does not wrap. */
    public Admin admin() {
        return admin;
    }

    /** The earliest offset of each partition. */
    public Map<TopicPartition, Long> earliest(Collection<TopicPartition> partitions) {
        return offsets(partitions, OffsetSpec.earliest(), "earliest offsets");
    }

    /** The log end offset (high watermark) of each partition. */
    public Map<TopicPartition, Long> latest(Collection<TopicPartition> partitions) {
        return offsets(partitions, OffsetSpec.latest(), "latest offsets");
    }

    /**
     * The offset of the first record of each partition with a timestamp at or after {@code
     * epochMillis}; absent for a partition with no such record.
     */
    public Map<TopicPartition, Long> forTimestamp(
            Collection<TopicPartition> partitions, long epochMillis) {
        Map<TopicPartition, Long> found =
                offsets(
                        partitions,
                        OffsetSpec.forTimestamp(epochMillis),
                        "offsets for timestamp " + epochMillis);
        found.values().removeIf(o -> o < 0);
        return found;
    }

    private Map<TopicPartition, Long> offsets(
            Collection<TopicPartition> partitions, OffsetSpec spec, String what) {
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> answer =
                get(admin.listOffsets(query).all(), what + " of " + List.copyOf(partitions));
        Map<TopicPartition, Long> out = new HashMap<>();
        answer.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /**
     * Waits for {@code future}.
     *
     * @throws ToolException naming {@code what} and the cluster if it fails or times out
     */
    public <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("interrupted while asking " + bootstrap + " for " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw ToolException.problem(
                    "cannot get " + what + " from " + bootstrap + ": " + cause, cause);
        } catch (TimeoutException e) {
            throw ToolException.problem(
                    "no answer from " + bootstrap + " for " + what + " within " + CALL_TIMEOUT, e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
