package dev.weir.kafka;

import dev.weir.UnrecoverableJobException;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets only one live process run a job. The holder is the member of the consumer group {@code
 * <job>.weir-lock} that owns the single partition of the lock topic; the sticky assignor keeps it
 * there while the holder lives, so a second process joins, gets nothing, and is refused before it
 * touches the transactional ids. The holder leaves the group when it stops; when it crashes, its
 * membership expires after {@code job.lock.session-timeout.ms} and the next process takes over.
 *
 * <p>The group's consumer is polled by a thread of its own, so it answers rebalances promptly.
 */
final class JobLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobLock.class);

    private final String jobName;
    private final String group;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final CompletableFuture<Boolean> decided = new CompletableFuture<>();
    private final Thread poller;
    private volatile boolean closed;
    private volatile boolean lost;

    private JobLock(String jobName, WeirConfig config, String topic, int sessionTimeoutMs) {
        this.jobName = jobName;
        this.group = KafkaJobNames.lockGroup(jobName);
        Map<String, Object> props = KafkaOptions.clientProperties(config, "kafka.consumer.");
        props.put("group.id", group);
        props.put("group.protocol", "classic");
        props.put("partition.assignment.strategy", CooperativeStickyAssignor.class.getName());
        props.put("session.timeout.ms", String.valueOf(sessionTimeoutMs));
        props.put("heartbeat.interval.ms", String.valueOf(Math.max(100, sessionTimeoutMs / 4)));
        props.put("max.poll.interval.ms", String.valueOf(Math.max(20_000, sessionTimeoutMs * 2)));
        props.put("enable.auto.commit", "false");
        props.put("client.id", jobName + "-lock-" + ProcessHandle.current().pid());
        this.consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition lockPartition = new TopicPartition(topic, 0);
        consumer.subscribe(
                List.of(topic),
                new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        if (!closed
                                && partitions.contains(lockPartition)
                                && decided.getNow(false)) {
                            lost = true;
                            LOG.error(
                                    "job {}: this process lost the job lock; another process may"
                                            + " run the job now",
                                    jobName);
                        }
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        onPartitionsRevoked(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        decided.complete(partitions.contains(lockPartition));
                    }
                });
        this.poller = new Thread(this::pollLoop, "weir-lock-" + jobName);
        poller.setDaemon(true);
    }

    private void pollLoop() {
        try {
            while (!closed) {
                consumer.poll(Duration.ofMillis(200));
            }
        } catch (RuntimeException e) {
            if (!closed) {
                decided.completeExceptionally(e);
                lost = true;
                LOG.error("job {}: the job lock's consumer failed: {}", jobName, e.toString());
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Joins the lock group and returns the lock, or refuses because another live process holds it.
     *
     * @throws UnrecoverableJobException if another live process runs the job
     */
    static JobLock acquire(String jobName, WeirConfig config, Admin admin) {
        String topic = config.get(KafkaOptions.LOCK_TOPIC);
        int session = config.get(KafkaOptions.LOCK_SESSION_TIMEOUT_MS);
        ensureTopic(admin, topic);
        JobLock lock = new JobLock(jobName, config, topic, session);
        lock.poller.start();
        boolean holder;
        try {
            holder = lock.decided.get(2L * session + 30_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            lock.close();
            throw new WeirException(
                    "job "
                            + jobName
                            + ": could not join the lock group "
                            + lock.group
                            + " within "
                            + (2L * session + 30_000)
                            + " ms; is the Kafka cluster reachable?");
        } catch (InterruptedException e) {
            lock.close();
            Thread.currentThread().interrupt();
            throw new WeirException("interrupted while acquiring the job lock", e);
        } catch (ExecutionException e) {
            lock.close();
            throw new WeirException(
                    "job " + jobName + ": joining the lock group failed: " + e.getCause(),
                    e.getCause());
        }
        if (!holder) {
            String who = holderDescription(admin, lock.group, topic);
            lock.close();
            throw new UnrecoverableJobException(
                    "job "
                            + jobName
                            + " is already running in another live process ("
                            + who
                            + "); two live runs of one job would fence each other's Kafka"
                            + " transactions forever. Stop that process, or give this run another"
                            + " job.name. If that process crashed, its lock expires"
                            + " job.lock.session-timeout.ms="
                            + session
                            + " after its last heartbeat.");
        }
        LOG.info("job {}: holds the job lock (group {})", jobName, lock.group);
        return lock;
    }

    private static void ensureTopic(Admin admin, String topic) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new WeirException(
                        "cannot create the job lock topic '"
                                + topic
                                + "' (set job.lock.topic to an existing single-partition topic):"
                                + " "
                                + e.getCause(),
                        e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("interrupted", e);
        } catch (TimeoutException e) {
            throw new WeirException("timed out creating the job lock topic '" + topic + "'", e);
        }
    }

    private static String holderDescription(Admin admin, String group, String topic) {
        try {
            ConsumerGroupDescription d =
                    admin.describeConsumerGroups(List.of(group))
                            .describedGroups()
                            .get(group)
                            .get(10, TimeUnit.SECONDS);
            for (MemberDescription m : d.members()) {
                if (m.assignment().topicPartitions().contains(new TopicPartition(topic, 0))) {
                    return "holder: client " + m.clientId() + " on " + m.host();
                }
            }
            return "group " + group + " has " + d.members().size() + " members";
        } catch (Exception e) {
            return "group " + group;
        }
    }

    /** True once the lock was taken away (for example after a long pause of this process). */
    boolean isLost() {
        return lost;
    }

    @Override
    public void close() {
        closed = true;
        if (Thread.currentThread() != poller) {
            try {
                poller.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
