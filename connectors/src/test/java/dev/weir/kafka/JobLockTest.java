package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
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
            long start = System.nanoTime();
            assertThatThrownBy(() -> JobLock.acquire(job, config(broker), client.admin()).close())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("job " + job)
                    .hasMessageContaining("already running in another live process")
                    .hasMessageContaining(
                            "alive: it still holds the lock after this process waited")
                    .hasMessageContaining("job.lock.session-timeout.ms=" + SESSION_TIMEOUT_MS);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("time before a live holder is refused: its session could have expired")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(2L * SESSION_TIMEOUT_MS));

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
        Process holder = startHolder(broker, job, log);
        try {
            awaitLine(holder, log, LockHolder.LOCKED, Duration.ofSeconds(45));

            assertThatThrownBy(() -> JobLock.acquire(job, config(broker), client.admin()).close())
                    .as("acquire while the child process holds the lock")
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("already running in another live process")
                    .hasMessageContaining("client " + job + "-lock-" + holder.pid())
                    .hasMessageContaining("alive:");

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

    @Test
    void aProcessThatFindsTheLockHeldTakesItOverWhenTheHolderDiesWhileItWaits(
            KafkaBroker broker, KafkaTestClient client, @TempDir Path dir) throws Exception {
        String job = uniqueJob();
        Path log = dir.resolve("holder.log");
        Process holder = startHolder(broker, job, log);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            awaitLine(holder, log, LockHolder.LOCKED, Duration.ofSeconds(45));
            Future<JobLock> next =
                    executor.submit(() -> JobLock.acquire(job, config(broker), client.admin()));
            // The next process is a member of the lock group that was given nothing.
            awaitGroup(
                    client,
                    job,
                    d ->
                            next.isDone()
                                    || d.groupState() == GroupState.STABLE
                                            && d.members().size() == 2);

            holder.destroyForcibly().waitFor();

            try (JobLock lock = next.get(2L * SESSION_TIMEOUT_MS + 15_000, TimeUnit.MILLISECONDS)) {
                assertThat(lock.isLost()).isFalse();
            }
        } finally {
            holder.destroyForcibly();
            executor.shutdownNow();
        }
    }

    @Test
    void afterTwoQuickCrashesTheNextProcessWaitsForBothMembershipsToExpireAndTakesTheLock(
            KafkaBroker broker, KafkaTestClient client, @TempDir Path dir) throws Exception {
        // A restart loop: the first holder is killed, the next process joins while the first's
        // membership has not expired yet and is killed a few seconds later, then a third starts.
        String job = uniqueJob();
        Process first = startHolder(broker, job, dir.resolve("first.log"));
        Process second = null;
        try {
            awaitLine(first, dir.resolve("first.log"), LockHolder.LOCKED, Duration.ofSeconds(45));
            first.destroyForcibly().waitFor();
            second = startHolder(broker, job, dir.resolve("second.log"));
            String secondClient = job + "-lock-" + second.pid();
            awaitGroup(
                    client,
                    job,
                    d -> d.members().stream().anyMatch(m -> m.clientId().equals(secondClient)));
            second.destroyForcibly().waitFor();

            long start = System.nanoTime();
            try (JobLock third = JobLock.acquire(job, config(broker), client.admin())) {
                assertThat(third.isLost()).isFalse();
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("time to take over after two crashes")
                        .isLessThan(Duration.ofMillis(3L * SESSION_TIMEOUT_MS + 10_000));
            }
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
        }
    }

    private static Process startHolder(KafkaBroker broker, String job, Path log)
            throws IOException {
        return new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        ChildClasspath.ofThisJvm(),
                        LockHolder.class.getName(),
                        broker.bootstrapServers(),
                        job,
                        String.valueOf(SESSION_TIMEOUT_MS))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** Waits until the description of the job's lock group satisfies {@code condition}. */
    private static void awaitGroup(
            KafkaTestClient client, String job, Predicate<ConsumerGroupDescription> condition) {
        String group = job + ".weir-lock";
        await().atMost(Duration.ofSeconds(45))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () ->
                                condition.test(
                                        client.admin()
                                                .describeConsumerGroups(List.of(group))
                                                .describedGroups()
                                                .get(group)
                                                .get(10, TimeUnit.SECONDS)));
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
