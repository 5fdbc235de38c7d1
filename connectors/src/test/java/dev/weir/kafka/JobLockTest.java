package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.UnrecoverableJobException;
import dev.weir.config.WeirConfig;
import dev.weir.testkit.ChildClasspath;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only one live process may run a job (docs/architecture.md §4): the job lock refuses a second
 * holder, frees at once on a graceful close and after {@code job.lock.session-timeout.ms} when the
 * holder's process dies.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(90)
class JobLockTest {
    private static final int SESSION_TIMEOUT_MS = 6_000;

    @Test
    void theFirstProcessOfAJobGetsTheLock(KafkaBroker broker, KafkaTestClient client) {
        try (JobLock lock = JobLock.acquire(uniqueJob(), config(broker), client.admin())) {
            assertThat(lock.isLost()).isFalse();
        }
    }

    @Test
    void aSecondHolderOfTheSameJobIsRefusedWhileTheFirstHoldsAndTheFirstKeepsTheLock(
            KafkaBroker broker, KafkaTestClient client) {
        String job = uniqueJob();
        try (JobLock first = JobLock.acquire(job, config(broker), client.admin())) {
            assertThatThrownBy(() -> JobLock.acquire(job, config(broker), client.admin()).close())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("job " + job)
                    .hasMessageContaining("already running in another live process")
                    .hasMessageContaining("job.lock.session-timeout.ms=" + SESSION_TIMEOUT_MS);

            assertThat(first.isLost()).as("the holder after the refused attempt").isFalse();
        }
    }

    @Test
    void locksOfTwoDifferentJobsDoNotExcludeEachOther(KafkaBroker broker, KafkaTestClient client) {
        try (JobLock a = JobLock.acquire(uniqueJob(), config(broker), client.admin());
                JobLock b = JobLock.acquire(uniqueJob(), config(broker), client.admin())) {
            assertThat(a.isLost()).isFalse();
            assertThat(b.isLost()).isFalse();
        }
    }

    @Test
    void afterTheHolderClosesTheNextAcquireSucceedsAtOnce(
            KafkaBroker broker, KafkaTestClient client) {
        String job = uniqueJob();
        JobLock.acquire(job, config(broker), client.admin()).close();

        long start = System.nanoTime();
        try (JobLock next = JobLock.acquire(job, config(broker), client.admin())) {
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("time to take over a lock released by close()")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(next.isLost()).isFalse();
        }
    }

    @Test
    void aKilledHoldersLockIsRefusedWhileItLivesAndTakenOverWithinTheSessionTimeoutAfterItDies(
            KafkaBroker broker, KafkaTestClient client, @TempDir Path dir) throws Exception {
        String job = uniqueJob();
        Path log = dir.resolve("holder.log");
        Process holder =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx128m",
                                "-cp",
                                ChildClasspath.ofThisJvm(),
                                LockHolder.class.getName(),
                                broker.bootstrapServers(),
                                job,
                                String.valueOf(SESSION_TIMEOUT_MS))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            awaitLine(holder, log, LockHolder.LOCKED, Duration.ofSeconds(45));

            assertThatThrownBy(() -> JobLock.acquire(job, config(broker), client.admin()).close())
                    .as("acquire while the child process holds the lock")
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("already running in another live process");

            holder.destroyForcibly().waitFor();
            long killed = System.nanoTime();
            try (JobLock next = JobLock.acquire(job, config(broker), client.admin())) {
                assertThat(Duration.ofNanos(System.nanoTime() - killed))
                        .as("time to take over the lock of a killed holder")
                        .isLessThan(Duration.ofMillis(SESSION_TIMEOUT_MS + 10_000));
                assertThat(next.isLost()).isFalse();
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aGroupInstanceIdPassedThroughToConsumersDoesNotLetASecondProcessReplaceTheHolder(
            KafkaBroker broker, KafkaTestClient client) {
        // Static membership would hand the second member the first one's assignment.
        String job = uniqueJob();
        WeirConfig config = config(broker, "kafka.consumer.group.instance.id", "pod-0");
        try (JobLock first = JobLock.acquire(job, config, client.admin())) {
            assertThatThrownBy(() -> JobLock.acquire(job, config, client.admin()).close())
                    .as("a second acquire with the same group.instance.id")
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("already running in another live process");

            assertThat(first.isLost()).as("the holder after the refused attempt").isFalse();
        }
    }

    /**
     * A process that holds the job lock until it is killed. Arguments: bootstrap servers, job name,
     * session timeout. Prints {@link #LOCKED} once it holds the lock.
     */
    static final class LockHolder {
        static final String LOCKED = "LOCKED";

        public static void main(String[] args) throws InterruptedException {
            WeirConfig config =
                    WeirConfig.of(
                            Map.of(
                                    "bootstrap.servers", args[0],
                                    "job.lock.session-timeout.ms", args[2]));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", args[0]))) {
                JobLock lock = JobLock.acquire(args[1], config, admin);
                System.out.println(LOCKED);
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
                lock.close();
            }
        }
    }

    private static void awaitLine(Process p, Path log, String line, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (lines.contains(line)) {
                return;
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the lock holder process did not print "
                                + line
                                + (p.isAlive() ? " within " + timeout : " before it exited")
                                + "; its output:\n"
                                + String.join("\n", lines));
            }
            Thread.sleep(100);
        }
    }

    private static WeirConfig config(KafkaBroker broker, String... extra) {
        Map<String, String> m = new HashMap<>();
        m.put("bootstrap.servers", broker.bootstrapServers());
        m.put("job.lock.session-timeout.ms", String.valueOf(SESSION_TIMEOUT_MS));
        for (int i = 0; i < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return WeirConfig.of(m);
    }

    private static String uniqueJob() {
        return "lock-job-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
