package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weir.Record;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CommitOutcome;
import dev.weir.spi.CommitterContext;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The exactly-once protocol of docs/architecture.md §4 on the shared embedded broker, driven by
 * hand the way the checkpoint coordinator and the sink writers drive it: recover, begin, producers
 * per epoch, commit in checkpoint order, close.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(90)
class KafkaTransactionsTest {
    private static final Duration READ = Duration.ofSeconds(15);

    /** Long enough to tell "waits" from "returns", short enough to keep the suite quick. */
    private static final Duration BLOCKED = Duration.ofMillis(700);

    /** Markers of an aborted transaction land shortly after the abort returns. */
    private static final Duration MARKERS = Duration.ofSeconds(10);

    private record TestCommitterContext(
            String jobName, int parallelism, WeirConfig config, InstantSource clock)
            implements CommitterContext {}

    private KafkaBroker broker;
    private KafkaTestClient client;
    private String job;
    private String in;
    private String out;
    private ExecutorService executor;

    @BeforeEach
    void setUp(KafkaBroker broker, KafkaTestClient client) {
        this.broker = broker;
        this.client = client;
        String id = UUID.randomUUID().toString().substring(0, 8);
        this.job = "txn-job-" + id;
        this.in = "txn-in-" + id;
        this.out = "txn-out-" + id;
        client.createTopic(in, 1);
        client.createTopic(out, 1);
        executor = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    @Test
    void aJobThatNeverCommittedRecoversNothing() {
        try (KafkaTransactions txns = transactions(job)) {
            assertThat(txns.recover()).isEmpty();
        }
    }

    @Test
    void commitMakesTheEpochsRecordsVisibleTogetherWithOffsetsTaggedWithTheCheckpointId()
            throws Exception {
        try (KafkaTransactions txns = transactions(job)) {
            txns.recover();
            txns.begin(1);
            send(txns.producer(1), "a", "b", "c");
            txns.producer(1).flush();

            assertThat(values(client.readAllCommitted(out, READ)))
                    .as("records of the open epoch before the commit")
                    .isEmpty();

            assertThat(txns.commit(metadata(1, 7))).isEqualTo(CommitOutcome.committed());

            assertThat(values(client.readAllCommitted(out, READ))).containsExactly("a", "b", "c");
            assertThat(committedOffsets(job))
                    .containsExactly(
                            Map.entry(
                                    new TopicPartition(in, 0),
                                    new OffsetAndMetadata(7, "weir.chk=1")));
        }
    }

    /**
     * Epoch 1's checkpoint failed (its transaction is still open, its output not committed); a
     * commit of checkpoint 2 would move the group's offsets past epoch 1's input and lose its
     * output. Commits are refused out of order, whatever the coordinator does.
     */
    @Test
    void aCheckpointIsNotCommittedWhileAnEarlierEpochOfThisIncarnationIsNot() throws Exception {
        try (KafkaTransactions txns = transactions(job)) {
            txns.recover();
            txns.begin(1);
            send(txns.producer(1), "lost-if-2-commits");
            send(txns.producer(2), "b");

            CommitOutcome outcome = txns.commit(metadata(2, 2));

            assertThat(outcome).isInstanceOf(CommitOutcome.Failed.class);
            assertThat(((CommitOutcome.Failed) outcome).reason()).contains("checkpoint 1");
            assertThat(committedOffsets(job)).as("offsets after the refused commit").isEmpty();
        }
        assertThat(values(client.readAllCommitted(out, READ))).isEmpty();
    }

    /**
     * The commit record names the incarnation that wrote the committed checkpoint; a {@code
     * _metadata} of the same id written by another incarnation (a paused process that resumed) is
     * refused at restore instead of being restored in place of the committed one.
     */
    @Test
    void aRestoredCheckpointWrittenByAnotherIncarnationThanTheCommittedOneIsRefused()
            throws Exception {
        try (KafkaTransactions first = transactions(job)) {
            first.recover();
            first.begin(1);
            assertThat(first.commit(metadata(1, 4, "aaaa1111")))
                    .isEqualTo(CommitOutcome.committed());
        }
        assertThat(committedOffsets(job).values())
                .containsExactly(new OffsetAndMetadata(4, "weir.chk=1@aaaa1111"));
        try (KafkaTransactions next = transactions(job)) {
            assertThat(next.recover()).hasValue(1);
            next.verifyRestored(metadata(1, 4, "aaaa1111"));
            assertThatThrownBy(() -> next.verifyRestored(metadata(1, 4, "bbbb2222")))
                    .isInstanceOf(dev.weir.UnrecoverableJobException.class)
                    .hasMessageContaining("aaaa1111")
                    .hasMessageContaining("bbbb2222");
        }
    }

    @Test
    void aGroupInstanceIdAmongTheConsumerPropertiesDoesNotHinderTheCommit() throws Exception {
        // The group's metadata then carries the instance id; the group has no members, so the
        // broker takes the transactional offset commit all the same.
        try (KafkaTransactions txns =
                transactions(job, "kafka.consumer.group.instance.id", "pod-0")) {
            txns.recover();
            txns.begin(1);
            send(txns.producer(1), "a");
            assertThat(txns.commit(metadata(1, 4))).isEqualTo(CommitOutcome.committed());

            // readAllCommitted reads up to the LSO of the moment: wait for the commit markers.
            awaitNothingHanging();
            assertThat(values(client.readAllCommitted(out, READ))).containsExactly("a");
            assertThat(committedOffsets(job).values())
                    .containsExactly(new OffsetAndMetadata(4, "weir.chk=1"));
        }
        try (KafkaTransactions next =
                transactions(job, "kafka.consumer.group.instance.id", "pod-0")) {
            assertThat(next.recover()).hasValue(1);
        }
    }

    @Test
    void theNextIncarnationRecoversTheLastCommittedCheckpoint() {
        try (KafkaTransactions first = transactions(job)) {
            first.recover();
            first.begin(1);
            send(first.producer(1), "a");
            assertThat(first.commit(metadata(1, 1))).isEqualTo(CommitOutcome.committed());
            send(first.producer(2), "b");
            assertThat(first.commit(metadata(2, 2))).isEqualTo(CommitOutcome.committed());
        }

        try (KafkaTransactions second = transactions(job)) {
            assertThat(second.recover()).hasValue(2);
        }
    }

    @Test
    void recoverIsIdempotentAndReportsTheSameCheckpointWhenCalledAgain() {
        try (KafkaTransactions first = transactions(job)) {
            first.recover();
            first.begin(1);
            assertThat(first.commit(metadata(1, 1))).isEqualTo(CommitOutcome.committed());
        }

        try (KafkaTransactions txns = transactions(job)) {
            assertThat(txns.recover()).hasValue(1);
            assertThat(txns.recover()).as("recover() called a second time").hasValue(1);
        }
    }

    @Test
    void committingACommittedCheckpointAgainReportsCommittedAndChangesNothing() throws Exception {
        try (KafkaTransactions txns = transactions(job)) {
            txns.recover();
            txns.begin(1);
            send(txns.producer(1), "a");
            assertThat(txns.commit(metadata(1, 5))).isEqualTo(CommitOutcome.committed());

            assertThat(txns.commit(metadata(1, 5))).isEqualTo(CommitOutcome.committed());

            assertThat(values(readOnceCommitted(out))).containsExactly("a");
            assertThat(committedOffsets(job).values())
                    .containsExactly(new OffsetAndMetadata(5, "weir.chk=1"));
        }
        try (KafkaTransactions next = transactions(job)) {
            assertThat(next.recover()).hasValue(1);
            assertThat(next.commit(metadata(1, 5)))
                    .as("a recovered incarnation asked to commit the checkpoint it recovered")
                    .isEqualTo(CommitOutcome.committed());
        }
        assertThat(values(client.readAllCommitted(out, READ))).containsExactly("a");
    }

    @Test
    void anEpochThatIsNeverCommittedIsNeverVisibleAndTheNextIncarnationAbortsIt() throws Exception {
        // The crashed incarnation's lock would have expired; a second job name with the same
        // transactional ids and group stands in for "the same job, after the crash".
        String prefix = job + "-ids";
        KafkaTransactions crashed = transactions(job, "sink.transactional-id-prefix", prefix);
        try {
            crashed.recover();
            crashed.begin(1);
            send(crashed.producer(1), "lost-1", "lost-2", "lost-3");
            crashed.producer(1).flush();
            assertThat(highWatermark()).isEqualTo(3);
            assertThat(lastStableOffset()).as("LSO while the epoch is open").isZero();

            try (KafkaTransactions next =
                    transactions(
                            job + "-next",
                            "sink.transactional-id-prefix",
                            prefix,
                            "source.group.id",
                            job)) {
                assertThat(next.recover()).isEmpty();

                awaitNothingHanging();
                assertThat(values(client.readAllCommitted(out, READ))).isEmpty();

                assertThat(crashed.commit(metadata(1, 3)))
                        .as("the fenced incarnation can no longer commit its epoch")
                        .isInstanceOf(CommitOutcome.Failed.class);
                assertThat(committedOffsets(job)).isEmpty();

                next.begin(1);
                send(next.producer(1), "kept");
                assertThat(next.commit(metadata(1, 3))).isEqualTo(CommitOutcome.committed());
                assertThat(values(client.readAllCommitted(out, READ))).containsExactly("kept");
            }
        } finally {
            crashed.close();
        }
    }

    @Test
    void recoverFencesTheJobsIdsBeyondAShrunkPoolAndLeavesAnotherJobWithTheSamePrefixAlone()
            throws Exception {
        String otherOut = out + "-other";
        client.createTopic(otherOut, 1);
        // Slot 2 of an incarnation that ran with sink.producer-pool-size=3, and slot 0 of job
        // "<job>x", whose name merely starts with this job's.
        KafkaProducer<byte[], byte[]> orphan = openTransaction(job + "-2", out);
        KafkaProducer<byte[], byte[]> otherJob = openTransaction(job + "x-0", otherOut);
        try {
            assertThat(lastStableOffset()).as("LSO while slot 2's transaction is open").isZero();

            try (KafkaTransactions next = transactions(job, "sink.producer-pool-size", "2")) {
                next.recover();

                awaitNothingHanging();
                assertThatThrownBy(orphan::commitTransaction)
                        .as("the old incarnation's producer of slot 2, after the recovery")
                        .isInstanceOfAny(
                                ProducerFencedException.class, InvalidProducerEpochException.class);
                assertThat(values(client.readAllCommitted(out, READ))).isEmpty();

                assertThat(lastStableOffset(otherOut))
                        .as("LSO of the other job's output: its transaction is still open")
                        .isZero();
                otherJob.commitTransaction();
                assertThat(values(client.readAllCommitted(otherOut, READ)))
                        .containsExactly("open-" + job + "x-0");
            }
        } finally {
            orphan.close(Duration.ZERO);
            otherJob.close(Duration.ZERO);
        }
    }

    @Test
    void recoverWithACustomPrefixFencesTheIdsNamedAfterTheJob() throws Exception {
        // The job ran with the default prefix (its name) before sink.transactional-id-prefix was
        // set.
        KafkaProducer<byte[], byte[]> orphan = openTransaction(job + "-0", out);
        try {
            assertThat(lastStableOffset())
                    .as("LSO while the old id's transaction is open")
                    .isZero();

            try (KafkaTransactions next =
                    transactions(job, "sink.transactional-id-prefix", job + "-v2")) {
                next.recover();

                awaitNothingHanging();
                assertThatThrownBy(orphan::commitTransaction)
                        .as("the producer of the job's old id, after the recovery")
                        .isInstanceOfAny(
                                ProducerFencedException.class, InvalidProducerEpochException.class);
            }
        } finally {
            orphan.close(Duration.ZERO);
        }
    }

    @Test
    void closeAbortsTheOpenEpochsSoNothingIsLeftHanging() throws Exception {
        KafkaTransactions txns = transactions(job);
        txns.recover();
        txns.begin(1);
        send(txns.producer(1), "x1", "x2");
        send(txns.producer(2), "y1");
        txns.producer(1).flush();
        txns.producer(2).flush();
        assertThat(lastStableOffset()).as("LSO while the epochs are open").isZero();

        txns.close();

        awaitNothingHanging();
        assertThat(values(client.readAllCommitted(out, READ))).isEmpty();
        try (KafkaTransactions next = transactions(job)) {
            assertThat(next.recover()).isEmpty();
        }
    }

    @Test
    void pooledProducersBufferEightMibUnlessTheUserSetsOtherwise() throws Exception {
        try (KafkaTransactions txns = transactions(job)) {
            txns.recover();
            txns.begin(1);
            assertThat(bufferTotalBytes(txns.producer(1))).isEqualTo(8.0 * 1024 * 1024);
        }
        try (KafkaTransactions txns =
                transactions(job + "-own", "kafka.producer.buffer.memory", "1048576")) {
            txns.recover();
            txns.begin(1);
            assertThat(bufferTotalBytes(txns.producer(1))).isEqualTo(1024.0 * 1024);
        }
    }

    private static Object bufferTotalBytes(KafkaProducer<byte[], byte[]> producer) {
        return producer.metrics().entrySet().stream()
                .filter(m -> m.getKey().name().equals("buffer-total-bytes"))
                .findFirst()
                .orElseThrow()
                .getValue()
                .metricValue();
    }

    @Test
    void epochsTakeThePoolsProducersRoundRobinAndAnEpochWaitsForItsProducersOlderEpoch()
            throws Exception {
        try (KafkaTransactions txns = transactions(job)) {
            txns.recover();
            txns.begin(1);
            KafkaProducer<byte[], byte[]> p1 = txns.producer(1);
            KafkaProducer<byte[], byte[]> p2 = txns.producer(2);
            assertThat(p2).isNotSameAs(p1);
            assertThat(txns.producer(1)).as("the same epoch again").isSameAs(p1);
            send(p1, "e1");
            send(p2, "e2");

            Future<KafkaProducer<byte[], byte[]>> p3 = executor.submit(() -> txns.producer(3));
            assertThatThrownBy(() -> p3.get(BLOCKED.toMillis(), TimeUnit.MILLISECONDS))
                    .as("epoch 3 while epoch 1 holds the producer")
                    .isInstanceOf(TimeoutException.class);

            assertThat(txns.commit(metadata(1, 1))).isEqualTo(CommitOutcome.committed());

            assertThat(p3.get(10, TimeUnit.SECONDS)).isSameAs(p1);
            send(p1, "e3");
            assertThat(txns.commit(metadata(2, 2))).isEqualTo(CommitOutcome.committed());
            assertThat(txns.commit(metadata(3, 3))).isEqualTo(CommitOutcome.committed());
            // Two producers append concurrently, so the broker may order e1 and e2 either way.
            assertThat(values(client.readAllCommitted(out, READ)))
                    .containsExactlyInAnyOrder("e1", "e2", "e3");
        }
    }

    @Test
    void closeReleasesASinkWaitingForAFreeProducer() throws Exception {
        KafkaTransactions txns = transactions(job);
        txns.recover();
        txns.begin(1);
        txns.producer(2);
        Future<KafkaProducer<byte[], byte[]>> p3 = executor.submit(() -> txns.producer(3));
        assertThatThrownBy(() -> p3.get(BLOCKED.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(TimeoutException.class);

        txns.close();

        assertThatThrownBy(() -> p3.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(WeirException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aCheckpointWithoutSourceOffsetsFailsToCommitSayingSo() {
        try (KafkaTransactions txns = transactions(job)) {
            txns.recover();
            txns.begin(1);
            CheckpointMetadata noOffsets =
                    new CheckpointMetadata(
                            job,
                            1,
                            System.currentTimeMillis(),
                            128,
                            List.of(
                                    new OperatorSnapshot(
                                            "src",
                                            1,
                                            List.of(),
                                            List.of(
                                                    new SubtaskSnapshot(
                                                            0,
                                                            Optional.empty(),
                                                            List.of(),
                                                            Map.of())))));

            CommitOutcome outcome = txns.commit(noOffsets);

            assertThat(outcome).isInstanceOf(CommitOutcome.Failed.class);
            assertThat(((CommitOutcome.Failed) outcome).reason()).contains("no source offsets");
        }
    }

    @Test
    void aSinkHandsItsEpochOverAtTheBarrierWithoutWaitingForKafka() {
        // With a long linger only a flush or the commit sends epoch 1's records.
        try (KafkaTransactions txns = transactions(job, "kafka.producer.linger.ms", "30000")) {
            txns.recover();
            txns.begin(1);
            SinkWriter<String, String> writer = sinkWriter(txns);
            write(writer, List.of("a", "b"));

            writer.prepareCheckpoint(1);

            assertThat(highWatermark())
                    .as("records of epoch 1 sent to Kafka by the barrier")
                    .isZero();
            assertThat(txns.commit(metadata(1, 2))).isEqualTo(CommitOutcome.committed());
            assertThat(values(client.readAllCommitted(out, READ))).containsExactly("a", "b");
        }
    }

    @Test
    void aSinkHoldsTheNextEpochsRecordsUntilKafkaAcknowledgedThePreviousEpochs() {
        // Epoch 1's few records linger; epoch 2's fill batches of 512 bytes, which a producer sends
        // at once: sent straight away they would land in the partition before epoch 1's.
        try (KafkaTransactions txns =
                transactions(
                        job,
                        "kafka.producer.linger.ms",
                        "30000",
                        "kafka.producer.batch.size",
                        "512")) {
            txns.recover();
            txns.begin(1);
            SinkWriter<String, String> writer = sinkWriter(txns);
            List<String> epoch1 = numbered("1-", 3, 8);
            List<String> epoch2 = numbered("2-", 200, 40);
            write(writer, epoch1);
            writer.prepareCheckpoint(1);
            write(writer, epoch2);

            await().during(BLOCKED)
                    .atMost(BLOCKED.multipliedBy(10))
                    .untilAsserted(
                            () ->
                                    assertThat(highWatermark())
                                            .as(
                                                    "records in the partition before epoch 1 is acknowledged")
                                            .isZero());
            assertThat(txns.commit(metadata(1, 3))).isEqualTo(CommitOutcome.committed());
            write(writer, List.of("2-last"));
            writer.prepareCheckpoint(2);
            assertThat(txns.commit(metadata(2, 4))).isEqualTo(CommitOutcome.committed());

            List<String> expected = new ArrayList<>(epoch1);
            expected.addAll(epoch2);
            expected.add("2-last");
            assertThat(values(client.readAllCommitted(out, READ)))
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aSinkHoldingMoreThanItsLimitWaitsForThePreviousEpochAndKeepsTheOrder() {
        try (KafkaTransactions txns = transactions(job, "kafka.producer.linger.ms", "30000")) {
            txns.recover();
            txns.begin(1);
            SinkWriter<String, String> writer = sinkWriter(txns);
            List<String> epoch1 = numbered("1-", 3, 8);
            int valueBytes = 1024;
            int overLimit = (int) (KafkaSinkWriter.HOLD_LIMIT_BYTES / valueBytes) + 10;
            List<String> epoch2 = numbered("2-", overLimit, valueBytes);
            write(writer, epoch1);
            writer.prepareCheckpoint(1);
            write(writer, epoch2);

            assertThat(highWatermark())
                    .as("epoch 1 acknowledged once the held records passed the limit")
                    .isGreaterThanOrEqualTo(epoch1.size());
            assertThat(txns.commit(metadata(1, 3))).isEqualTo(CommitOutcome.committed());
            writer.prepareCheckpoint(2);
            assertThat(txns.commit(metadata(2, 4))).isEqualTo(CommitOutcome.committed());

            List<String> expected = new ArrayList<>(epoch1);
            expected.addAll(epoch2);
            assertThat(values(client.readAllCommitted(out, READ)))
                    .containsExactlyElementsOf(expected);
        }
    }

    // --- helpers ---

    private SinkWriter<String, String> sinkWriter(KafkaTransactions txns) {
        WeirConfig config =
                WeirConfig.of(
                        Map.of(
                                "bootstrap.servers",
                                broker.bootstrapServers(),
                                "sink.delivery",
                                "exactly-once"));
        SubtaskInfo info = new SubtaskInfo(job, "sink", 0, 1);
        return KafkaSink.strings(out)
                .createWriter(
                        new SinkContext() {
                            @Override
                            public SubtaskInfo subtask() {
                                return info;
                            }

                            @Override
                            public WeirConfig config() {
                                return config;
                            }

                            @Override
                            public Optional<CheckpointCommitter> committer() {
                                return Optional.of(txns);
                            }
                        });
    }

    private static void write(SinkWriter<String, String> writer, List<String> values) {
        for (String v : values) {
            writer.write(Record.of("k", v, System.currentTimeMillis()));
        }
    }

    /** {@code count} values {@code <prefix><i>}, each padded to {@code length} characters. */
    private static List<String> numbered(String prefix, int count, int length) {
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder v = new StringBuilder(prefix).append(i).append(':');
            while (v.length() < length) {
                v.append('x');
            }
            values.add(v.toString());
        }
        return values;
    }

    private KafkaTransactions transactions(String jobName, String... extra) {
        Map<String, String> m = new HashMap<>();
        m.put("bootstrap.servers", broker.bootstrapServers());
        m.put("sink.delivery", "exactly-once");
        m.put("job.lock.session-timeout.ms", "6000");
        m.put("checkpoint.interval.ms", "200");
        m.put("checkpoint.timeout.ms", "5000");
        m.put("restart.strategy", "none");
        for (int i = 0; i < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return new KafkaTransactions(
                new TestCommitterContext(jobName, 1, WeirConfig.of(m), InstantSource.system()));
    }

    /**
     * Checkpoint {@code id} of a job whose single source partition {@code in:0} is at {@code next}.
     */
    private CheckpointMetadata metadata(long id, long next) {
        return metadata(id, next, "");
    }

    private CheckpointMetadata metadata(long id, long next, String incarnation) {
        SubtaskSnapshot source =
                new SubtaskSnapshot(0, Optional.empty(), List.of(), Map.of(in + ":0", next));
        return new CheckpointMetadata(
                job,
                id,
                System.currentTimeMillis(),
                128,
                CheckpointMetadata.Kind.CHECKPOINT,
                List.of(new OperatorSnapshot("src", 1, List.of(), List.of(source))),
                incarnation);
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String... values) {
        for (String v : values) {
            producer.send(new ProducerRecord<>(out, v.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static List<String> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group) throws Exception {
        return client.admin()
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
    }

    /**
     * What a read_committed consumer reads of {@code topic} once the last stable offset moved past
     * a committed transaction: commitTransaction() returns before the broker has written the commit
     * markers, so a read right after it may still end at the old last stable offset.
     */
    private List<ConsumerRecord<String, String>> readOnceCommitted(String topic)
            throws InterruptedException {
        long deadline = System.nanoTime() + READ.toNanos();
        List<ConsumerRecord<String, String>> read = client.readAllCommitted(topic, READ);
        while (read.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            read = client.readAllCommitted(topic, READ);
        }
        return read;
    }

    private long highWatermark() {
        return highWatermark(out);
    }

    private long lastStableOffset() {
        return lastStableOffset(out);
    }

    private long highWatermark(String topic) {
        return endOffset(topic, "read_uncommitted");
    }

    private long lastStableOffset(String topic) {
        return endOffset(topic, "read_committed");
    }

    private long endOffset(String topic, String isolation) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("isolation.level", isolation);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        }
    }

    /** The output partition's LSO reaches its high watermark: no transaction is left open. */
    private void awaitNothingHanging() {
        awaitNothingHanging(out);
    }

    private void awaitNothingHanging(String topic) {
        await().atMost(MARKERS)
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(
                        () -> {
                            long hw = highWatermark(topic);
                            assertThat(lastStableOffset(topic))
                                    .as(
                                            "%s: read_committed end offset vs high watermark %d",
                                            topic, hw)
                                    .isEqualTo(hw);
                        });
    }

    /**
     * A transactional producer outside any committer — what an earlier incarnation with another
     * pool size or prefix left behind — with a transaction open on {@code topic}: one record sent
     * and acknowledged, not committed. Its transaction timeout is long, so only fencing ends it
     * within the test.
     */
    private KafkaProducer<byte[], byte[]> openTransaction(String transactionalId, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("transactional.id", transactionalId);
        props.put("transaction.timeout.ms", "120000");
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(
                new ProducerRecord<>(
                        topic, ("open-" + transactionalId).getBytes(StandardCharsets.UTF_8)));
        producer.flush();
        return producer;
    }
}
