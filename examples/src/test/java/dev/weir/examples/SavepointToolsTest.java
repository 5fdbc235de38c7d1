package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.MetadataSerializer;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import dev.weir.tools.cli.SavepointTool;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The offline savepoint tools on savepoints and checkpoints of keyed-aggregate with exactly-once
 * output: rescaled savepoints resume and count every input exactly once, and every refusal writes
 * nothing and leaves the input as it was.
 */
@ExtendWith({KafkaExtension.class, dev.weir.testkit.S3Extension.class})
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SavepointToolsTest {
    @TempDir Path dir;

    private WeirConfig config(KafkaBroker broker, String job, String in, String out, int p) {
        return ExactlyOnceTest.config(broker, dir, job, in, out)
                .with("parallelism", String.valueOf(p))
                .with("savepoint.dir", dir.resolve("savepoints").toUri().toString());
    }

    /** Runs the tool; returns exit code, stdout and stderr. */
    private record Run(int code, String out, String err) {}

    private static Run tool(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SavepointTool.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run ok(String... args) {
        Run r = tool(args);
        assertThat(r.code()).as("exit code of %s; stderr: %s", List.of(args), r.err()).isZero();
        return r;
    }

    @Test
    void aSavepointRescaledToThreeThenToOneWithAnotherMaxParallelismResumesExactlyOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String job = "tools-rt";
        client.createTopic(job + "-in", 4);
        client.createTopic(job + "-out", 4);
        AggregateWorkload w = new AggregateWorkload(61, 500);
        KeyedAggregate factory = new KeyedAggregate();

        w.produce(client, job + "-in", 10_000);
        WeirConfig c2 = config(broker, job, job + "-in", job + "-out", 2);
        RunningJob p2 = Weir.start(factory.create(c2), c2);
        AggregateWorkload.awaitOutput(client, job + "-out", w, Duration.ofSeconds(60));
        String first = p2.stopWithSavepoint(null).get(60, TimeUnit.SECONDS);
        Map<Path, String> before = checksums(Path.of(URI.create(first)));

        Path three = dir.resolve("rescaled-3");
        Run r = ok("rescale", first, three.toString(), "--parallelism", "3");
        assertThat(r.out()).contains("key-group sections copied");
        assertThat(checksums(Path.of(URI.create(first))))
                .as("input after rescale")
                .isEqualTo(before);
        ok("verify", "--deep", three.toString());
        assertThat(metadata(three).operator("aggregate").orElseThrow().parallelism()).isEqualTo(3);

        w.produce(client, job + "-in", 6_000);
        WeirConfig c3 =
                config(broker, job, job + "-in", job + "-out", 3)
                        .with("savepoint.path", three.toUri().toString());
        RunningJob p3 = Weir.start(factory.create(c3), c3);
        AggregateWorkload.awaitOutput(client, job + "-out", w, Duration.ofSeconds(60));
        String second = p3.stopWithSavepoint(null).get(60, TimeUnit.SECONDS);
        assertThat(p3.status()).isEqualTo(JobStatus.STOPPED);

        Path one = dir.resolve("rescaled-1-256");
        r = ok("rescale", second, one.toString(), "--parallelism", "1", "--max-parallelism", "256");
        assertThat(r.out()).contains("keys re-hashed");
        ok("verify", "--deep", one.toString());
        assertThat(metadata(one).maxParallelism()).isEqualTo(256);

        w.produce(client, job + "-in", 6_000);
        WeirConfig c1 =
                config(broker, job, job + "-in", job + "-out", 1)
                        .with("max-parallelism", "256")
                        .with("savepoint.path", one.toUri().toString());
        try (RunningJob p1 = Weir.start(factory.create(c1), c1)) {
            assertThat(p1.status()).isEqualTo(JobStatus.RUNNING);
            w.assertExactlyOnce(
                    AggregateWorkload.awaitOutput(client, job + "-out", w, Duration.ofSeconds(60)));
        }
    }

    @Test
    void inspectDumpAndVerifyReportWhatTheSavepointHolds(KafkaBroker broker, KafkaTestClient client)
            throws Exception {
        String job = "tools-read";
        AggregateWorkload w = new AggregateWorkload(62, 50);
        String location = savepointOf(broker, client, job, w, 2_000);

        JsonNode json =
                JsonMapper.builder().build().readTree(ok("inspect", "-o", "json", location).out());
        assertThat(json.get("apiVersion").asString()).isEqualTo("weir/v1");
        assertThat(json.get("kind").asString()).isEqualTo("Savepoint");
        assertThat(json.get("job").asString()).isEqualTo(job);
        assertThat(json.get("maxParallelism").asInt()).isEqualTo(128);
        JsonNode aggregate = null;
        long offsets = 0;
        for (JsonNode op : json.get("operators")) {
            if (op.get("uid").asString().equals("aggregate")) {
                aggregate = op;
            }
            for (JsonNode o : op.get("sourcePositions")) {
                offsets += o.asLong();
            }
        }
        assertThat(offsets).as("source offsets in the savepoint").isEqualTo(2_000);
        assertThat(aggregate).isNotNull();
        assertThat(aggregate.get("parallelism").asInt()).isEqualTo(2);
        assertThat(aggregate.get("entries").asLong()).isEqualTo(w.expected.size());
        assertThat(aggregate.get("states").get(0).get("name").asString()).isEqualTo("totals");
        assertThat(ok("inspect", location).out()).contains("operator aggregate: parallelism 2");

        String key = w.expected.keySet().iterator().next();
        List<String> lines =
                ok("dump", location, "--operator", "aggregate", "--key", key)
                        .out()
                        .lines()
                        .toList();
        assertThat(lines).hasSize(1);
        JsonNode entry = JsonMapper.builder().build().readTree(lines.get(0));
        assertThat(entry.get("key").asString()).isEqualTo(key);
        assertThat(entry.get("state").asString()).isEqualTo("totals");
        ByteBuffer totals =
                ByteBuffer.wrap(
                        java.util.Base64.getDecoder()
                                .decode(entry.get("value").get("base64").asString()));
        assertThat(totals.getLong()).isEqualTo(w.expected.get(key)[0]);
        assertThat(totals.getLong()).isEqualTo(w.expected.get(key)[1]);
        assertThat(ok("dump", location, "--operator", "aggregate", "--limit", "7").out().lines())
                .hasSize(7);
        assertThat(ok("dump", location, "--operator", "aggregate").out().lines())
                .hasSize(w.expected.size());

        ok("verify", "--deep", location);
        Path kgs = Path.of(URI.create(location)).resolve("aggregate").resolve("1.kgs");
        byte[] bytes = Files.readAllBytes(kgs);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(kgs, bytes);
        Run damaged = tool("verify", location);
        assertThat(damaged.code()).isEqualTo(1);
        assertThat(damaged.err()).contains("1.kgs");
    }

    @Test
    void impossibleRequestsAreRefusedBeforeAnythingIsWrittenAndTheInputStaysAsItWas(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String job = "tools-refuse";
        AggregateWorkload w = new AggregateWorkload(63, 50);
        String location = savepointOf(broker, client, job, w, 1_000);
        Path input = Path.of(URI.create(location));
        Map<Path, String> before = checksums(input);

        Path out = dir.resolve("out");
        assertRefused(
                tool("rescale", location, out.toString(), "--parallelism", "129"),
                "--parallelism must be in [1, 128]");
        assertThat(out).doesNotExist();
        assertRefused(
                tool(
                        "rescale",
                        location,
                        out.toString(),
                        "--parallelism",
                        "4",
                        "--max-parallelism",
                        "2"),
                "--parallelism must be in [1, 2]");
        assertThat(out).doesNotExist();
        assertRefused(
                tool("rescale", location, input.resolve("inside").toString(), "--parallelism", "1"),
                "overlaps the input");
        assertThat(input.resolve("inside")).doesNotExist();
        Files.createDirectories(out);
        Files.writeString(out.resolve("something"), "x");
        assertRefused(
                tool("rescale", location, out.toString(), "--parallelism", "1"), "--overwrite");
        assertThat(out.resolve("_metadata")).doesNotExist();
        assertRefused(tool("dump", location, "--operator", "nope"), "no operator uid 'nope'");
        assertRefused(tool("inspect", dir.resolve("missing").toString()), "does not exist");

        // A checkpoint whose file is missing: a problem found before anything is written.
        Path copy = dir.resolve("copy");
        SavepointTest.copyTree(input, copy);
        Files.delete(copy.resolve("aggregate").resolve("0.kgs"));
        Path out2 = dir.resolve("out2");
        Run missing = tool("rescale", copy.toString(), out2.toString(), "--parallelism", "3");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("0.kgs");
        assertThat(out2.resolve("_metadata")).doesNotExist();

        // An unknown format version is rejected by number.
        Path future = dir.resolve("future");
        SavepointTest.copyTree(input, future);
        byte[] m = Files.readAllBytes(future.resolve("_metadata"));
        ByteBuffer.wrap(m).putInt(8, 99);
        Files.write(future.resolve("_metadata"), m);
        Run unknown = tool("inspect", future.toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("version 99");

        assertThat(checksums(input)).as("input after every refusal").isEqualTo(before);
    }

    @Test
    void aKilledJobsRetainedCheckpointRescaledOfflineResumesAForkExactlyOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String a = "tools-ckpt";
        String b = "tools-ckpt-fork";
        client.createTopic(a + "-in", 4);
        client.createTopic(a + "-out", 4);
        client.createTopic(b + "-out", 4);
        AggregateWorkload w = new AggregateWorkload(64, 400);
        w.produce(client, a + "-in", 12_000);
        Map<String, String> settings =
                AggregateJobProcess.exactlyOnceSettings(broker, dir, a, a + "-in", a + "-out");
        try (AggregateJobProcess killed =
                AggregateJobProcess.start(
                        dir.resolve("a.log"), java.util.Optional.empty(), settings)) {
            killed.awaitLog("attempt 1 running", Duration.ofSeconds(45));
            AggregateWorkload.awaitOutput(client, a + "-out", w, Duration.ofSeconds(60));
            assertThat(killed.kill()).isEqualTo(AggregateJobProcess.KILLED);
        }
        long committed = ExactlyOnceCrashTest.checkpointInGroup(client, a);
        Path chk = dir.resolve("checkpoints").resolve(a).resolve("chk-" + committed);
        Map<Path, String> before = checksums(dir.resolve("checkpoints").resolve(a));
        List<ConsumerRecord<String, String>> outA =
                client.readAllCommitted(a + "-out", Duration.ofSeconds(30));

        Path rescaled = dir.resolve("from-checkpoint-3");
        ok("rescale", chk.toString(), rescaled.toString(), "--parallelism", "3");
        ok("verify", "--deep", chk.toString());
        ok("verify", "--deep", rescaled.toString());
        assertThat(checksums(dir.resolve("checkpoints").resolve(a)))
                .as("the checkpoint directory after the tools read it")
                .isEqualTo(before);

        w.produce(client, a + "-in", 4_000);
        WeirConfig fork =
                config(broker, b, a + "-in", b + "-out", 3)
                        .with("savepoint.path", rescaled.toUri().toString());
        try (RunningJob job = Weir.start(new KeyedAggregate().create(fork), fork)) {
            assertThat(job.restoredCheckpointId()).contains(committed);
            w.assertExactlyOnce(
                    AggregateWorkload.awaitOutputAfter(
                            client, outA, b + "-out", w, Duration.ofSeconds(60)));
        }
    }

    /** Input and output on S3 (S3Proxy), with the job's own s3.* settings passed by --set. */
    @Test
    void aSavepointOnS3IsRescaledIntoS3AndResumes(
            KafkaBroker broker, KafkaTestClient client, dev.weir.testkit.S3Server s3)
            throws Exception {
        String job = "tools-s3";
        s3.createBucket("tools");
        client.createTopic(job + "-in", 2);
        client.createTopic(job + "-out", 2);
        AggregateWorkload w = new AggregateWorkload(65, 200);
        w.produce(client, job + "-in", 4_000);
        WeirConfig c = config(broker, job, job + "-in", job + "-out", 2);
        for (Map.Entry<String, String> e : s3.clientConfig().entrySet()) {
            c = c.with(e.getKey(), e.getValue());
        }
        c = c.with("savepoint.dir", "s3://tools/savepoints");
        String location;
        try (RunningJob j = Weir.start(new KeyedAggregate().create(c), c)) {
            AggregateWorkload.awaitOutput(client, job + "-out", w, Duration.ofSeconds(60));
            location = j.stopWithSavepoint(null).get(60, TimeUnit.SECONDS);
        }
        assertThat(location).startsWith("s3://tools/savepoints/");
        List<String> args = new ArrayList<>();
        s3.clientConfig().forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        String target = "s3://tools/rescaled/" + job;
        List<String> rescale =
                new ArrayList<>(List.of("rescale", location, target, "--parallelism", "3"));
        rescale.addAll(args);
        ok(rescale.toArray(String[]::new));
        List<String> verify = new ArrayList<>(List.of("verify", "--deep", target));
        verify.addAll(args);
        assertThat(ok(verify.toArray(String[]::new)).out()).contains("OK: s3://tools/rescaled/");

        w.produce(client, job + "-in", 2_000);
        WeirConfig c3 = c.with("parallelism", "3").with("savepoint.path", target);
        try (RunningJob j = Weir.start(new KeyedAggregate().create(c3), c3)) {
            w.assertExactlyOnce(
                    AggregateWorkload.awaitOutput(client, job + "-out", w, Duration.ofSeconds(60)));
        }
    }

    /**
     * The tool killed at the last moment — every data file written, {@code _metadata} not yet —
     * leaves nothing a job restores.
     */
    @Test
    void aRescaleKilledBeforeItsMetadataLeavesNothingThatRestores(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String job = "tools-kill";
        AggregateWorkload w = new AggregateWorkload(66, 100);
        String location = savepointOf(broker, client, job, w, 2_000);
        Path target = dir.resolve("half-written");
        Process tool =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx256m",
                                "-Dweir.test.crash-at=rescale.before-metadata:*",
                                "-cp",
                                dev.weir.testkit.ChildClasspath.ofThisJvm(),
                                SavepointTool.class.getName(),
                                "rescale",
                                location,
                                target.toString(),
                                "--parallelism",
                                "3")
                        .redirectErrorStream(true)
                        .start();
        String output = new String(tool.getInputStream().readAllBytes());
        assertThat(tool.waitFor()).as("exit code of the halted tool: %s", output).isEqualTo(137);
        try (Stream<Path> files = Files.walk(target)) {
            assertThat(files.filter(p -> p.toString().endsWith(".kgs")).count())
                    .as("data files written before the halt")
                    .isEqualTo(3);
        }
        assertThat(target.resolve("_metadata")).doesNotExist();
        assertThat(tool("inspect", target.toString()).code()).isEqualTo(2);
        WeirConfig resume =
                config(broker, job + "-fork", job + "-in", job + "-fork-out", 3)
                        .with("savepoint.path", target.toUri().toString());
        RunningJob refused = Weir.start(new KeyedAggregate().create(resume), resume);
        assertThat(refused.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(refused.failure().orElseThrow()).hasMessageContaining("does not exist");
    }

    @Test
    void planGivesEachVerdictAndTheExitCodeOfTheUpgrade(KafkaBroker broker, KafkaTestClient client)
            throws Exception {
        String job = "tools-plan";
        AggregateWorkload w = new AggregateWorkload(67, 20);
        String location = savepointOf(broker, client, job, w, 200);
        String[] topics = {"--set", "input.topic=" + job + "-in", "--set", "output.topic=x"};

        Run same = plan(location, "same", topics);
        assertThat(same.code()).as(same.err()).isZero();
        assertThat(same.out()).contains("aggregate").contains("totals").contains("MATCHED");
        assertThat(plan(location, "added", topics))
                .satisfies(r -> assertThat(r.code()).isZero())
                .satisfies(r -> assertThat(r.out()).contains("last-seen").contains("STATE_ADDED"));
        assertThat(plan(location, "dropped", topics).out())
                .contains("STATE_DROPPED")
                .contains("STATE_ADDED");
        Run migrating = plan(location, "migrating", topics);
        assertThat(migrating.code()).isZero();
        assertThat(migrating.out()).contains("SCHEMA_COMPATIBLE");
        Run renamed = plan(location, "renamed", topics);
        assertThat(renamed.code()).isEqualTo(3);
        assertThat(renamed.out()).contains("MISSING").contains("aggregate-v2").contains("NEW");
        assertThat(
                        plan(
                                        location,
                                        "renamed",
                                        topics[0],
                                        topics[1],
                                        topics[2],
                                        topics[3],
                                        "--set",
                                        "savepoint.allow-non-restored-state=true")
                                .code())
                .isZero();
        Run asList = plan(location, "as-list", topics);
        assertThat(asList.code()).isEqualTo(4);
        assertThat(asList.out()).contains("SCHEMA_INCOMPATIBLE").contains("declared as list");
        assertThat(plan(location, "new-schema", topics).code()).isEqualTo(4);
        Run keyGroups =
                plan(
                        location,
                        "same",
                        topics[0],
                        topics[1],
                        topics[2],
                        topics[3],
                        "--set",
                        "max-parallelism=256");
        assertThat(keyGroups.code()).isEqualTo(4);
        assertThat(keyGroups.out()).contains("--max-parallelism 256");

        JsonNode json =
                JsonMapper.builder()
                        .build()
                        .readTree(
                                plan(
                                                location, "renamed", topics[0], topics[1],
                                                topics[2], topics[3], "-o", "json")
                                        .out());
        assertThat(json.get("exitCode").asInt()).isEqualTo(3);
        assertThat(json.get("rows").size()).isGreaterThan(2);
    }

    private static Run plan(String location, String variant, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "plan",
                                location,
                                "--job",
                                PlanVariants.class.getName(),
                                "--set",
                                "plan.variant=" + variant));
        args.addAll(List.of(more));
        return tool(args.toArray(String[]::new));
    }

    /**
     * Runs keyed-aggregate (exactly-once, parallelism 2) over {@code records} inputs of {@code w}
     * until its output is complete, and returns the location of a savepoint taken then.
     */
    private String savepointOf(
            KafkaBroker broker,
            KafkaTestClient client,
            String job,
            AggregateWorkload w,
            int records)
            throws Exception {
        client.createTopic(job + "-in", 2);
        client.createTopic(job + "-out", 2);
        w.produce(client, job + "-in", records);
        WeirConfig c = config(broker, job, job + "-in", job + "-out", 2);
        try (RunningJob j = Weir.start(new KeyedAggregate().create(c), c)) {
            AggregateWorkload.awaitOutput(client, job + "-out", w, Duration.ofSeconds(60));
            return j.triggerSavepoint(null).get(60, TimeUnit.SECONDS);
        }
    }

    private static void assertRefused(Run r, String message) {
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message);
    }

    private static CheckpointMetadata metadata(Path savepoint) throws IOException {
        return MetadataSerializer.deserialize(Files.readAllBytes(savepoint.resolve("_metadata")));
    }

    /** SHA-256 of every file under {@code root}. */
    static Map<Path, String> checksums(Path root) throws Exception {
        Map<Path, String> sums = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                sums.put(
                        root.relativize(p),
                        HexFormat.of()
                                .formatHex(
                                        MessageDigest.getInstance("SHA-256")
                                                .digest(Files.readAllBytes(p))));
            }
        }
        return sums;
    }
}
