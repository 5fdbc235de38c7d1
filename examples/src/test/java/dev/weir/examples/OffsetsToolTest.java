package dev.weir.examples;

import static dev.weir.examples.ToolRun.ok;
import static dev.weir.examples.ToolRun.tool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code weir savepoint offsets show|reset} on savepoints and checkpoints of keyed-aggregate with
 * exactly-once output: a savepoint moved one record ahead resumes a fork that never counts that
 * record and counts every other input exactly once; plans come from the broker where the scenario
 * needs it, write nothing, and refusals leave the source as it was.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OffsetsToolTest {
    @TempDir Path dir;

    private WeirConfig config(KafkaBroker broker, String job, String in, String out) {
        return ExactlyOnceTest.config(broker, dir, job, in, out)
                .with("savepoint.dir", dir.resolve("savepoints").toUri().toString());
    }

    @Test
    void aSavepointShiftedOneRecordOnOnePartitionResumesAForkThatNeverCountsThatRecord(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String a = "offsets-skip";
        String b = "offsets-skip-fork";
        String in = a + "-in";
        client.createTopic(in, 2);
        client.createTopic(a + "-out", 2);
        client.createTopic(b + "-out", 2);
        AggregateWorkload w = new AggregateWorkload(71, 50);
        w.produce(client, in, 2_000);
        WeirConfig ca = config(broker, a, in, a + "-out");
        String savepoint;
        try (RunningJob job = Weir.start(new KeyedAggregate().create(ca), ca)) {
            AggregateWorkload.awaitOutput(client, a + "-out", w, Duration.ofSeconds(60));
            savepoint = job.stopWithSavepoint(null).get(60, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, String>> outA =
                client.readAllCommitted(a + "-out", Duration.ofSeconds(30));
        w.produce(client, in, 1_000);

        Map<String, Long> before = positions(ok("offsets", "show", "-o", "json", savepoint));
        assertThat(before).containsOnlyKeys(in + ":0", in + ":1");
        assertThat(before.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2_000);
        long skipped = before.get(in + ":0");
        ConsumerRecord<String, String> record = recordAt(client, in, 0, skipped);

        Path dst = dir.resolve("one-ahead");
        ToolRun plan =
                ok(
                        "offsets",
                        "reset",
                        savepoint,
                        dst.toString(),
                        "--topic",
                        in + ":0",
                        "--shift-by",
                        "1");
        assertThat(plan.out())
                .containsPattern(in + "\\s+0\\s+" + skipped + "\\s+" + (skipped + 1))
                .contains("nothing written");
        assertThat(plan.out().lines().filter(l -> l.startsWith(in))).hasSize(1);
        JsonNode json =
                ok(
                                "offsets",
                                "reset",
                                savepoint,
                                dst.toString(),
                                "--topic",
                                in + ":0",
                                "--shift-by",
                                "1",
                                "-o",
                                "json")
                        .json();
        assertThat(json.get("apiVersion").asString()).isEqualTo("weir/v1");
        assertThat(json.get("executed").asBoolean()).isFalse();
        assertThat(json.get("scenario").asString()).isEqualTo("--shift-by 1");
        assertThat(json.get("partitions")).hasSize(1);
        JsonNode change = json.get("partitions").get(0);
        assertThat(change.get("topic").asString()).isEqualTo(in);
        assertThat(change.get("partition").asInt()).isZero();
        assertThat(change.get("current").asLong()).isEqualTo(skipped);
        assertThat(change.get("newOffset").asLong()).isEqualTo(skipped + 1);
        assertThat(dst).as("a plan writes nothing").doesNotExist();

        Map<Path, String> source = SavepointToolsTest.checksums(Path.of(URI.create(savepoint)));
        ToolRun done =
                ok(
                        "offsets",
                        "reset",
                        savepoint,
                        dst.toString(),
                        "--topic",
                        in + ":0",
                        "--shift-by",
                        "1",
                        "--execute");
        List<String> lines = done.out().lines().toList();
        assertThat(lines.get(lines.size() - 1)).as("the location, last").contains(dst.toString());
        assertThat(SavepointToolsTest.checksums(Path.of(URI.create(savepoint))))
                .as("the source after the reset")
                .isEqualTo(source);
        ok("verify", "--deep", dst.toString());
        Map<String, Long> after = positions(ok("offsets", "show", "-o", "json", dst.toString()));
        assertThat(after).containsEntry(in + ":0", skipped + 1);
        assertThat(after).containsEntry(in + ":1", before.get(in + ":1"));

        // The fork never sees the skipped record: its key ends one count and that amount short.
        long[] e = w.expected.get(record.key());
        e[0]--;
        e[1] -= amountOf(record.value());
        WeirConfig cb =
                config(broker, b, in, b + "-out").with("savepoint.path", dst.toUri().toString());
        try (RunningJob fork = Weir.start(new KeyedAggregate().create(cb), cb)) {
            List<ConsumerRecord<String, String>> all = awaitCombined(client, outA, b + "-out", w);
            w.assertExactlyOnce(all);
        }
    }

    @Test
    void clusterScenariosPlanFromTheBrokerOfflineOnesWithoutItAndRefusalsWriteNothing(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String job = "offsets-plan";
        String in = job + "-in";
        client.createTopic(in, 2);
        client.createTopic(job + "-out", 2);
        AggregateWorkload w = new AggregateWorkload(72, 40);
        w.produce(client, in, 600);
        WeirConfig c = config(broker, job, in, job + "-out");
        String savepoint;
        try (RunningJob j = Weir.start(new KeyedAggregate().create(c), c)) {
            AggregateWorkload.awaitOutput(client, job + "-out", w, Duration.ofSeconds(60));
            savepoint = j.stopWithSavepoint(null).get(60, TimeUnit.SECONDS);
        }
        Thread.sleep(50);
        Instant between = Instant.now();
        Thread.sleep(50);
        w.produce(client, in, 400);
        Map<String, Long> at = positions(ok("offsets", "show", "-o", "json", savepoint));
        Map<String, Long> ends = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            TopicPartition tp = new TopicPartition(in, p);
            ends.put(
                    in + ":" + p,
                    client.admin()
                            .listOffsets(Map.of(tp, OffsetSpec.latest()))
                            .partitionResult(tp)
                            .get(30, TimeUnit.SECONDS)
                            .offset());
        }
        assertThat(ends.get(in + ":0") + ends.get(in + ":1")).isEqualTo(1_000);
        Path src = Path.of(URI.create(savepoint));
        Map<Path, String> before = SavepointToolsTest.checksums(src);
        String dst = dir.resolve("never").toString();
        String servers = broker.bootstrapServers();

        assertThat(
                        planned(
                                savepoint,
                                dst,
                                "--all-topics",
                                "--to-earliest",
                                "--bootstrap-servers",
                                servers))
                .isEqualTo(Map.of(in + ":0", 0L, in + ":1", 0L));
        assertThat(
                        planned(
                                savepoint,
                                dst,
                                "--topic",
                                in,
                                "--to-latest",
                                "--bootstrap-servers",
                                servers))
                .isEqualTo(ends);
        String local =
                LocalDateTime.ofInstant(between, ZoneId.systemDefault())
                        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS"));
        assertThat(
                        planned(
                                savepoint,
                                dst,
                                "--topic",
                                in,
                                "--to-datetime",
                                local,
                                "--bootstrap-servers",
                                servers))
                .as("the first records after %s are those after the savepoint", local)
                .isEqualTo(at);
        assertThat(
                        planned(
                                savepoint,
                                dst,
                                "--topic",
                                in,
                                "--to-datetime",
                                between.toString(),
                                "--bootstrap-servers",
                                servers))
                .isEqualTo(at);
        assertThat(
                        planned(
                                savepoint,
                                dst,
                                "--topic",
                                in,
                                "--by-duration",
                                "PT1H",
                                "--bootstrap-servers",
                                servers))
                .isEqualTo(Map.of(in + ":0", 0L, in + ":1", 0L));
        assertThat(planned(savepoint, dst, "--topic", in + ":1", "--to-offset", "5"))
                .isEqualTo(Map.of(in + ":1", 5L));
        assertThat(planned(savepoint, dst, "--topic", in, "--shift-by", "-10"))
                .isEqualTo(
                        Map.of(
                                in + ":0",
                                at.get(in + ":0") - 10,
                                in + ":1",
                                at.get(in + ":1") - 10));
        ToolRun clamped =
                ok(
                        "offsets",
                        "reset",
                        savepoint,
                        dst,
                        "--topic",
                        in + ":0",
                        "--to-offset",
                        "999999",
                        "--bootstrap-servers",
                        servers);
        assertThat(clamped.out())
                .contains("beyond the latest offset: set to " + ends.get(in + ":0"));
        Path csv = Files.writeString(dir.resolve("offsets.csv"), in + ",0,3\n\n" + in + ",1,4\n");
        assertThat(planned(savepoint, dst, "--from-file", csv.toString()))
                .isEqualTo(Map.of(in + ":0", 3L, in + ":1", 4L));

        tool("offsets", "reset", savepoint, dst, "--topic", in + ":7", "--to-offset", "1")
                .refused("no position for " + in + ":7; it has " + in + " partitions 0,1");
        tool("offsets", "reset", savepoint, dst, "--topic", "nope", "--to-offset", "1")
                .refused("no position for topic 'nope'");
        tool("offsets", "reset", savepoint, dst, "--topic", in, "--to-earliest")
                .refused("--bootstrap-servers");
        tool("offsets", "reset", savepoint, dst, "--topic", in).refused("--to-earliest");
        tool(
                        "offsets",
                        "reset",
                        savepoint,
                        dst,
                        "--topic",
                        in,
                        "--to-offset",
                        "1",
                        "--shift-by",
                        "1")
                .refused("mutually exclusive");
        tool(
                        "offsets",
                        "reset",
                        savepoint,
                        src.resolve("inside").toString(),
                        "--topic",
                        in,
                        "--to-offset",
                        "1",
                        "--execute")
                .refused("overlaps the input");
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("something"), "x");
        tool(
                        "offsets",
                        "reset",
                        savepoint,
                        full.toString(),
                        "--topic",
                        in,
                        "--to-offset",
                        "1",
                        "--execute")
                .refused("--overwrite");
        assertThat(full.resolve("_metadata")).doesNotExist();
        assertThat(Path.of(dst)).doesNotExist();
        assertThat(SavepointToolsTest.checksums(src))
                .as("the source after it all")
                .isEqualTo(before);

        // A retained checkpoint is written as a savepoint, its state rewritten, offsets moved.
        Path chk = newestCheckpoint(dir.resolve("checkpoints").resolve(job));
        Path fromChk = dir.resolve("from-checkpoint");
        ok(
                "offsets",
                "reset",
                chk.toString(),
                fromChk.toString(),
                "--topic",
                in + ":1",
                "--to-offset",
                "7",
                "--execute");
        ok("verify", "--deep", fromChk.toString());
        JsonNode shown = ok("offsets", "show", "-o", "json", fromChk.toString()).json();
        assertThat(shown.get("kind").asString()).isEqualTo("Savepoint");
        assertThat(positions(shown)).isEqualTo(Map.of(in + ":0", at.get(in + ":0"), in + ":1", 7L));
    }

    /** The new offsets of a plan (-o json), by split id. */
    private static Map<String, Long> planned(String src, String dst, String... args) {
        List<String> all = new ArrayList<>(List.of("offsets", "reset", src, dst, "-o", "json"));
        all.addAll(List.of(args));
        JsonNode json = ok(all.toArray(String[]::new)).json();
        assertThat(json.get("executed").asBoolean()).isFalse();
        Map<String, Long> out = new HashMap<>();
        for (JsonNode c : json.get("partitions")) {
            out.put(
                    c.get("topic").asString() + ":" + c.get("partition").asInt(),
                    c.get("newOffset").asLong());
        }
        return out;
    }

    private static Map<String, Long> positions(ToolRun shown) {
        return positions(shown.json());
    }

    private static Map<String, Long> positions(JsonNode shown) {
        Map<String, Long> out = new HashMap<>();
        for (JsonNode p : shown.get("positions")) {
            assertThat(p.get("topic").asString() + ":" + p.get("partition").asInt())
                    .isEqualTo(p.get("split").asString());
            out.put(p.get("split").asString(), p.get("offset").asLong());
        }
        return out;
    }

    private static ConsumerRecord<String, String> recordAt(
            KafkaTestClient client, String topic, int partition, long offset) {
        return client.readAllCommitted(topic, Duration.ofSeconds(30)).stream()
                .filter(r -> r.partition() == partition && r.offset() == offset)
                .findFirst()
                .orElseThrow(
                        () ->
                                new AssertionError(
                                        "no record at "
                                                + topic
                                                + ":"
                                                + partition
                                                + " offset "
                                                + offset));
    }

    private static long amountOf(String value) {
        int start = value.indexOf("\"amount\":") + 9;
        return Long.parseLong(value.substring(start, value.indexOf('}', start)));
    }

    /** The newest chk-n with _metadata under a job's checkpoint directory. */
    static Path newestCheckpoint(Path jobDir) throws Exception {
        try (Stream<Path> s = Files.list(jobDir)) {
            return s.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max((x, y) -> Long.compare(id(x), id(y)))
                    .orElseThrow();
        }
    }

    private static long id(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring(4));
    }

    /** Output of the first job plus the fork's, read until it is complete (or 60 s passed). */
    static List<ConsumerRecord<String, String>> awaitCombined(
            KafkaTestClient client,
            List<ConsumerRecord<String, String>> first,
            String forkTopic,
            AggregateWorkload w)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<ConsumerRecord<String, String>> all = new ArrayList<>(first);
        while (System.nanoTime() < deadline) {
            all = new ArrayList<>(first);
            all.addAll(client.readAllCommitted(forkTopic, Duration.ofSeconds(30)));
            if (w.isComplete(all)) {
                break;
            }
            Thread.sleep(500);
        }
        return all;
    }
}
