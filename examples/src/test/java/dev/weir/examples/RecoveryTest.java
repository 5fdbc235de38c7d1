package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.Job;
import dev.weir.JobStatus;
import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.RunningJob;
import dev.weir.Serdes;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.kafka.KafkaSink;
import dev.weir.kafka.KafkaSource;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** In-process failures and restarts of a keyed job on a real broker with real RocksDB. */
@ExtendWith(KafkaExtension.class)
class RecoveryTest {
    @TempDir Path dir;

    static WeirConfig config(KafkaBroker broker, Path dir, String job, String in, String out) {
        return WeirConfig.of(
                        Map.of(
                                "job.name",
                                job,
                                "bootstrap.servers",
                                broker.bootstrapServers(),
                                "input.topic",
                                in,
                                "output.topic",
                                out,
                                "parallelism",
                                "2",
                                "checkpoint.dir",
                                dir.resolve("checkpoints").toUri().toString(),
                                "checkpoint.interval.ms",
                                "200",
                                "state.local-dir",
                                dir.resolve("state").toString(),
                                "source.start",
                                "earliest",
                                "restart.strategy",
                                "fixed-delay"))
                .with("restart.fixed-delay.delay.ms", "100");
    }

    private WeirConfig config(KafkaBroker broker, String job, String in, String out) {
        return config(broker, dir, job, in, out);
    }

    /** Counts per key like keyed-aggregate, but throws once after a number of records. */
    static final class FailingAggregate
            implements KeyedProcessFunction<String, Long, String, String> {
        static final AtomicLong processed = new AtomicLong();
        static volatile long failAt = Long.MAX_VALUE;
        private ValueState<long[]> totals;

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            totals =
                    state.valueState(
                            new ValueStateDescriptor<>(
                                    "totals",
                                    new dev.weir.StateSerializer<long[]>() {
                                        @Override
                                        public byte[] serialize(long[] v) {
                                            return java.nio.ByteBuffer.allocate(16)
                                                    .putLong(v[0])
                                                    .putLong(v[1])
                                                    .array();
                                        }

                                        @Override
                                        public long[] deserialize(byte[] b) {
                                            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
                                            return new long[] {bb.getLong(), bb.getLong()};
                                        }
                                    }));
        }

