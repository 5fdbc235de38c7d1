package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.RunningJob;
import dev.weir.UnrecoverableJobException;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Savepoints and forks under crashes, with exactly-once output: a savepoint becomes visible only
 * once its checkpoint committed, and a fork started from another job's retained checkpoint owns
 * every file its own checkpoints reference, so it restarts after any number of kills.
 */
@ExtendWith(KafkaExtension.class)
class ForkAndSavepointCrashTest {
    @TempDir Path dir;

    private Map<String, String> settings(KafkaBroker broker, String job, String in, String out) {
        Map<String, String> s = AggregateJobProcess.exactlyOnceSettings(broker, dir, job, in, out);
        s.put("savepoint.dir", dir.resolve("savepoints").toUri().toString());
        return s;
    }

    /**
     * The job is halted after the savepoint's checkpoint wrote its metadata but before its
     * transaction committed. The savepoint must not look complete: its epoch's output was aborted,
     * so resuming from it would lose that output. The job itself restarts from its last committed
     * checkpoint, exactly once.
     */
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aSavepointWhoseCheckpointNeverCommittedCannotBeResumed(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String name = "sp-uncommitted";
        client.createTopic(name + "-in", 4);
        client.createTopic(name + "-out", 4);
        AggregateWorkload w = new AggregateWorkload(41, 300);
        w.produce(client, name + "-in", 10_000);
        Map<String, String> settings = settings(broker, name, name + "-in", name + "-out");
        int port = freePort();
        settings.put("rest.port", String.valueOf(port));
        try (AggregateJobProcess job =
                AggregateJobProcess.start(
                        dir.resolve("run-0.log"),
                        Optional.of("savepoint.before-commit:*"),
                        settings)) {
            job.awaitLog("attempt 1 running", Duration.ofSeconds(45));
            AggregateWorkload.awaitOutput(client, name + "-out", w, Duration.ofSeconds(60));
            w.produce(client, name + "-in", 2_000);
            // The answer never comes: the process halts while taking the savepoint.
            HttpClient.newHttpClient()
                    .sendAsync(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + port + "/savepoints"))
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            assertThat(job.awaitExit(Duration.ofSeconds(60)))
                    .as("exit code of the job halted before its savepoint's commit")
                    .isEqualTo(AggregateJobProcess.KILLED);
            assertThat(job.log()).contains("crash point savepoint.before-commit:");
        }

        List<Path> savepoints = savepointDirs(dir.resolve("savepoints"));
        for (Path sp : savepoints) {
            assertThat(sp.resolve("_metadata"))
                    .as("metadata of savepoint %s, whose checkpoint never committed", sp)
                    .doesNotExist();
        }
        if (!savepoints.isEmpty()) {
            // Whatever the directory holds is refused, not resumed with state ahead of output.
            WeirConfig fork =
                    ExactlyOnceTest.config(broker, dir, name + "-fork", name + "-in", name + "-x")
                            .with("savepoint.path", savepoints.get(0).toUri().toString());
            try (RunningJob refused = Weir.start(new KeyedAggregate().create(fork), fork)) {
                assertThat(refused.awaitTermination(Duration.ofSeconds(60))).isTrue();
                assertThat(refused.failure().orElseThrow())
                        .isInstanceOf(UnrecoverableJobException.class)
                        .hasMessageContaining("does not exist");
            }
        }

