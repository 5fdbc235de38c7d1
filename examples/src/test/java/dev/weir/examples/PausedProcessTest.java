package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process paused (SIGSTOP, as a long GC pause or a frozen VM would) right after it committed a
 * checkpoint, while a successor takes the job over and commits checkpoints of its own, then resumed
 * (SIGCONT): the zombie must not write or delete anything the successor's checkpoints need. A third
 * process then restores the successor's last committed checkpoint and the output is exactly once.
 */
@ExtendWith(KafkaExtension.class)
class PausedProcessTest {
    @TempDir Path dir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aProcessResumedAfterItsSuccessorTookOverLeavesTheSuccessorsCheckpointsIntact(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String name = "zombie";
        client.createTopic(name + "-in", 4);
        client.createTopic(name + "-out", 4);
        AggregateWorkload w = new AggregateWorkload(47, 2_000);
        Map<String, String> settings =
                AggregateJobProcess.exactlyOnceSettings(
                        broker, dir, name, name + "-in", name + "-out");
        AtomicBoolean feeding = new AtomicBoolean(true);
        InputFeeder feeder =
                InputFeeder.start(
                        name + "-input",
                        () -> {
                            while (feeding.get()) {
                                w.produce(client, name + "-in", 1_000);
                                Thread.sleep(150);
                            }
                        });
        try {
            AggregateJobProcess zombie =
                    AggregateJobProcess.startWith(
                            dir.resolve("zombie.log"),
                            List.of("-Dweir.test.stop-at=coordinator.after-commit:3"),
                            settings);
            AggregateJobProcess successor = null;
            try {
                zombie.awaitLog(
                        "stop point coordinator.after-commit:3 reached", Duration.ofSeconds(60));
                awaitStopped(zombie);
                successor =
                        AggregateJobProcess.start(
                                dir.resolve("successor.log"), Optional.empty(), settings);
                successor.awaitLog("attempt 1 running", Duration.ofSeconds(60));
                assertThat(successor.restoredAtStart()).contains(3L);
                awaitCheckpointsAfter(successor, 3, 4);
                // The successor dies too; what it committed must stay restorable whatever the
                // zombie does once it runs again.
                successor.kill();
                long committedBySuccessor = successor.lastCompletedCheckpoint().orElseThrow();

                new ProcessBuilder("kill", "-CONT", String.valueOf(zombie.process.pid()))
                        .start()
                        .waitFor();
                zombie.awaitLog(
                        "stop point coordinator.after-commit:3 resumed", Duration.ofSeconds(30));
                // What the zombie does after a commit (retention, garbage collection) runs now;
                // then
                // its next write fails (fenced) and it restarts, possibly taking the job over as a
                // new incarnation once the dead successor's lock expired.
                zombie.awaitLog("checkpoint 3 completed", Duration.ofSeconds(30));
                Thread.sleep(2_000);
                zombie.kill();
                feeding.set(false);
                feeder.join(Duration.ofSeconds(30));
                System.out.printf(
                        "PausedProcessTest: successor committed up to %d; zombie log:%n%s%n",
                        committedBySuccessor, zombie.tail(15));
            } finally {
                zombie.kill();
                if (successor != null) {
                    successor.kill();
                }
            }

            try (AggregateJobProcess third =
                    AggregateJobProcess.start(
                            dir.resolve("third.log"), Optional.empty(), settings)) {
                third.awaitLog("attempt 1 running", Duration.ofSeconds(60));
                List<ConsumerRecord<String, String>> out =
                        AggregateWorkload.awaitOutput(
                                client, name + "-out", w, Duration.ofSeconds(90));
                w.assertExactlyOnce(out);
            }
        } finally {
            feeding.set(false);
            feeder.stop();
        }
    }

    /** Waits until the kernel reports the process stopped (state T). */
    private static void awaitStopped(AggregateJobProcess p) throws Exception {
        Path status = Path.of("/proc/" + p.process.pid() + "/status");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.readAllLines(status).stream().anyMatch(l -> l.matches("State:\\s+T.*"))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("process " + p.process.pid() + " did not stop");
    }

    /** Waits until {@code p} logged {@code n} completed checkpoints with ids above {@code id}. */
    private static void awaitCheckpointsAfter(AggregateJobProcess p, long id, int n)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.lastCompletedCheckpoint().orElse(0L) < id + n) {
            if (System.nanoTime() > deadline || !p.process.isAlive()) {
                throw new AssertionError(
                        "no checkpoint "
                                + (id + n)
                                + " completed in "
                                + p.log
                                + ":\n"
                                + p.tail(30));
            }
            Thread.sleep(100);
        }
    }
}
