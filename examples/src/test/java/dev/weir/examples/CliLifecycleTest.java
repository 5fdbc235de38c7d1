package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.launcher.WeirMain;
import dev.weir.testkit.ChildClasspath;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle a user drives from the command line: run, trigger a savepoint, stop with a
 * savepoint, resume at another parallelism — through the job's REST endpoint and {@code weir
 * savepoint}.
 */
@ExtendWith(KafkaExtension.class)
class CliLifecycleTest {
    @TempDir Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process weir(Path log, String... args) throws IOException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx384m",
                                "-Dlog4j2.configurationFile=weir-log4j2.xml",
                                "-cp",
                                ChildClasspath.ofThisJvm(),
                                WeirMain.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private Process runJob(KafkaBroker broker, int port, int parallelism, String... extra)
            throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "run",
                                "keyed-aggregate",
                                "--set",
                                "bootstrap.servers=" + broker.bootstrapServers(),
                                "--set",
                                "job.name=cli-job",
                                "--set",
                                "input.topic=cli-in",
                                "--set",
                                "output.topic=cli-out",
                                "--set",
                                "parallelism=" + parallelism,
                                "--set",
                                "checkpoint.dir=" + dir.resolve("checkpoints").toUri(),
                                "--set",
                                "checkpoint.interval.ms=500",
                                "--set",
                                "state.local-dir=" + dir.resolve("state"),
                                "--set",
                                "sink.delivery=exactly-once",
                                "--set",
                                "job.lock.session-timeout.ms=6000",
                                "--set",
                                "source.start=earliest",
                                "--set",
                                "savepoint.dir=" + dir.resolve("savepoints").toUri(),
                                "--set",
                                "rest.port=" + port,
                                "--set",
                                "rest.auth.token-file=" + tokenFile()));
        args.addAll(List.of(extra));
        return weir(dir.resolve("job.log"), args.toArray(String[]::new));
    }

    private static String awaitStatus(int port, String contains) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            try {
                body =
                        http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://127.0.0.1:"
                                                                        + port
                                                                        + "/status"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                if (body.contains(contains)) {
                    return body;
                }
            } catch (IOException notYet) {
                // The job is still starting.
            }
            Thread.sleep(200);
        }
        throw new AssertionError("status never contained " + contains + ": " + body);
    }

    /** The job's REST token, in a file both the job and the CLI read. */
    private Path tokenFile() throws IOException {
        Path file = dir.resolve("rest-token");
        if (!Files.exists(file)) {
            Files.writeString(file, "cli-test-token\n", StandardCharsets.UTF_8);
        }
        return file;
    }

    /** Runs {@code weir savepoint …} with the token and returns the last line it printed. */
    private String savepointCli(String... args) throws Exception {
        List<String> withToken = new ArrayList<>(List.of(args));
        withToken.addAll(List.of("--token-file", tokenFile().toString()));
        List<String> lines = savepointCliLines(0, withToken.toArray(String[]::new));
        return lines.get(lines.size() - 1).trim();
    }

    /** Runs {@code weir savepoint …}, expects {@code exitCode}, returns what it printed. */
    private List<String> savepointCliLines(int exitCode, String... args) throws Exception {
        Path log = dir.resolve("cli-" + System.nanoTime() + ".log");
        Process p = weir(log, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("weir savepoint output: %s", lines).isEqualTo(exitCode);
        return lines;
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void runTriggerStopWithSavepointAndResumeAtAnotherParallelismFromTheCommandLine(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("cli-in", 4);
        client.createTopic("cli-out", 4);
        AggregateWorkload w = new AggregateWorkload(37, 300);
        w.produce(client, "cli-in", 10_000);
        int port = freePort();
        Process job = runJob(broker, port, 2);
        awaitStatus(port, "\"status\":\"RUNNING\"");
        AggregateWorkload.awaitOutput(client, "cli-out", w, Duration.ofSeconds(60));

        List<String> refused =
                savepointCliLines(1, "savepoint", "trigger", "--url", "http://127.0.0.1:" + port);
        assertThat(String.join("\n", refused)).contains("bearer token").contains("--token-file");
        String triggered =
                savepointCli(
                        "savepoint",
                        "trigger",
                        "--url",
                        "http://127.0.0.1:" + port,
                        "--timeout",
                        "90s");
        assertThat(Path.of(URI.create(triggered)).resolve("_metadata")).exists();
        assertThat(job.isAlive()).isTrue();

        w.produce(client, "cli-in", 5_000);
        AggregateWorkload.awaitOutput(client, "cli-out", w, Duration.ofSeconds(60));
        // Another directory, under savepoint.dir: REST requests may write only there.
        Path other = dir.resolve("savepoints").resolve("before-rescale");
        String stopped =
                savepointCli(
                        "savepoint",
                        "stop",
                        "--url",
                        "http://127.0.0.1:" + port,
                        "--dir",
                        other.toUri().toString());
        assertThat(stopped).startsWith(other.toUri().toString());
        assertThat(job.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(job.exitValue()).as("exit code after stop-with-savepoint").isZero();

        w.produce(client, "cli-in", 5_000);
        int port2 = freePort();
        Process resumed = runJob(broker, port2, 3, "--from-savepoint", stopped);
        try {
            String status = awaitStatus(port2, "\"status\":\"RUNNING\"");
            assertThat(status).doesNotContain("\"restoredCheckpoint\":null");
            w.assertExactlyOnce(
                    AggregateWorkload.awaitOutput(client, "cli-out", w, Duration.ofSeconds(60)));
        } finally {
            resumed.destroy();
            resumed.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