        @Override
        public void process(Record<String, Long> r, Context<String, String, String> out) {
            if (processed.incrementAndGet() == failAt) {
                throw new IllegalStateException("injected failure after " + failAt + " records");
            }
            long[] t = totals.valueOrElse(new long[2]);
            long[] next = {t[0] + 1, t[1] + r.value()};
            totals.update(next);
            out.emit(r.withValue(AggregateWorkload.value(next[0], next[1])));
        }
    }

    @Test
    void operatorFailureMidStreamRestartsFromCheckpointAndEveryKeyCountsEachInputOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("fail-in", 4);
        client.createTopic("fail-out", 4);
        AggregateWorkload w = new AggregateWorkload(7, 300);
        w.produce(client, "fail-in", 10_000);
        FailingAggregate.processed.set(0);
        FailingAggregate.failAt = Long.MAX_VALUE;
        var b = Job.builder();
        b.source("in", KafkaSource.of(List.of("fail-in"), Serdes.string(), new AmountSerde()))
                .keyBy(Serdes.string())
                .process("agg", FailingAggregate::new)
                .sink("out", KafkaSink.strings("fail-out"));
        try (RunningJob job =
                Weir.start(b.build(), config(broker, "fail-job", "fail-in", "fail-out"))) {
            AggregateWorkload.awaitOutput(client, "fail-out", w, Duration.ofSeconds(60));
            long completedBefore = lastCompleted(job);
            while (lastCompleted(job) <= completedBefore) {
                Thread.sleep(50);
            }
            // The failure comes after a checkpoint that covers the first batch, mid-way through the
            // second.
            FailingAggregate.failAt = FailingAggregate.processed.get() + 10_000;
            w.produce(client, "fail-in", 20_000);
            List<ConsumerRecord<String, String>> out =
                    AggregateWorkload.awaitOutput(client, "fail-out", w, Duration.ofSeconds(60));
            assertThat(job.restarts()).as("restarts after the injected failure").isEqualTo(1);
            assertThat(job.restoredCheckpointId())
                    .as("checkpoint restored after the failure")
                    .isPresent();
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
            w.assertAtLeastOnce(out);
        }
    }

    @Test
    void damagedLatestCheckpointFallsBackToTheOlderRetainedOne(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("corrupt-in", 4);
        client.createTopic("corrupt-out", 4);
        AggregateWorkload w = new AggregateWorkload(11, 200);
        w.produce(client, "corrupt-in", 20_000);
        WeirConfig config = config(broker, "corrupt-job", "corrupt-in", "corrupt-out");
        KeyedAggregate factory = new KeyedAggregate();
        try (RunningJob job = Weir.start(factory.create(config), config)) {
            AggregateWorkload.awaitOutput(client, "corrupt-out", w, Duration.ofSeconds(60));
            while (job.checkpoints().stream()
                            .filter(c -> c.status() == dev.weir.CheckpointStats.Status.COMPLETED)
                            .count()
                    < 3) {
                Thread.sleep(100);
            }
        }
        Path jobDir = dir.resolve("checkpoints").resolve("corrupt-job");
        List<Long> ids = checkpointIds(jobDir);
        assertThat(ids).hasSizeGreaterThanOrEqualTo(2);
        long newest = ids.get(ids.size() - 1);
        Path sst = largestFile(jobDir.resolve("chk-" + newest));
        flipByte(sst);

        w.produce(client, "corrupt-in", 5_000);
        try (RunningJob job = Weir.start(factory.create(config), config)) {
            assertThat(job.restoredCheckpointId())
                    .as("restored checkpoint")
                    .contains(ids.get(ids.size() - 2));
            List<ConsumerRecord<String, String>> out =
                    AggregateWorkload.awaitOutput(client, "corrupt-out", w, Duration.ofSeconds(60));
            w.assertAtLeastOnce(out);
        }
    }

    @Test
    void whenNoRetainedCheckpointCanBeRestoredTheStartFailsListingEachUnlessEmptyStartIsAllowed(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("unreadable-in", 2);
        client.createTopic("unreadable-out", 2);
        AggregateWorkload w = new AggregateWorkload(13, 100);
        w.produce(client, "unreadable-in", 5_000);
        WeirConfig config = config(broker, "unreadable-job", "unreadable-in", "unreadable-out");
        KeyedAggregate factory = new KeyedAggregate();
        try (RunningJob job = Weir.start(factory.create(config), config)) {
            AggregateWorkload.awaitOutput(client, "unreadable-out", w, Duration.ofSeconds(60));
            while (job.checkpoints().stream()
                            .filter(c -> c.status() == dev.weir.CheckpointStats.Status.COMPLETED)
                            .count()
                    < 2) {
                Thread.sleep(100);
            }
        }
        Path jobDir = dir.resolve("checkpoints").resolve("unreadable-job");
        List<Long> ids = checkpointIds(jobDir);
        assertThat(ids).hasSizeGreaterThanOrEqualTo(2);
        for (long id : ids) {
            Path metadata = jobDir.resolve("chk-" + id).resolve("_metadata");
            Files.write(metadata, java.util.Arrays.copyOf(Files.readAllBytes(metadata), 20));
        }

        RunningJob refused = Weir.start(factory.create(config), config);
        assertThat(refused.awaitTermination(Duration.ofSeconds(60)))
                .as("a start with only unreadable checkpoints ends")
                .isTrue();
        assertThat(refused.status()).isEqualTo(JobStatus.FAILED);
        Throwable why = refused.failure().orElseThrow();
        assertThat(why).isInstanceOf(dev.weir.UnrecoverableJobException.class);
        for (long id : ids) {
            assertThat(why.getMessage()).contains("checkpoint " + id + " at ");
        }
        assertThat(why.getMessage()).contains("checkpoint.allow-empty-start");
        for (long id : ids) {
            assertThat(jobDir.resolve("chk-" + id)).as("checkpoint %d left in place", id).exists();
        }

        WeirConfig allowed = config.with("checkpoint.allow-empty-start", "true");
        try (RunningJob job = Weir.start(factory.create(allowed), allowed)) {
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(job.restoredCheckpointId()).as("nothing restored").isEmpty();
        }
    }

    @Test
    void malformedRecordFailsTheJobNamingTopicPartitionAndOffset(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("bad-in", 1);
        client.createTopic("bad-out", 1);
        client.produce("bad-in", "k", "{\"amount\":1}");
        client.produce("bad-in", "k", "not json");
        WeirConfig config =
                config(broker, "bad-job", "bad-in", "bad-out").with("restart.strategy", "none");
        try (RunningJob job = Weir.start(new KeyedAggregate().create(config), config)) {
            assertThat(job.awaitTermination(Duration.ofSeconds(60))).isTrue();
            assertThat(job.status()).isEqualTo(JobStatus.FAILED);
            assertThat(job.failure().orElseThrow().getMessage())
                    .contains("topic bad-in, partition 0, offset 1")
                    .contains("not a JSON object");
        }
    }

    static long lastCompleted(RunningJob job) {
        return job.lastCompletedCheckpoint().map(c -> c.id()).orElse(0L);
    }

    static List<Long> checkpointIds(Path jobDir) throws IOException {
        try (Stream<Path> s = Files.list(jobDir)) {
            return s.filter(p -> Files.exists(p.resolve("_metadata")))
                    .map(p -> Long.parseLong(p.getFileName().toString().substring(4)))
                    .sorted()
                    .toList();
        }
    }

    static Path largestFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals("_metadata"))
                    .max(Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
    }

    static void flipByte(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long pos = f.length() / 2;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0xff);
        }
    }
}
