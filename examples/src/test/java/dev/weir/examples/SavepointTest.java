package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.UnrecoverableJobException;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.MetadataSerializer;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Savepoints: stop, resume at another parallelism, copy, fork — with exactly-once output. */
@ExtendWith(KafkaExtension.class)
class SavepointTest {
    @TempDir Path dir;

    private WeirConfig config(KafkaBroker broker, String job, String out, int parallelism) {
        return ExactlyOnceTest.config(broker, dir, job, "sp-in", out)
                .with("parallelism", String.valueOf(parallelism))
                .with("savepoint.dir", dir.resolve("savepoints").toUri().toString());
    }

    private static String stop(RunningJob job) throws Exception {
        String location = job.stopWithSavepoint(null).get(60, TimeUnit.SECONDS);
        assertThat(job.status()).isEqualTo(JobStatus.STOPPED);
        return location;
    }

    @Test
    void stopWithSavepointAndResumeAtThreeThenOneSubtasksCountsEveryInputExactlyOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("sp-in", 4);
        client.createTopic("sp-out", 4);
        AggregateWorkload w = new AggregateWorkload(23, 600);
        KeyedAggregate factory = new KeyedAggregate();

        w.produce(client, "sp-in", 15_000);
        RunningJob p2 =
                Weir.start(
                        factory.create(config(broker, "sp-job", "sp-out", 2)),
                        config(broker, "sp-job", "sp-out", 2));
        AggregateWorkload.awaitOutput(client, "sp-out", w, Duration.ofSeconds(60));
        String first = stop(p2);
        CheckpointMetadata sp = metadataOf(first);
        assertThat(sp.kind()).isEqualTo(CheckpointMetadata.Kind.SAVEPOINT);
        assertThat(sp.operator("aggregate").orElseThrow().parallelism()).isEqualTo(2);

        w.produce(client, "sp-in", 10_000);
        WeirConfig c3 = config(broker, "sp-job", "sp-out", 3).with("savepoint.path", first);
        RunningJob p3 = Weir.start(factory.create(c3), c3);
        AggregateWorkload.awaitOutput(client, "sp-out", w, Duration.ofSeconds(60));
        String second = stop(p3);