        try (AggregateJobProcess again =
                AggregateJobProcess.start(dir.resolve("run-1.log"), Optional.empty(), settings)) {
            again.awaitLog("attempt 1 running", Duration.ofSeconds(45));
            w.assertExactlyOnce(
                    AggregateWorkload.awaitOutput(
                            client, name + "-out", w, Duration.ofSeconds(90)));
        }
    }

    /**
     * A fork of job A started from A's last committed retained checkpoint, at the same and at
     * another parallelism. Its first checkpoint is taken with no new input, so its RocksDB still
     * holds exactly the files restored from A; it is killed with SIGKILL after that checkpoint and
     * again later. Each restart restores the fork's own committed checkpoint, and A's output
     * followed by the fork's counts every input exactly once.
     */
    @ParameterizedTest(name = "fork at parallelism {0}")
    @ValueSource(ints = {2, 3})
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aForkFromAnotherJobsRetainedCheckpointSurvivesKillsAndCountsExactlyOnce(
            int forkParallelism, KafkaBroker broker, KafkaTestClient client) throws Exception {
        String a = "fork-src-" + forkParallelism;
        String b = "fork-dst-" + forkParallelism;
        client.createTopic(a + "-in", 4);
        client.createTopic(a + "-out", 4);
        client.createTopic(b + "-out", 4);
        AggregateWorkload w = new AggregateWorkload(43 + forkParallelism, 500);
        w.produce(client, a + "-in", 15_000);
        WeirConfig source = ExactlyOnceTest.config(broker, dir, a, a + "-in", a + "-out");
        try (RunningJob job = Weir.start(new KeyedAggregate().create(source), source)) {
            AggregateWorkload.awaitOutput(client, a + "-out", w, Duration.ofSeconds(60));
        }
        long committed = ExactlyOnceCrashTest.checkpointInGroup(client, a);
        assertThat(committed).as("A's committed checkpoint").isPositive();
        Path chk = dir.resolve("checkpoints").resolve(a).resolve("chk-" + committed);
        assertThat(chk.resolve("_metadata")).exists();
        List<ConsumerRecord<String, String>> outA =
                client.readAllCommitted(a + "-out", Duration.ofSeconds(30));

        Map<String, String> fork = settings(broker, b, a + "-in", b + "-out");
        fork.put("parallelism", String.valueOf(forkParallelism));
        fork.put("savepoint.path", chk.toUri().toString());
        try (AggregateJobProcess first =
                AggregateJobProcess.start(dir.resolve(b + "-0.log"), Optional.empty(), fork)) {
            first.awaitLog("restored from checkpoint " + committed, Duration.ofSeconds(45));
            awaitCompletedCheckpoints(first, 2);
            assertThat(first.kill()).isEqualTo(AggregateJobProcess.KILLED);
        }
        w.produce(client, a + "-in", 5_000);
        try (AggregateJobProcess second =
                AggregateJobProcess.start(dir.resolve(b + "-1.log"), Optional.empty(), fork)) {
            second.awaitLog("attempt 1 running", Duration.ofSeconds(45));
            assertThat(second.restoredAtStart())
                    .as("the fork restores its own committed checkpoint")
                    .hasValueSatisfying(id -> assertThat(id).isGreaterThan(committed));
            awaitCompletedCheckpoints(second, 2);
            assertThat(second.kill()).isEqualTo(AggregateJobProcess.KILLED);
        }
        w.produce(client, a + "-in", 5_000);
        try (AggregateJobProcess third =
                AggregateJobProcess.start(dir.resolve(b + "-2.log"), Optional.empty(), fork)) {
            third.awaitLog("attempt 1 running", Duration.ofSeconds(45));
            assertThat(third.restoredAtStart()).isPresent();
            w.assertExactlyOnce(
                    AggregateWorkload.awaitOutputAfter(
                            client, outA, b + "-out", w, Duration.ofSeconds(90)));
        }
    }

    /** Waits until the process logged {@code n} completed checkpoints. */
    private static void awaitCompletedCheckpoints(AggregateJobProcess job, int n)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (job.log().split("checkpoint \\d+ completed in", -1).length - 1 < n) {
            if (System.nanoTime() > deadline || !job.process.isAlive()) {
                throw new AssertionError(
                        "fewer than "
                                + n
                                + " completed checkpoints in "
                                + job.log
                                + ":\n"
                                + job.tail(30));
            }
            Thread.sleep(100);
        }
    }

    private static List<Path> savepointDirs(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
