package dev.weir.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.Job;
import dev.weir.JobStatus;
import dev.weir.Record;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CommitOutcome;
import dev.weir.spi.CommitterContext;
import dev.weir.spi.Sink;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import dev.weir.spi.SourceReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weir savepoint} against the REST endpoint of a real job (in this JVM, no Kafka) that is
 * held while starting the way a dead predecessor's job lock holds it: the CLI says what it waits
 * for, gets the savepoint once the job runs, and gives up after {@code --timeout} — cancelling what
 * it asked for.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SavepointCliTest {
    @TempDir Path dir;

    private final CountDownLatch recovered = new CountDownLatch(1);
    private final CountDownLatch recovering = new CountDownLatch(1);
    private CompletableFuture<RunningJob> starting;
    private int port;

    @AfterEach
    void stop() throws Exception {
        recovered.countDown();
        if (starting != null) {
            starting.get(30, TimeUnit.SECONDS).stop();
        }
    }

    /** Starts the job; it stays STARTING until {@link #recovered} opens. */
    private void startHeldJob(String name) throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        WeirConfig config =
                WeirConfig.of(
                        Map.of(
                                "job.name", name,
                                "checkpoint.dir", dir.resolve("checkpoints").toUri().toString(),
                                "state.local-dir", dir.resolve("state").toString(),
                                "savepoint.dir", dir.resolve("savepoints").toUri().toString(),
                                "checkpoint.interval.ms", "86400000",
                                "rest.port", String.valueOf(port)));
        var b = Job.builder();
        b.source("idle", context -> new Idle()).sink("out", new HeldSink());
        Job job = b.build();
        starting = CompletableFuture.supplyAsync(() -> Weir.start(job, config));
        assertThat(recovering.await(30, TimeUnit.SECONDS)).isTrue();
    }

    private SavepointCli.Request request(boolean stop, String timeout) throws Exception {
        return SavepointCli.parse(
                List.of(
                        stop ? "stop" : "trigger",
                        "--url",
                        "http://127.0.0.1:" + port + "/",
                        "--timeout",
                        timeout),
                Map.of());
    }

    @Test
    void aStopSentWhileTheJobStartsSaysWhatItWaitsForAndEndsWithTheLocation() throws Exception {
        startHeldJob("cli-stop");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        CompletableFuture<String> cli =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return SavepointCli.await(
                                        request(true, "60s"),
                                        new PrintStream(printed, true, StandardCharsets.UTF_8));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!printed.toString(StandardCharsets.UTF_8).contains("pending")
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("stop-with-savepoint")
                .contains("pending: job is STARTING");

        recovered.countDown();
        String location = cli.get(60, TimeUnit.SECONDS);

        assertThat(Path.of(URI.create(location)).resolve("_metadata")).exists();
        RunningJob job = starting.get(30, TimeUnit.SECONDS);
        assertThat(job.awaitTermination(Duration.ofSeconds(30))).isTrue();
        assertThat(job.status()).isEqualTo(JobStatus.STOPPED);
    }

    @Test
    void aTimeoutEndsWithItsOwnExitCodeAndCancelsTheWaitingRequest() throws Exception {
        startHeldJob("cli-timeout");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        assertThatThrownBy(
                        () ->
                                SavepointCli.await(
                                        request(false, "1s"),
                                        new PrintStream(printed, true, StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        SavepointCli.Failure.class,
                        f -> assertThat(f.exitCode).isEqualTo(SavepointCli.TIMED_OUT))
                .hasMessageContaining("timed out after 1s")
                .hasMessageContaining("pending: job is STARTING")
                .hasMessageContaining("cancelled");

        recovered.countDown();
        RunningJob job = starting.get(30, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job.checkpoints()).as("the cancelled savepoint is never taken").isEmpty();
    }

    @Test
    void badArgumentsAreUsageErrors() {
        for (List<String> args :
                List.of(
                        List.of("trigger"),
                        List.of("snapshot", "--url", "http://x"),
                        List.of("trigger", "--url", "http://x", "--timeout", "soon"),
                        List.of("trigger", "--url", "http://x", "--timeout", "0s"),
                        List.of("stop", "--url", "http://x", "--token", "a", "--token-file", "b"),
                        List.of("stop", "--url"))) {
            assertThatThrownBy(() -> SavepointCli.parse(args, Map.of()))
                    .as("%s", args)
                    .isInstanceOfSatisfying(
                            SavepointCli.Failure.class,
                            f -> assertThat(f.exitCode).isEqualTo(SavepointCli.USAGE));
        }
    }

    @Test
    void timeoutsTakeShortFormsAndIso8601AndTheTokenComesFromTheEnvironment() throws Exception {
        assertThat(SavepointCli.parseTimeout("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SavepointCli.parseTimeout("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(SavepointCli.parseTimeout("PT1H")).isEqualTo(Duration.ofHours(1));
        SavepointCli.Request r =
                SavepointCli.parse(
                        List.of("trigger", "--url", "http://x"), Map.of("WEIR_REST_TOKEN", "t1"));
        assertThat(r.token()).hasValue("t1");
        assertThat(r.timeout()).isEqualTo(SavepointCli.DEFAULT_TIMEOUT);
    }

    /** Reads nothing. */
    private static final class Idle implements SourceReader<String, String> {
        @Override
        public List<Record<String, String>> poll(Duration timeout) {
            try {
                Thread.sleep(Math.min(10, timeout.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        }

        @Override
        public Map<String, Long> snapshotPositions(long checkpointId) {
            return Map.of();
        }

        @Override
        public void close() {}
    }

    /** Drops records; its committer's recover() waits for {@link #recovered}. */
    private final class HeldSink implements Sink<String, String> {
        @Override
        public SinkWriter<String, String> createWriter(SinkContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Record<String, String> record) {}

                @Override
                public void prepareCheckpoint(long checkpointId) {}

                @Override
                public void close() {}
            };
        }

        @Override
        public Optional<CheckpointCommitter> createCommitter(CommitterContext context) {
            return Optional.of(
                    new CheckpointCommitter() {
                        @Override
                        public OptionalLong recover() {
                            recovering.countDown();
                            try {
                                recovered.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return OptionalLong.empty();
                        }

                        @Override
                        public void begin(long firstCheckpointId) {}

                        @Override
                        public CommitOutcome commit(CheckpointMetadata metadata) {
                            return CommitOutcome.committed();
                        }

                        @Override
                        public void close() {}
                    });
        }
    }
}