        w.produce(client, "sp-in", 10_000);
        WeirConfig c1 = config(broker, "sp-job", "sp-out", 1).with("savepoint.path", second);
        try (RunningJob p1 = Weir.start(factory.create(c1), c1)) {
            w.assertExactlyOnce(
                    AggregateWorkload.awaitOutput(client, "sp-out", w, Duration.ofSeconds(60)));
        }
    }

    @Test
    void aSavepointCopiedElsewhereResumesAForkUnderAnotherNameAtAnotherParallelism(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("fork-in", 4);
        client.createTopic("fork-out-a", 4);
        client.createTopic("fork-out-b", 4);
        AggregateWorkload w = new AggregateWorkload(29, 400);
        w.produce(client, "fork-in", 12_000);
        KeyedAggregate factory = new KeyedAggregate();
        WeirConfig a =
                ExactlyOnceTest.config(broker, dir, "fork-a", "fork-in", "fork-out-a")
                        .with("savepoint.dir", dir.resolve("savepoints").toUri().toString());
        String location;
        try (RunningJob job = Weir.start(factory.create(a), a)) {
            AggregateWorkload.awaitOutput(client, "fork-out-a", w, Duration.ofSeconds(60));
            location = job.triggerSavepoint(null).get(60, TimeUnit.SECONDS);
        }
        Path copy = dir.resolve("elsewhere").resolve("my-savepoint");
        copyTree(Path.of(URI.create(location)), copy);
        deleteTree(Path.of(URI.create(location)));

        // The fork resumes the savepoint's state and offsets under another name, into another
        // topic: each key touched after the savepoint continues from its count there.
        w.produce(client, "fork-in", 6_000);
        WeirConfig b =
                ExactlyOnceTest.config(broker, dir, "fork-b", "fork-in", "fork-out-b")
                        .with("parallelism", "3")
                        .with("savepoint.path", copy.toUri().toString());
        try (RunningJob job = Weir.start(factory.create(b), b)) {
            assertThat(job.restoredCheckpointId()).isPresent();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            java.util.Map<String, String> last = java.util.Map.of();
            while (System.nanoTime() < deadline) {
                last =
                        AggregateWorkload.lastValues(
                                client.readAllCommitted("fork-out-b", Duration.ofSeconds(30)));
                if (last.keySet().equals(w.lastKeys)) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(last.keySet()).isEqualTo(w.lastKeys);
            for (String key : w.lastKeys) {
                long[] e = w.expected.get(key);
                assertThat(last.get(key))
                        .as("fork's final value of %s", key)
                        .isEqualTo(AggregateWorkload.value(e[0], e[1]));
            }
        }
    }

    @Test
    void stateOfARemovedOperatorFailsTheResumeUnlessAllowedAndANewOperatorStartsEmpty(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("up-in", 2);
        client.createTopic("up-out", 2);
        AggregateWorkload w = new AggregateWorkload(31, 100);
        w.produce(client, "up-in", 3_000);
        WeirConfig v1 =
                ExactlyOnceTest.config(broker, dir, "up-v1", "up-in", "up-out")
                        .with("savepoint.dir", dir.resolve("savepoints").toUri().toString());
        String location;
        try (RunningJob job = Weir.start(new KeyedAggregate().create(v1), v1)) {
            AggregateWorkload.awaitOutput(client, "up-out", w, Duration.ofSeconds(60));
            location = job.triggerSavepoint(null).get(60, TimeUnit.SECONDS);
        }
        // Version 2 renamed the aggregating operator: its old state has nowhere to go.
        WeirConfig v2 =
                ExactlyOnceTest.config(broker, dir, "up-v2", "up-in", "up-out-2")
                        .with("savepoint.path", location);
        client.createTopic("up-out-2", 2);
        RunningJob refused = Weir.start(renamed(v2), v2);
        assertThat(refused.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(refused.failure().orElseThrow())
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("[aggregate]")
                .hasMessageContaining("savepoint.allow-non-restored-state");

        WeirConfig allowed = v2.with("savepoint.allow-non-restored-state", "true");
        String known = w.expected.keySet().iterator().next();
        try (RunningJob job = Weir.start(renamed(allowed), allowed)) {
            assertThat(job.restoredCheckpointId()).isPresent();
            client.produce("up-in", known, "{\"amount\":5}");
            // The new operator starts empty: a key counted before counts from 1 again; the
            // source resumed at the savepoint's offsets, so only the new record arrives.
            var out = client.consumeReadCommitted("up-out-2", 1, Duration.ofSeconds(60));
            assertThat(out).hasSize(1);
            assertThat(out.get(0).key()).isEqualTo(known);
            assertThat(out.get(0).value()).isEqualTo("{\"count\":1,\"sum\":5}");
        }
    }

    /** keyed-aggregate whose aggregating operator got a new uid in a later version. */
    private static dev.weir.Job renamed(WeirConfig c) {
        dev.weir.JobBuilder b = dev.weir.Job.builder();
        b.source(
                        "input",
                        dev.weir.kafka.KafkaSource.of(
                                java.util.List.of(c.get(KeyedAggregate.INPUT_TOPIC)),
                                dev.weir.Serdes.string(),
                                new AmountSerde()))
                .keyBy(dev.weir.Serdes.string())
                .process("aggregate-v2", KeyedAggregate.Aggregate::new)
                .sink(
                        "output",
                        dev.weir.kafka.KafkaSink.of(
                                c.get(KeyedAggregate.OUTPUT_TOPIC),
                                dev.weir.Serdes.string(),
                                KeyedAggregate.Totals.JSON));
        return b.build();
    }

    private static CheckpointMetadata metadataOf(String location) throws IOException {
        return MetadataSerializer.deserialize(
                Files.readAllBytes(Path.of(URI.create(location)).resolve("_metadata")));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
