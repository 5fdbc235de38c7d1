package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testkit.ChildClasspath;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * keyed-aggregate in a child JVM, killed with SIGKILL at random moments while input arrives, then
 * started again each time: every key's final count and sum equal its input and no update is lost.
 */
@ExtendWith(KafkaExtension.class)
class KillAndRestartTest {
    @TempDir Path dir;

    private Process startJob(KafkaBroker broker) throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx384m",
                                "-XX:+UseSerialGC",
                                "-Dlog4j2.configurationFile=weir-log4j2.xml",
                                "-cp",
                                ChildClasspath.ofThisJvm(),
                                "dev.weir.launcher.WeirMain",
                                "run",
                                "keyed-aggregate"));
        for (String kv :
                List.of(
                        "bootstrap.servers=" + broker.bootstrapServers(),
                        "job.name=crash-job",
                        "input.topic=crash-in",
                        "output.topic=crash-out",
                        "parallelism=2",
                        "checkpoint.dir=" + dir.resolve("checkpoints").toUri(),
                        "checkpoint.interval.ms=300",
                        "state.local-dir=" + dir.resolve("state"),
                        "sink.delivery=at-least-once",
                        "source.start=earliest")) {
            cmd.add("--set");
            cmd.add(kv);
        }
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("job.log").toFile()))
                .start();
    }

    private long runningStarts() throws java.io.IOException {
        Path log = dir.resolve("job.log");
        if (!java.nio.file.Files.exists(log)) {
            return 0;
        }
        return java.nio.file.Files.readAllLines(log).stream()
                .filter(l -> l.contains(" subtasks at parallelism "))
                .count();
    }

    /** Waits until a start beyond the first {@code before} has logged that its job runs. */
    private void awaitRunning(long before, Process job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (runningStarts() <= before) {
            assertThat(job.isAlive())
                    .as("job process alive while starting (see %s)", dir.resolve("job.log"))
                    .isTrue();
            assertThat(System.nanoTime())
                    .as("job running within 60 s (see %s)", dir.resolve("job.log"))
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void killedWithSigkillAtRandomMomentsThenRestartedLosesNoUpdate(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        long seed = Long.getLong("weir.test.seed", System.nanoTime());
        System.out.println(
                "KillAndRestartTest seed=" + seed + " (replay with -Dweir.test.seed=" + seed + ")");
        Random random = new Random(seed);
        client.createTopic("crash-in", 4);
        client.createTopic("crash-out", 4);
        AggregateWorkload w = new AggregateWorkload(seed, 500);
        Thread producer =
                new Thread(
                        () -> {
                            for (int i = 0; i < 20; i++) {
                                w.produce(client, "crash-in", 5_000);
                                try {
                                    Thread.sleep(300);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "crash-input");
        producer.start();

        for (int kill = 0; kill < 4; kill++) {
            long runningBefore = runningStarts();
            Process job = startJob(broker);
            if (kill == 2) {
                // At a random moment from process start: may hit start-up or the restore.
                Thread.sleep(500 + random.nextInt(3_000));
            } else {
                // At a random moment of processing (a loaded machine may take seconds to start).
                awaitRunning(runningBefore, job);
                Thread.sleep(1_000 + random.nextInt(2_000));
            }
            assertThat(job.isAlive())
                    .as("job process alive before kill %d (see %s)", kill, dir.resolve("job.log"))
                    .isTrue();
            job.destroyForcibly();
            job.waitFor(30, TimeUnit.SECONDS);
        }
        producer.join();

        long runningBefore = runningStarts();
        Process job = startJob(broker);
        try {
            List<ConsumerRecord<String, String>> out =
                    AggregateWorkload.awaitOutput(client, "crash-out", w, Duration.ofSeconds(120));
            // Outputs may all be there before this last start has logged its restore.
            awaitRunning(runningBefore, job);
            long duplicates = w.assertAtLeastOnce(out);
            long restores =
                    java.nio.file.Files.readAllLines(dir.resolve("job.log")).stream()
                            .filter(l -> l.contains("restored from checkpoint"))
                            .count();
            assertThat(restores)
                    .as("starts that restored a checkpoint (state and offsets together)")
                    .isGreaterThanOrEqualTo(3);
            System.out.println(
                    "KillAndRestartTest: "
                            + w.total()
                            + " inputs, "
                            + out.size()
                            + " outputs, "
                            + duplicates
                            + " replayed after kills");
        } finally {
            job.destroy();
            assertThat(job.waitFor(60, TimeUnit.SECONDS)).as("graceful stop on SIGTERM").isTrue();
        }
    }
}
