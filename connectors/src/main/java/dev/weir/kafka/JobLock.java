package dev.weir.kafka;

import dev.weir.UnrecoverableJobException;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * there while the holder lives. The holder leaves the group when it stops; when it crashes, its
 * membership expires after {@code job.lock.session-timeout.ms} and the group rebalances.
 *
 * <p>{@link #acquire} joins the group. A process given nothing does not refuse at once: the holder
 * may be a process that just died (a restart loop under an orchestrator starts the next one while
 * the killed one's membership lives on, and after two quick crashes a dead member can even be
 * assigned the lock in a rebalance it joined before it died). It stays in the group and waits for
 * the lock to move to it, for two session timeouts plus a margin after it found the lock held —
 * long enough for every dead membership to expire and the group to rebalance. Only a holder still
 * there after that is alive (it heartbeats), and the process is refused, before it touches the
 * transactional ids. Every run of a job must use the same {@code job.lock.session-timeout.ms} for
 * this to hold.
 *
 * <p>Membership is always dynamic: a {@code group.instance.id} among the pass-through consumer
 * properties is ignored here, since a static member with the same id replaces the holder instead of
 * being refused.
 *
 * <p>The group's consumer is polled by a thread of its own, so it answers rebalances promptly.
 * {@link #acquire} is called once per process; {@link #isLost} from any thread.
 */
final class JobLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobLock.class);
    private static final String INSTANCE_ID = "group.instance.id";

    private final String jobName;
    private final String group;
    private final TopicPartition lockPartition;
    private final KafkaConsumer<byte[], byte[]> consumer;

    /** Completes with the first assignment this member is given, whatever it holds. */
    private final CompletableFuture<Void> joined = new CompletableFuture<>();

    /** Completes when this member is given the lock partition. */
    private final CompletableFuture<Void> acquired = new CompletableFuture<>();

    private final Thread poller;
    private volatile boolean closed;
    private volatile boolean lost;

    private JobLock(String jobName, WeirConfig config, String topic, int sessionTimeoutMs) {
        this.jobName = jobName;
        this.group = KafkaJobNames.lockGroup(jobName);
        this.lockPartition = new TopicPartition(topic, 0);
        Map<String, Object> props = KafkaOptions.clientProperties(config, "kafka.consumer.");
        Object instanceId = props.remove(INSTANCE_ID);
        if (instanceId != null) {
            LOG.warn(
                    "job {}: group.instance.id={} (kafka.consumer. or kafka.common.) is ignored for"
                            + " the job lock's consumer: a static member would replace the lock's"
                            + " holder instead of being refused",
                    jobName,
                    instanceId);
        }
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
        consumer.subscribe(List.of(topic), new Listener());
        this.poller = new Thread(this::pollLoop, "weir-lock-" + jobName);
        poller.setDaemon(true);
    }

    /** Runs on the poller thread, inside {@code poll}. */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!closed && partitions.contains(lockPartition) && acquired.isDone()) {
                lost = true;
                LOG.error(
                        "job {}: this process lost the job lock; another process may run the job"
                                + " now",
                        jobName);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // The cooperative protocol calls this after every rebalance, with what is new.
            if (partitions.contains(lockPartition)) {
                acquired.complete(null);
            }
            joined.complete(null);
        }
    }

    private void pollLoop() {
        try {
            while (!closed) {
                consumer.poll(Duration.ofMillis(200));
            }
        } catch (RuntimeException e) {
            if (!closed) {
                joined.completeExceptionally(e);
                acquired.completeExceptionally(e);
                lost = true;
                LOG.error("job {}: the job lock's consumer failed: {}", jobName, e.toString());
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * How long a process that found the lock held waits for it: two session timeouts (a dead
     * holder's membership, and that of a process that died while joining, each expire after one)
     * plus time for the rebalance that follows.
     */
    static long takeOverWaitMillis(int sessionTimeoutMs) {
        return 2L * sessionTimeoutMs + Math.max(3_000, sessionTimeoutMs / 2);
    }

    /**
     * Joins the lock group and returns the lock, waiting for it while another member holds it (see
     * the class comment); refuses if the holder is still there after the wait.
     *
     * @throws UnrecoverableJobException if another live process runs the job
     * @throws WeirException if the group cannot be joined, or the lock did not come to this process
     *     though no live member holds it (worth a retry)
     */
    static JobLock acquire(String jobName, WeirConfig config, Admin admin) {
        String topic = config.get(KafkaOptions.LOCK_TOPIC);
        int session = config.get(KafkaOptions.LOCK_SESSION_TIMEOUT_MS);
        ensureTopic(admin, topic);
        JobLock lock = new JobLock(jobName, config, topic, session);
        lock.poller.start();
        try {
            lock.await(lock.joined, 2L * session + 30_000, "joining the lock group");
            if (!lock.acquired.isDone()) {
                lock.awaitTakeOver(admin, session);
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        LOG.info("job {}: holds the job lock (group {})", jobName, lock.group);
        return lock;
    }

    private void awaitTakeOver(Admin admin, int session) {
        long waitMs = takeOverWaitMillis(session);
        LOG.info(
                "job {}: the job lock is held by another process ({}); waiting up to {} ms (2 ×"
                        + " job.lock.session-timeout.ms={} and a margin) for it to come here, as it"
                        + " does if that process is dead",
                jobName,
                holder(admin).map(JobLock::describe).orElse("group " + group),
                waitMs,
                session);
        long start = System.nanoTime();
        if (await(acquired, waitMs, "waiting for the job lock")) {
            LOG.info(
                    "job {}: took over the job lock after {} ms: its holder had died",
                    jobName,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            return;
        }
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Optional<MemberDescription> holder = holder(admin);
        if (acquired.isDone()) {
            return;
        }
        if (holder.isEmpty()) {
            throw new WeirException(
                    "job "
                            + jobName
                            + ": the job lock did not come to this process within "
                            + waited
                            + " ms, though no member of group "
                            + group
                            + " holds it now (a rebalance in progress?); retrying");
        }
        throw new UnrecoverableJobException(
                "job "
                        + jobName
                        + " is already running in another live process (holder: "
                        + describe(holder.get())
                        + ", alive: it still holds the lock after this process waited "
                        + waited
                        + " ms, more than 2 × job.lock.session-timeout.ms="
                        + session
                        + ", so it heartbeats); two live runs of one job would fence each other's"
                        + " Kafka transactions forever. Stop that process, or give this run"
                        + " another job.name. A crashed process's lock expires"
                        + " job.lock.session-timeout.ms after its last heartbeat; if that process"
                        + " is dead, it ran with a longer job.lock.session-timeout.ms than this"
                        + " one: use the same value in every run of the job.");
    }

    /**
     * Waits for {@code f}: true once it completed, false after {@code millis}.
     *
     * @throws WeirException if the lock's consumer failed, or (for {@link #joined}) on timeout
     */
    private boolean await(CompletableFuture<Void> f, long millis, String what) {
        try {
            f.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            if (f == acquired) {
                return false;
            }
            throw new WeirException(
                    "job "
                            + jobName
                            + ": could not join the lock group "
                            + group
                            + " within "
                            + millis
                            + " ms; is the Kafka cluster reachable?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("job " + jobName + ": interrupted while " + what, e);
        } catch (ExecutionException e) {
            throw new WeirException(
                    "job " + jobName + ": " + what + " failed: " + e.getCause(), e.getCause());
        }
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

    /**
     * The member of the lock group that owns the lock partition, as the group coordinator sees it;
     * empty if none does or the group cannot be described.
     */
    private Optional<MemberDescription> holder(Admin admin) {
        try {
            ConsumerGroupDescription d =
                    admin.describeConsumerGroups(List.of(group))
                            .describedGroups()
                            .get(group)
                            .get(10, TimeUnit.SECONDS);
            return d.members().stream()
                    .filter(m -> m.assignment().topicPartitions().contains(lockPartition))
                    .findFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("job " + jobName + ": interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("job {}: cannot describe the lock group {}: {}", jobName, group, e.toString());
            return Optional.empty();
        }
    }

    private static String describe(MemberDescription m) {
        return "client " + m.clientId() + " on " + m.host();
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
