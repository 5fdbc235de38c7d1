package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.Job;
import dev.weir.JobStatus;
import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.RunningJob;
import dev.weir.Serdes;
import dev.weir.UnrecoverableJobException;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import dev.weir.testkit.EmbeddedKafka;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small counting job with {@code sink.delivery=exactly-once}, run in this JVM: the startup
 * validation of the transaction timeout against the broker, and what a graceful stop leaves in the
 * output topic.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(90)
class ExactlyOnceJobTest {
    private static final int KEYS = 10;
    private static final int MIN_COMMITTED = 200;
    private static final Duration READ = Duration.ofSeconds(15);

    @TempDir Path dir;

    /** Emits, for each record, its key and how many records of that key it has seen. */
    static final class CountPerKey implements KeyedProcessFunction<String, String, String, String> {
        private ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            count = state.valueState(new ValueStateDescriptor<>("count", Serdes.longs()));
        }

        @Override
        public void process(Record<String, String> r, Context<String, String, String> out) {
            long next = count.valueOrElse(0L) + 1;
            count.update(next);
            out.emit(r.withValue(String.valueOf(next)));
        }
    }

    @Test
    void startupFailsForGoodWhenTheCheckpointTimingsOrTheUserTimeoutExceedTheBrokersCap()
            throws Exception {
        try (EmbeddedKafka broker =
                        EmbeddedKafka.start(Map.of("transaction.max.timeout.ms", "30000"));
                KafkaTestClient client = KafkaTestClient.forBroker(broker)) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            client.createTopic("cap-in-" + id, 1);
            client.createTopic("cap-out-" + id, 1);
            WeirConfig tooSlow =
                    config(broker, "cap-job-" + id, "cap-in-" + id, "cap-out-" + id)
                            .with("checkpoint.timeout.ms", "60000");

            Throwable failure = failureOf(tooSlow, "cap-in-" + id, "cap-out-" + id);

            assertThat(failure)
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("checkpoint.timeout.ms")
                    .hasMessageContaining("transaction.max.timeout.ms=30000");

            WeirConfig userTooLong =
                    config(broker, "cap-job2-" + id, "cap-in-" + id, "cap-out-" + id)
                            .with("kafka.producer.transaction.timeout.ms", "40000");

            assertThat(failureOf(userTooLong, "cap-in-" + id, "cap-out-" + id))
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("kafka.producer.transaction.timeout.ms=40000")
                    .hasMessageContaining("transaction.max.timeout.ms=30000");
        }
    }

    @Test
    void aGracefulStopLeavesNoOpenTransactionAndTheCommittedCountsHaveNoDuplicates(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t = topics(broker, client, "stop");
        AtomicInteger produced = new AtomicInteger();

        runUntilCommittedOutputThenStopWhileInputFlows(broker, client, t, produced);

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(
                        () ->
                                assertThat(endOffsets(broker, t.out, "read_committed"))
                                        .as("read_committed end offsets (LSO) after stop")
                                        .isEqualTo(endOffsets(broker, t.out, "read_uncommitted")));
        List<ConsumerRecord<String, String>> committed =
                client.readAllCommitted(t.out, Duration.ofSeconds(15));
        assertThat(committed.size()).isBetween(MIN_COMMITTED, produced.get());
        assertCountsRunFromOne(committed);
    }

    @Test
    void theRunAfterAGracefulStopResumesFromTheCommittedCheckpointAndCountsEveryInputOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t = topics(broker, client, "resume");
        AtomicInteger produced = new AtomicInteger();
        runUntilCommittedOutputThenStopWhileInputFlows(broker, client, t, produced);
        produceBatch(client, t.in, produced, 100);
        Map<String, Long> inputsPerKey = new TreeMap<>();
        for (int seq = 0; seq < produced.get(); seq++) {
            inputsPerKey.merge("k" + (seq % KEYS), 1L, Long::sum);
        }

        try (RunningJob second = Weir.start(countingJob(t.in, t.out), t.config)) {
            assertThat(second.restoredCheckpointId()).as("checkpoint restored").isPresent();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(
                            () ->
                                    lastCountPerKey(client.readAllCommitted(t.out, READ))
                                            .equals(inputsPerKey));
        }

        List<ConsumerRecord<String, String>> committed = client.readAllCommitted(t.out, READ);
        assertCountsRunFromOne(committed);
        assertThat(committed).hasSize(produced.get());
    }

    // --- helpers ---

    /**
     * The job's commit record — the committed offsets of its consumer group, tagged {@code
     * weir.chk=n} — is gone (the broker expired it after {@code offsets.retention.minutes} of
     * downtime, or an operator deleted the group). Starting over would repeat every output and
     * restart every count, so the start is refused; the checkpoint named explicitly restores.
     */
    @Test
    void whenTheGroupsOffsetsAreGoneTheStartIsRefusedAndANamedCheckpointRestores(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t = topics(broker, client, "gone");
        AtomicInteger produced = new AtomicInteger();
        long newest = runToCompletionAndStop(client, t, produced, 300);
        client.admin().deleteConsumerGroups(List.of(t.job())).all().get();

        Throwable refused = failureOf(t.config, t.in, t.out);
        assertThat(refused)
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("chk-" + newest)
                .hasMessageContaining("savepoint.path")
                .hasMessageContaining("checkpoint.allow-empty-start")
                .hasMessageContaining(t.job());
        assertThat(checkpointDir(t, newest).resolve("_metadata"))
                .as("the refused start deleted nothing")
                .exists();

        produceBatch(client, t.in, produced, 100);
        WeirConfig named =
                t.config.with("savepoint.path", checkpointDir(t, newest).toUri().toString());
        try (RunningJob job = Weir.start(countingJob(t.in, t.out), named)) {
            assertThat(job.restoredCheckpointId()).contains(newest);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.readAllCommitted(t.out, READ).size() >= produced.get());
        }
        List<ConsumerRecord<String, String>> committed = client.readAllCommitted(t.out, READ);
        assertCountsRunFromOne(committed);
        assertThat(committed).hasSize(produced.get());
    }

    /**
     * With an explicit opt-in the job starts fresh; the checkpoints it did not restore are left in
     * place — neither pruned by retention nor garbage-collected — while new ones come and go.
     */
    @Test
    void anAllowedFreshStartKeepsTheCheckpointsItDidNotRestore(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t = topics(broker, client, "fresh");
        AtomicInteger produced = new AtomicInteger();
        long newest = runToCompletionAndStop(client, t, produced, 200);
        client.admin().deleteConsumerGroups(List.of(t.job())).all().get();
        List<Path> before = filesUnder(checkpointDir(t, newest));
        WeirConfig fresh = t.config.with("checkpoint.allow-empty-start", "true");
        try (RunningJob job = Weir.start(countingJob(t.in, t.out), fresh)) {
            assertThat(job.restoredCheckpointId()).isEmpty();
            await().atMost(Duration.ofSeconds(30))
                    .until(
                            () ->
                                    job.lastCompletedCheckpoint().map(c -> c.id()).orElse(0L)
                                            > newest + 5);
        }
        assertThat(checkpointDir(t, newest).resolve("_metadata")).exists();
        for (Path f : before) {
            assertThat(f).as("file of the checkpoint not restored").exists();
        }
        byte[] metadata =
                java.nio.file.Files.readAllBytes(checkpointDir(t, newest).resolve("_metadata"));
        for (dev.weir.format.FileRef f :
                dev.weir.format.MetadataSerializer.deserialize(metadata).allFiles()) {
            assertThat(checkpointDir(t, newest).resolve(f.path()).normalize())
                    .as("file %s referenced by the checkpoint not restored", f.path())
                    .exists();
        }
    }

    /**
     * An operator reset one partition of the job's group (to skip a record, say). The job's
     * positions come from its checkpoint, so the next commit would silently undo the reset: the
     * start is refused instead, naming the partition, both offsets and the way out.
     */
    @Test
    void aPartialResetOfTheGroupsOffsetsIsRefusedNamingThePartition(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t = topics(broker, client, "reset");
        AtomicInteger produced = new AtomicInteger();
        runToCompletionAndStop(client, t, produced, 200);
        client.admin()
                .alterConsumerGroupOffsets(
                        t.job(),
                        Map.of(
                                new TopicPartition(t.in, 0),
                                new org.apache.kafka.clients.consumer.OffsetAndMetadata(3)))
                .all()
                .get();

        Throwable refused = failureOf(t.config, t.in, t.out);
        assertThat(refused)
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining(t.in + "-0")
                .hasMessageContaining("offset 3")
                .hasMessageContaining(t.job());
    }

    /** Runs the job until {@code n} inputs are counted in the committed output, then stops it. */
    private long runToCompletionAndStop(
            KafkaTestClient client, Topics t, AtomicInteger produced, int n) throws Exception {
        produceBatch(client, t.in, produced, n);
        try (RunningJob job = Weir.start(countingJob(t.in, t.out), t.config)) {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.readAllCommitted(t.out, READ).size() >= n);
            long committedAt = job.lastCompletedCheckpoint().orElseThrow().id();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> job.lastCompletedCheckpoint().orElseThrow().id() > committedAt);
        }
        try (var ids = java.nio.file.Files.list(dir.resolve("checkpoints").resolve(t.job()))) {
            return ids.filter(p -> java.nio.file.Files.exists(p.resolve("_metadata")))
                    .map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith("chk-"))
                    .mapToLong(name -> Long.parseLong(name.substring(4)))
                    .max()
                    .orElseThrow();
        }
    }

    private Path checkpointDir(Topics t, long id) {
        return dir.resolve("checkpoints").resolve(t.job()).resolve("chk-" + id);
    }

    private static List<Path> filesUnder(Path root) throws java.io.IOException {
        try (var s = java.nio.file.Files.walk(root)) {
            return s.filter(java.nio.file.Files::isRegularFile).toList();
        }
    }

    private record Topics(String in, String out, WeirConfig config) {
        String job() {
            return config.get(dev.weir.config.JobOptions.JOB_NAME);
        }
    }

    private Topics topics(KafkaBroker broker, KafkaTestClient client, String name) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String in = name + "-in-" + id;
        String out = name + "-out-" + id;
        client.createTopic(in, 2);
        client.createTopic(out, 2);
        return new Topics(in, out, config(broker, name + "-job-" + id, in, out));
    }

    /**
     * Runs the job while input flows, waits for committed output and for an open epoch that holds
     * records, then stops the job with input still flowing.
     */
    private void runUntilCommittedOutputThenStopWhileInputFlows(
            KafkaBroker broker, KafkaTestClient client, Topics t, AtomicInteger produced)
            throws Exception {
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producer =
                new Thread(
                        () -> {
                            while (producing.get()) {
                                produceBatch(client, t.in, produced, 50);
                                sleep(20);
                            }
                        },
                        "eos-test-producer");
        RunningJob job = Weir.start(countingJob(t.in, t.out), t.config);
        try {
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
            producer.start();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.readAllCommitted(t.out, READ).size() >= MIN_COMMITTED);
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .alias("an open transaction holds output (LSO behind the high watermark)")
                    .until(
                            () ->
                                    !endOffsets(broker, t.out, "read_committed")
                                            .equals(endOffsets(broker, t.out, "read_uncommitted")));
        } finally {
            job.stop();
            producing.set(false);
            producer.join(10_000);
        }
        assertThat(job.status()).isEqualTo(JobStatus.STOPPED);
    }

    static Map<String, Long> lastCountPerKey(List<ConsumerRecord<String, String>> out) {
        Map<String, Long> last = new TreeMap<>();
        out.forEach(r -> last.merge(r.key(), Long.valueOf(r.value()), Math::max));
        return last;
    }

    static Job countingJob(String in, String out) {
        var b = Job.builder();
        b.source("in", KafkaSource.strings(in))
                .keyBy(Serdes.string())
                .process("count", CountPerKey::new)
                .sink("out", KafkaSink.strings(out));
        return b.build();
    }

    private Throwable failureOf(WeirConfig config, String in, String out) throws Exception {
        RunningJob job = Weir.start(countingJob(in, out), config);
        try {
            assertThat(job.awaitTermination(Duration.ofSeconds(30)))
                    .as("the job ends by itself")
                    .isTrue();
            assertThat(job.status()).isEqualTo(JobStatus.FAILED);
            assertThat(job.restarts()).as("restarts of a configuration error").isZero();
            return job.failure().orElseThrow();
        } finally {
            job.stop();
        }
    }

    private WeirConfig config(KafkaBroker broker, String job, String in, String out) {
        return WeirConfig.of(settings(broker, dir, job));
    }

    /**
     * Settings of a small exactly-once job in this JVM: P=2, checkpoints every 300 ms under {@code
     * dir}, fixed-delay restarts.
     */
    static Map<String, String> settings(KafkaBroker broker, Path dir, String job) {
        Map<String, String> m = new HashMap<>();
        m.put("job.name", job);
        m.put("bootstrap.servers", broker.bootstrapServers());
        m.put("parallelism", "2");
        m.put("checkpoint.dir", dir.resolve("checkpoints").toUri().toString());
        m.put("checkpoint.interval.ms", "300");
        m.put("checkpoint.timeout.ms", "5000");
        m.put("state.local-dir", dir.resolve("state").toString());
        m.put("sink.delivery", "exactly-once");
        m.put("job.lock.session-timeout.ms", "6000");
        m.put("source.start", "earliest");
        m.put("restart.strategy", "fixed-delay");
        m.put("restart.fixed-delay.delay.ms", "500");
        return m;
    }

    private static void produceBatch(
            KafkaTestClient client, String topic, AtomicInteger produced, int n) {
        List<Map.Entry<String, String>> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int seq = produced.getAndIncrement();
            batch.add(Map.entry("k" + (seq % KEYS), "v" + seq));
        }
        client.produceStrings(topic, batch);
    }

    static void assertCountsRunFromOne(List<ConsumerRecord<String, String>> committed) {
        Map<String, List<Long>> countsByKey = new TreeMap<>();
        for (ConsumerRecord<String, String> r : committed) {
            countsByKey
                    .computeIfAbsent(r.key(), k -> new ArrayList<>())
                    .add(Long.valueOf(r.value()));
        }
        assertThat(countsByKey).isNotEmpty();
        countsByKey.forEach(
                (key, counts) ->
                        assertThat(counts)
                                .as("committed counts of key %s, in output order", key)
                                .containsExactlyElementsOf(
                                        LongStream.rangeClosed(1, counts.size()).boxed().toList()));
    }

    private static Map<TopicPartition, Long> endOffsets(
            KafkaBroker broker, String topic, String isolation) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("isolation.level", isolation);
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            return c.endOffsets(partitions, Duration.ofSeconds(10));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
