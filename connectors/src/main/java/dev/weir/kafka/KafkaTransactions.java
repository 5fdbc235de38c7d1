package dev.weir.kafka;

import dev.weir.UnrecoverableJobException;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CommitOutcome;
import dev.weir.spi.CommitterContext;
import dev.weir.spi.CrashPoints;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once protocol of docs/architecture.md §4: the Kafka transaction is the commit record
 * of a checkpoint. A fixed pool of transactional producers ({@code <prefix>-<slot>}) carries the
 * epochs: epoch n — every record any sink subtask of this process wrote before barrier n — goes to
 * producer {@code n mod pool} in one transaction, which commits, together with checkpoint n's
 * source offsets (metadata {@code weir.chk=n}) in the job's consumer group, once {@code
 * chk-n/_metadata} is durable. Recovery takes the {@link JobLock}, initializes every id of the pool
 * (aborting what was open), fences the job's ids outside the pool that an earlier pool size or
 * prefix left with an open transaction ({@link TransactionalIds}), and reads the committed
 * checkpoint id back from the group's offsets.
 *
 * <p>Thread-safe: sink subtasks take producers from their threads, the coordinator commits from its
 * own.
 */
final class KafkaTransactions implements CheckpointCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTransactions.class);

    /**
     * Default {@code buffer.memory} of each pooled producer: room for records not yet sent, beyond
     * which a sink's send waits (backpressure). Held on the heap for the life of the producer.
     */
    static final long POOL_BUFFER_BYTES = 8L << 20;

    private final String jobName;
    private final WeirConfig config;
    private final InstantSource clock;
    private final String group;
    private final TransactionalIds ids;
    private final Slot[] slots;
    private final Admin admin;
    private JobLock lock;
    private KafkaConsumer<byte[], byte[]> groupClient;
    private ConsumerGroupMetadata groupMetadata;
    private long transactionTimeoutMs;
    private long lastCommitted = -1;
    private Map<TopicPartition, OffsetAndMetadata> committedOffsets = Map.of();
    private String committedIncarnation = "";
    private long firstEpoch = -1;
    private boolean closed;
    private final KafkaMeters meters;

    /** One producer of the pool and the epoch its transaction holds. */
    private static final class Slot {
        final String transactionalId;
        KafkaProducer<byte[], byte[]> producer;
        long epoch = -1;
        // Volatile: the metrics read them without the lock.
        volatile boolean open;
        boolean offsetsSent;
        volatile long openedAtMillis;

        Slot(String transactionalId) {
            this.transactionalId = transactionalId;
        }
    }

    KafkaTransactions(CommitterContext ctx) {
        this.jobName = ctx.jobName();
        this.config = ctx.config();
        this.clock = ctx.clock();
        this.group = KafkaJobNames.consumerGroup(config, jobName);
        this.ids = TransactionalIds.of(jobName, config);
        this.slots = ids.pool().stream().map(Slot::new).toArray(Slot[]::new);
        this.admin = Admin.create(KafkaOptions.clientProperties(config, "kafka.admin."));
        this.meters =
                new KafkaMeters(
                        ctx.meterRegistry(),
                        io.micrometer.core.instrument.Tags.of(
                                "operator", KafkaMeters.POOL_OPERATOR));
    }

    /**
     * Takes the {@link JobLock} — when another member holds it, this waits up to two lock session
     * timeouts and a margin for it, in case that holder is dead — then initializes the pool while
     * fencing the job's ids outside it, and reads the committed checkpoint from the group.
     *
     * @throws dev.weir.UnrecoverableJobException if another live process runs the job
     */
    @Override
    public synchronized OptionalLong recover() {
        if (lock != null) {
            // Called again: the pool is ours already; abort what is open and re-read.
            for (Slot s : slots) {
                abortQuietly(s);
            }
            return committedCheckpoint();
        }
        lock = JobLock.acquire(jobName, config, admin);
        transactionTimeoutMs =
                TransactionTimeouts.resolve(config, TransactionTimeouts.brokerCap(admin));
        // Only for the group metadata of sendOffsetsToTransaction: this consumer never joins the
        // group, so a group.instance.id passed through is harmless here — the broker accepts
        // an offset commit of generation -1 to a group without members whatever its instance id.
        Map<String, Object> groupProps = KafkaOptions.clientProperties(config, "kafka.consumer.");
        groupProps.put("group.id", group);
        groupProps.put("enable.auto.commit", "false");
        groupClient =
                new KafkaConsumer<>(
                        groupProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        groupMetadata = groupClient.groupMetadata();
        for (Slot s : slots) {
            Map<String, Object> props = KafkaOptions.clientProperties(config, "kafka.producer.");
            props.put("transactional.id", s.transactionalId);
            props.put("transaction.timeout.ms", String.valueOf(transactionTimeoutMs));
            // Bounds each commit attempt; the timeout above was sized on it.
            props.put("max.block.ms", String.valueOf(TransactionTimeouts.maxBlockMillis(config)));
            props.put("enable.idempotence", "true");
            props.put("acks", "all");
            props.putIfAbsent("linger.ms", "5");
            // Kafka's default, 32 MiB per producer, fills up whenever sends outpace the broker.
            props.putIfAbsent("buffer.memory", String.valueOf(POOL_BUFFER_BYTES));
            props.putIfAbsent("client.id", s.transactionalId);
            s.producer =
                    new KafkaProducer<>(
                            props, new ByteArraySerializer(), new ByteArraySerializer());
        }
        measure();
        CompletableFuture<List<String>> fenced = ids.fenceLeftovers(admin);
        initAll();
        awaitFenced(fenced);
        OptionalLong committed = committedCheckpoint();
        LOG.info(
                "job {}: transactional producers {}-0..{} ready (transaction.timeout.ms={},"
                        + " max.block.ms={}); last committed checkpoint: {}",
                jobName,
                ids.prefix(),
                slots.length - 1,
                transactionTimeoutMs,
                TransactionTimeouts.maxBlockMillis(config),
                committed.isPresent() ? committed.getAsLong() : "none");
        return committed;
    }

    /** The pool's meters: its producers' metrics, and how old the oldest open transaction is. */
    private void measure() {
        for (int i = 0; i < slots.length; i++) {
            meters.bind(
                    slots[i].producer,
                    io.micrometer.core.instrument.Tags.of("subtask", String.valueOf(i)));
        }
        meters.timeGauge(
                "weir.kafka.transaction.open.age",
                "age of the oldest open transaction of the pool; the broker aborts it at"
                        + " weir_kafka_transaction_timeout_seconds",
                this,
                KafkaTransactions::oldestOpenMillis);
        meters.timeGauge(
                "weir.kafka.transaction.timeout",
                "transaction.timeout.ms of the pool's producers",
                this,
                t -> t.transactionTimeoutMs);
    }

    /** Without the lock (a scrape must not wait for a commit): 0 if none is open. */
    private double oldestOpenMillis() {
        long now = clock.millis();
        long oldest = 0;
        for (Slot s : slots) {
            long opened = s.openedAtMillis;
            if (s.open) {
                oldest = Math.max(oldest, now - opened);
            }
        }
        return oldest;
    }

    /**
     * Initializes every producer of the pool: each fences the earlier producers with its id and
     * aborts their open transaction. The round trips to the transaction coordinator are
     * independent, so they run at once — a start or restart waits for the slowest, not the sum.
     */
    private void initAll() {
        ExecutorService inits =
                Executors.newFixedThreadPool(
                        slots.length,
                        r -> {
                            Thread t = new Thread(r, "weir-txn-init-" + jobName);
                            t.setDaemon(true);
                            return t;
                        });
        try {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (Slot s : slots) {
                pending.add(CompletableFuture.runAsync(s.producer::initTransactions, inits));
            }
            RuntimeException failure = null;
            for (CompletableFuture<Void> f : pending) {
                try {
                    f.join();
                } catch (CompletionException e) {
                    if (failure == null) {
                        failure =
                                e.getCause() instanceof RuntimeException r
                                        ? r
                                        : new WeirException(
                                                "job "
                                                        + jobName
                                                        + ": initializing a transactional producer"
                                                        + " failed: "
                                                        + e.getCause(),
                                                e.getCause());
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            inits.shutdown();
        }
    }

    /** Waits for the fencing of the job's ids outside the pool, which runs alongside initAll(). */
    private void awaitFenced(CompletableFuture<List<String>> fenced) {
        try {
            fenced.get(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("interrupted while fencing transactional ids", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof WeirException w
                    ? w
                    : new WeirException(
                            "job "
                                    + jobName
                                    + ": fencing transactional ids failed: "
                                    + e.getCause(),
                            e.getCause());
        } catch (TimeoutException e) {
            throw new WeirException(
                    "job "
                            + jobName
                            + ": fencing the transactional ids outside the pool took more than"
                            + " 120 s",
                    e);
        }
    }

    private OptionalLong committedCheckpoint() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(
                                    group,
                                    new ListConsumerGroupOffsetsOptions().requireStable(true))
                            .partitionsToOffsetAndMetadata()
                            .get(60, TimeUnit.SECONDS);
            committedOffsets = new HashMap<>(offsets);
            long max = -1;
            for (OffsetAndMetadata om : offsets.values()) {
                if (om == null || om.metadata() == null) {
                    continue;
                }
                java.util.Optional<CommitTag> tag = CommitTag.parse(om.metadata());
                if (tag.isPresent() && tag.get().checkpointId() > max) {
                    max = tag.get().checkpointId();
                    committedIncarnation = tag.get().incarnation();
                }
            }
            lastCommitted = max;
            return max < 0 ? OptionalLong.empty() : OptionalLong.of(max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("interrupted", e);
        } catch (Exception e) {
            throw new WeirException(
                    "job "
                            + jobName
                            + ": cannot read the committed offsets of group "
                            + group
                            + ": "
                            + e,
                    e);
        }
    }

    @Override
    public String describeCommitRecord() {
        return "the committed offsets of consumer group "
                + group
                + " (tagged weir.chk=<n>; the broker drops them offsets.retention.minutes after"
                + " the last commit, and deleting or resetting the group removes them)";
    }

    /**
     * The group's offsets were committed in the same transaction as checkpoint n's positions, so
     * they agree unless someone changed them since: a reset (kafka-consumer-groups --reset-offsets)
     * of some partitions would be overwritten by the next commit, silently.
     */
    @Override
    public boolean isFenced() {
        JobLock l = lock;
        return l != null && l.isLost();
    }

    @Override
    public synchronized void verifyRestored(CheckpointMetadata restored) {
        if (!committedIncarnation.isEmpty()
                && !restored.incarnation().isEmpty()
                && !committedIncarnation.equals(restored.incarnation())) {
            throw new UnrecoverableJobException(
                    "job "
                            + jobName
                            + ": checkpoint "
                            + restored.checkpointId()
                            + " was committed by incarnation "
                            + committedIncarnation
                            + " (consumer group "
                            + group
                            + "), but its _metadata was written by incarnation "
                            + restored.incarnation()
                            + ": another process of this job replaced it. Restoring it would not"
                            + " match the committed output; restore an older retained checkpoint"
                            + " explicitly with savepoint.path");
        }
        List<String> differences = new ArrayList<>();
        Map<TopicPartition, Long> checkpoint = new HashMap<>();
        offsets(restored).forEach((tp, om) -> checkpoint.put(tp, om.offset()));
        checkpoint.forEach(
                (tp, position) -> {
                    OffsetAndMetadata om = committedOffsets.get(tp);
                    if (om == null || om.offset() != position) {
                        differences.add(
                                tp
                                        + " is at "
                                        + (om == null ? "no offset" : "offset " + om.offset())
                                        + " in the group but at offset "
                                        + position
                                        + " in the checkpoint");
                    }
                });
        if (differences.isEmpty()) {
            return;
        }
        throw new UnrecoverableJobException(
                "job "
                        + jobName
                        + ": the committed offsets of consumer group "
                        + group
                        + " disagree with checkpoint "
                        + restored.checkpointId()
                        + ", which they commit: "
                        + String.join("; ", differences)
                        + ". They were changed since (kafka-consumer-groups --reset-offsets?)."
                        + " Weir reads its positions from the checkpoint, together with its state,"
                        + " and its next commit would undo the change. To run on from the"
                        + " checkpoint, set the group's offsets back to the checkpoint's; to"
                        + " move the job's position, change the offsets of a savepoint of the job"
                        + " and resume from it (savepoint.path)");
    }

    @Override
    public synchronized void begin(long firstCheckpointId) {
        this.firstEpoch = firstCheckpointId;
        open(firstCheckpointId);
    }

    /**
     * The epoch of what a writer of this process writes once it passed barrier {@code lastBarrier}
     * of this attempt, or before its first barrier ({@code lastBarrier < 0}): records before
     * barrier n belong to epoch n, and the first epoch is the attempt's first checkpoint id. The
     * one place of that rule for the sink writers, the source's dead letters and the keyed
     * operators' dead letters — they must agree, since epoch n commits with checkpoint n.
     */
    synchronized long epochAfter(long lastBarrier) {
        if (firstEpoch < 0) {
            throw new IllegalStateException("job " + jobName + ": begin() was not called");
        }
        return lastBarrier < 0 ? firstEpoch : lastBarrier + 1;
    }

    /**
     * The producer whose transaction holds epoch {@code epoch}, opening it if needed. Waits while
     * the slot still holds an older, uncommitted epoch.
     */
    synchronized KafkaProducer<byte[], byte[]> producer(long epoch) {
        return open(epoch).producer;
    }

    private Slot open(long epoch) {
        Slot s = slots[(int) (epoch % slots.length)];
        while (!closed && s.open && s.epoch != epoch) {
            if (s.epoch > epoch) {
                throw new WeirException(
                        "job "
                                + jobName
                                + ": epoch "
                                + epoch
                                + " requested after epoch "
                                + s.epoch);
            }
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WeirException("interrupted while waiting for a free producer", e);
            }
        }
        if (closed) {
            throw new WeirException("job " + jobName + ": the transactional producers are closed");
        }
        if (!s.open) {
            s.producer.beginTransaction();
            s.epoch = epoch;
            s.open = true;
            s.offsetsSent = false;
            s.openedAtMillis = clock.millis();
        }
        return s;
    }

    @Override
    public CommitOutcome commit(CheckpointMetadata metadata) {
        long n = metadata.checkpointId();
        Slot s;
        synchronized (this) {
            if (n <= lastCommitted) {
                return CommitOutcome.committed();
            }
            long due = Math.max(firstEpoch, lastCommitted + 1);
            if (firstEpoch >= 0 && n != due) {
                // Epoch `due` failed or is still open: committing n would move the group's offsets
                // past its input while its output is never committed.
                return new CommitOutcome.Failed(
                        "job "
                                + jobName
                                + ": checkpoint "
                                + n
                                + " cannot commit before checkpoint "
                                + due
                                + ", whose epoch is not committed; commits go strictly in order",
                        null);
            }
            if (lock != null && lock.isLost()) {
                return new CommitOutcome.Failed(
                        "job "
                                + jobName
                                + " lost its job lock (group "
                                + KafkaJobNames.lockGroup(jobName)
                                + "): another process may run the job now",
                        null);
            }
            s = open(n);
        }
        long start = clock.millis();
        try {
            if (!s.offsetsSent) {
                s.producer.sendOffsetsToTransaction(offsets(metadata), groupMetadata);
                s.offsetsSent = true;
            }
            CrashPoints.reach("commit.after-offsets", n);
            s.producer.commitTransaction();
        } catch (Exception e) {
            return KafkaCommitErrors.outcome(
                    e,
                    n,
                    s.transactionalId,
                    transactionTimeoutMs,
                    clock.millis() - s.openedAtMillis);
        }
        long now = clock.millis();
        long age = now - s.openedAtMillis;
        synchronized (this) {
            s.open = false;
            lastCommitted = n;
            notifyAll();
        }
        if (age > transactionTimeoutMs / 2) {
            LOG.warn(
                    "job {}: the transaction of checkpoint {} was open {} ms, more than half of"
                            + " transaction.timeout.ms={}; checkpoints are slow for this timeout",
                    jobName,
                    n,
                    age,
                    transactionTimeoutMs);
        }
        LOG.debug(
                "job {}: committed checkpoint {} in {} ms (transaction {} open {} ms)",
                jobName,
                n,
                now - start,
                s.transactionalId,
                age);
        return CommitOutcome.committed();
    }

    long transactionTimeoutMillis() {
        return transactionTimeoutMs;
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(CheckpointMetadata metadata) {
        String tag = CommitTag.of(metadata.checkpointId(), metadata.incarnation()).encode();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (OperatorSnapshot op : metadata.operators()) {
            for (SubtaskSnapshot sub : op.subtasks()) {
                sub.positions()
                        .forEach(
                                (split, next) -> {
                                    TopicPartition tp =
                                            KafkaSplits.parse(split)
                                                    .orElseThrow(
                                                            () ->
                                                                    new WeirException(
                                                                            "checkpoint "
                                                                                    + metadata
                                                                                            .checkpointId()
                                                                                    + " has a source position for '"
                                                                                    + split
                                                                                    + "', which is not a Kafka partition"
                                                                                    + " (<topic>:<partition>)"));
                                    offsets.put(tp, new OffsetAndMetadata(next, tag));
                                });
            }
        }
        if (offsets.isEmpty()) {
            throw new WeirException(
                    "checkpoint "
                            + metadata.checkpointId()
                            + " has no source offsets; exactly-once output needs a Kafka source"
                            + " with at least one partition");
        }
        return offsets;
    }

    private void abortQuietly(Slot s) {
        if (!s.open) {
            return;
        }
        s.open = false;
        try {
            s.producer.abortTransaction();
        } catch (RuntimeException e) {
            LOG.warn(
                    "job {}: aborting the open transaction of {} failed ({}); the next start"
                            + " aborts it",
                    jobName,
                    s.transactionalId,
                    e.toString());
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        meters.close();
        for (Slot s : slots) {
            if (s.producer == null) {
                continue;
            }
            abortQuietly(s);
            s.producer.close(Duration.ofSeconds(5));
        }
        if (groupClient != null) {
            groupClient.close(Duration.ofSeconds(5));
        }
        admin.close(Duration.ofSeconds(5));
        if (lock != null) {
            lock.close();
        }
    }
}
