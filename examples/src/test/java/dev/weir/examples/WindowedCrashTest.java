package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * windowed-aggregate with exactly-once output in a child JVM, killed with SIGKILL at random moments
 * while out-of-order input arrives and started again each time: in the end every window is in the
 * committed output once, with its count and sum, and no record was taken for late.
 */
@ExtendWith(KafkaExtension.class)
class WindowedCrashTest {
    @TempDir Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void killedWithSigkillAtRandomMomentsEveryWindowIsEmittedOnceWithItsTotals(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        long seed = Long.getLong("weir.test.seed", System.nanoTime());
        System.out.println(
                "WindowedCrashTest seed=" + seed + " (replay with -Dweir.test.seed=" + seed + ")");
        Random random = new Random(seed);
        long lateness = 300;
        client.createTopic("wcrash-in", 4);
        client.createTopic("wcrash-out", 4);
        client.createTopic("wcrash-late", 4);
        Map<String, String> settings =
                AggregateJobProcess.exactlyOnceSettings(
                        broker, dir, "wcrash-job", "wcrash-in", "wcrash-out");
        settings.putAll(WindowedWorkload.settings(lateness, "wcrash-late"));
        WindowedWorkload w = new WindowedWorkload(seed, "wcrash-in", 4, 100, lateness);
        InputFeeder feeder =
                InputFeeder.start(
                        "wcrash-input",
                        () -> {
                            for (int i = 0; i < 60; i++) {
                                w.produce(client, 70, 10);
                                Thread.sleep(300);
                            }
                        });

        List<AggregateJobProcess> runs = new ArrayList<>();
        try {
            for (int kill = 0; kill < 4; kill++) {
                AggregateJobProcess run =
                        AggregateJobProcess.startJob(
                                "windowed-aggregate",
                                dir.resolve("run-" + kill + ".log"),
                                List.of(),
                                settings);
                runs.add(run);
                if (kill == 2) {
                    // From the process start: may hit start-up, recovery or the restore.
                    Thread.sleep(500 + random.nextInt(2_500));
                } else {
                    run.awaitLog(" subtasks at parallelism ", Duration.ofSeconds(60));
                    Thread.sleep(700 + random.nextInt(2_000));
                }
                assertThat(run.process.isAlive())
                        .as(
                                "run %d alive before its kill; %s ends with:%n%s",
                                kill, run.log, run.tail(30))
                        .isTrue();
                assertThat(run.kill()).isEqualTo(AggregateJobProcess.KILLED);
            }
            feeder.join(Duration.ofSeconds(60));
        } finally {
            feeder.stop();
        }

        long watermark = WindowedWorkload.fireAt(WindowedWorkload.startOf(w.base()), lateness);
        w.closeAt(client, watermark + WindowedWorkload.OUT_OF_ORDERNESS + 1);
        try (AggregateJobProcess last =
                AggregateJobProcess.startJob(
                        "windowed-aggregate", dir.resolve("run-last.log"), List.of(), settings)) {
            runs.add(last);
            List<ConsumerRecord<String, byte[]>> out =
                    w.awaitClosed(
                            client, List.of(), "wcrash-out", watermark, Duration.ofSeconds(90));
            String problems = w.problems(out, watermark);
            assertThat(problems)
                    .as(
                            "windows after 4 kills (seed %d); last run's log %s ends with:%n%s",
                            seed, last.log, last.tail(30))
                    .isEmpty();
            assertThat(
                            w.lateProblems(
                                    client.readAllCommittedBytes(
                                            "wcrash-late", Duration.ofSeconds(30))))
                    .as("nothing late (seed %d)", seed)
                    .isEmpty();
            List<Long> restored = new ArrayList<>();
            runs.forEach(r -> restored.add(r.restoredAtStart().orElse(-1L)));
            assertThat(last.restoredAtStart())
                    .as("the last run restored a committed checkpoint")
                    .isPresent();
            System.out.printf(
                    "WindowedCrashTest: %d windows from %d records; checkpoint restored per run %s%n",
                    out.size(), w.expected.values().stream().mapToLong(t -> t[0]).sum(), restored);
        }
    }
}
