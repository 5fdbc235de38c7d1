package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.CheckpointStats;
import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaBrokerProcess;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The crash tests of docs/architecture.md §4.1: keyed-aggregate with {@code
 * sink.delivery=exactly-once} is halted at each step of a checkpoint's commit, killed with SIGKILL
 * at random moments, and has its broker restarted under it; every time the read_committed output
 * holds, for every key, exactly the counts 1..n(key) — no loss, no duplicate.
 */
@ExtendWith(KafkaExtension.class)
class ExactlyOnceCrashTest {
    private static final Pattern CHECKPOINT_TAG =
            Pattern.compile("weir\\.chk=(\\d+)(?:@[0-9A-Za-z-]+)?");

    @TempDir Path dir;

    private Map<String, String> settings(KafkaBroker broker, String job, String in, String out) {
        Map<String, String> s = AggregateJobProcess.exactlyOnceSettings(broker, dir, job, in, out);
        return s;
    }

    /**
     * Halts the child at one step of checkpoint 2 while input flows, then starts it again: the
     * restart restores exactly the checkpoint whose transaction committed (2 once the commit went
     * through, else 1) and the output is exactly once. Checkpoint 2 is triggered only after
     * checkpoint 1 committed (one checkpoint in flight), so every crash in 2 finds 1 committed.
     */
    @ParameterizedTest(name = "crash at {0}:2 restores checkpoint {1}")
    @CsvSource({
        "sink.before-flush, 1",
        "coordinator.after-metadata, 1",
        "commit.after-offsets, 1",
        "coordinator.after-commit, 2"
    })
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void haltAtAStepOfCheckpointTwoRestartsFromTheCheckpointWhoseTransactionCommitted(
            String point, long expectedRestore, KafkaBroker broker, KafkaTestClient client)
            throws Exception {
        String name = "eoscrash-" + point.replace('.', '-');
        String in = name + "-in";
        String out = name + "-out";
        client.createTopic(in, 4);
        client.createTopic(out, 4);
        AggregateWorkload w = new AggregateWorkload(point.hashCode(), 1_000);
        Map<String, String> settings = settings(broker, name, in, out);
        AtomicBoolean crashed = new AtomicBoolean();
        AtomicInteger batches = new AtomicInteger();
        // At least 30 batches of 1,000 over ~4 s, and 5 more after the crash, so checkpoint 2
        // always falls while input flows (however slowly the child starts) and input keeps
        // arriving while the job is down.
        InputFeeder feeder =
                InputFeeder.start(
                        name + "-input",
                        () -> {
                            int afterCrash = 0;
                            while (batches.get() < 30 || afterCrash < 5) {
                                if (batches.get() >= 400) {
                                    throw new AssertionError("the child never crashed");
                                }
                                w.produce(client, in, 1_000);
                                batches.incrementAndGet();
                                if (crashed.get()) {
                                    afterCrash++;
                                }
                                Thread.sleep(130);
                            }
                        });
        try {
            int batchesAtCrash;
            try (AggregateJobProcess first =
                    AggregateJobProcess.start(
                            dir.resolve("run-0.log"), Optional.of(point + ":2"), settings)) {
                int exit = first.awaitExit(Duration.ofSeconds(60));
                crashed.set(true);
                batchesAtCrash = batches.get();
                assertThat(exit)
                        .as("exit code of the child halted at %s:2 (%s)", point, first.log)
                        .isEqualTo(AggregateJobProcess.KILLED);
                assertThat(first.log()).contains("crash point " + point + ":2 reached, halting");
            }

            Path metadata2 = dir.resolve("checkpoints").resolve(name).resolve("chk-2/_metadata");
            assertThat(Files.exists(metadata2))
                    .as("chk-2/_metadata written before the crash at %s", point)
                    .isEqualTo(!point.equals("sink.before-flush"));
            assertThat(awaitCheckpointInGroup(client, name, expectedRestore))
                    .as("checkpoint id in the job group's committed offsets after the crash")
                    .isEqualTo(expectedRestore);
            List<ConsumerRecord<String, String>> committedBefore =
                    client.readAllCommitted(out, Duration.ofSeconds(30));
            assertCountsAreOneToMPerKey(committedBefore);
            if (expectedRestore == 2) {
                assertThat(committedBefore)
                        .as("output committed with checkpoint 2 (the restart must not repeat it)")
                        .isNotEmpty();
            }

            try (AggregateJobProcess second =
                    AggregateJobProcess.start(
                            dir.resolve("run-1.log"), Optional.empty(), settings)) {
                Duration lockWait = second.awaitLog("holds the job lock", Duration.ofSeconds(45));
                Duration running = second.awaitLog("attempt 1 running", Duration.ofSeconds(45));
                assertThat(second.lastCommittedAtStart())
                        .as("committed checkpoint the restart found")
                        .isEqualTo(expectedRestore);
                assertThat(second.restoredAtStart())
                        .as("checkpoint the restart restored")
                        .contains(expectedRestore);
                assertThat(second.log()).contains("restored from checkpoint " + expectedRestore);
                feeder.join(Duration.ofSeconds(60));
                List<ConsumerRecord<String, String>> output =
                        AggregateWorkload.awaitOutput(client, out, w, Duration.ofSeconds(90));
                System.out.printf(
                        "ExactlyOnceCrashTest %s:2: %d inputs (%d before the crash), %d outputs"
                                + " committed before the restart, %d in the end; restart got the"
                                + " job lock after %d ms, running after %d ms, restored %d%n",
                        point,
                        w.total(),
                        batchesAtCrash * 1_000L,
                        committedBefore.size(),
                        output.size(),
                        lockWait.toMillis(),
                        running.toMillis(),
                        expectedRestore);
                second.warnings().forEach(l -> System.out.println("  run-1: " + l));
                w.assertExactlyOnce(output);
            }
        } finally {
            feeder.stop();
        }
    }

    /**
     * SIGKILL at random moments of a continuously fed exactly-once job, at least five times, then a
     * final run: every key's counts are exactly 1..n(key).
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void killedWithSigkillAtRandomMomentsTheCommittedOutputCountsEveryInputExactlyOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        long seed = Long.getLong("weir.test.seed", System.nanoTime());
        System.out.println(
                "ExactlyOnceCrashTest random kills: seed="
                        + seed
                        + " (replay with -Dweir.test.seed="
                        + seed
                        + ")");
        Random random = new Random(seed);
        String name = "eoscrash-random";
        client.createTopic(name + "-in", 4);
        client.createTopic(name + "-out", 4);
        AggregateWorkload w = new AggregateWorkload(seed, 2_500);
        Map<String, String> settings = settings(broker, name, name + "-in", name + "-out");
        AtomicBoolean killsDone = new AtomicBoolean();
        // Input arrives continuously through the whole kill phase (batches of 2,000 every 0.2-0.6
        // s), so every kill falls while records are in flight: at least 200,000 records in all.
        Random feedRandom = new Random(seed + 1);
        InputFeeder feeder =
                InputFeeder.start(
                        name + "-input",
                        () -> {
                            while (w.total() < 200_000 || !killsDone.get()) {
                                w.produce(client, name + "-in", 2_000);
                                Thread.sleep(200 + feedRandom.nextInt(400));
                            }
                        });
        List<Long> committedAtStart = new ArrayList<>();
        // The newest checkpoint each killed run had committed for sure: found at its start or
        // logged as completed (which it logs only after the commit).
        List<Long> committedByRun = new ArrayList<>();
        try {
            int kills = 5 + random.nextInt(2);
            for (int k = 0; k < kills; k++) {
                String run = "run-" + k;
                Path log = dir.resolve("run-" + k + ".log");
                try (AggregateJobProcess job =
                        AggregateJobProcess.start(log, Optional.empty(), settings)) {
                    Duration running = job.awaitLog("attempt 1 running", Duration.ofSeconds(45));
                    committedAtStart.add(job.lastCommittedAtStart());
                    long runFor = 2_000 + random.nextInt(3_000);
                    Thread.sleep(runFor);
                    assertThat(job.process.isAlive())
                            .as("child alive before kill %d (see %s)", k, log)
                            .isTrue();
                    int exit = job.kill();
                    committedByRun.add(
                            Math.max(
                                    job.lastCommittedAtStart(),
                                    job.lastCompletedCheckpoint().orElse(-1L)));
                    System.out.printf(
                            "  kill %d: running after %d ms (restored %s), killed %d ms later,"
                                    + " exit %d, last checkpoint logged completed: %s%n",
                            k,
                            running.toMillis(),
                            describe(job.restoredAtStart()),
                            runFor,
                            exit,
                            describe(job.lastCompletedCheckpoint()));
                    job.warnings().forEach(l -> System.out.println("    " + run + ": " + l));
                    assertThat(exit).isEqualTo(AggregateJobProcess.KILLED);
                }
            }
            killsDone.set(true);
            feeder.join(Duration.ofSeconds(90));
            Path log = dir.resolve("run-" + kills + ".log");
            try (AggregateJobProcess job =
                    AggregateJobProcess.start(log, Optional.empty(), settings)) {
                Duration running = job.awaitLog("attempt 1 running", Duration.ofSeconds(45));
                committedAtStart.add(job.lastCommittedAtStart());
                List<ConsumerRecord<String, String>> out =
                        AggregateWorkload.awaitOutput(
                                client, name + "-out", w, Duration.ofSeconds(120));
                System.out.printf(
                        "ExactlyOnceCrashTest random kills: %d inputs over %d keys, %d outputs, %d"
                                + " kills; committed checkpoint at each start: %s; final run"
                                + " running after %d ms%n",
                        w.total(),
                        w.expected.size(),
                        out.size(),
                        kills,
                        committedAtStart,
                        running.toMillis());
                job.warnings().forEach(l -> System.out.println("    final run: " + l));
                w.assertExactlyOnce(out);
                assertThat(committedAtStart.subList(1, committedAtStart.size()))
                        .as("every restart found a committed checkpoint")
                        .allMatch(id -> id > 0);
                assertThat(committedAtStart)
                        .as("the committed checkpoint never goes backwards")
                        .isSorted();
                for (int k = 0; k < kills; k++) {
                    assertThat(committedAtStart.get(k + 1))
                            .as(
                                    "committed checkpoint found by run %d: at least the newest"
                                            + " one run %d had committed",
                                    k + 1, k)
                            .isGreaterThanOrEqualTo(committedByRun.get(k));
                }
            }
        } finally {
            feeder.stop();
        }
    }

    /**
     * The broker (a child JVM of its own) is stopped and started again while input flows and
     * checkpoints commit: the job keeps running, possibly through restarts, and the output is
     * exactly once.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void brokerRestartedGracefullyMidRunTheJobKeepsRunningAndOutputIsExactlyOnce()
            throws Exception {
        runThroughBrokerRestart("eos-broker-stop", KafkaBrokerProcess::restart);
    }

    /** As above, but the broker is killed with SIGKILL before it starts again. */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void brokerKilledAndRestartedMidRunTheJobKeepsRunningAndOutputIsExactlyOnce() throws Exception {
        runThroughBrokerRestart(
                "eos-broker-kill",
                b -> {
                    b.kill();
                    b.restart();
                });
    }

    private void runThroughBrokerRestart(String name, Consumer<KafkaBrokerProcess> bounce)
            throws Exception {
        String in = name + "-in";
        String out = name + "-out";
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir.resolve("broker"), Map.of());
                KafkaTestClient client = KafkaTestClient.forBroker(broker)) {
            client.createTopic(in, 4);
            client.createTopic(out, 4);
            AggregateWorkload w = new AggregateWorkload(name.hashCode(), 1_000);
            w.produce(client, in, 20_000);
            WeirConfig config =
                    ExactlyOnceTest.config(broker, dir, name, in, out)
                            .with("restart.exponential-backoff.max.ms", "2000");
            try (RunningJob job = Weir.start(new KeyedAggregate().create(config), config)) {
                assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
                AggregateWorkload.awaitOutput(client, out, w, Duration.ofSeconds(60));
                long committedBefore = RecoveryTest.lastCompleted(job);
                // Input keeps arriving while the broker goes down and comes back.
                InputFeeder feeder =
                        InputFeeder.start(
                                name + "-input",
                                () -> {
                                    for (int i = 0; i < 12; i++) {
                                        w.produce(client, in, 5_000);
                                        Thread.sleep(250);
                                    }
                                });
                try {
                    Thread.sleep(700);
                    long start = System.nanoTime();
                    bounce.accept(broker);
                    long bounceMillis = (System.nanoTime() - start) / 1_000_000;
                    feeder.join(Duration.ofSeconds(90));
                    w.produce(client, in, 10_000);
                    List<ConsumerRecord<String, String>> output =
                            AggregateWorkload.awaitOutput(client, out, w, Duration.ofSeconds(120));
                    List<CheckpointStats> checkpoints = job.checkpoints();
                    long slowest =
                            checkpoints.stream()
                                    .mapToLong(CheckpointStats::durationMillis)
                                    .max()
                                    .orElse(0);
                    System.out.printf(
                            "ExactlyOnceCrashTest %s: broker back after %d ms; %d inputs, %d"
                                    + " outputs; job %s after %d restarts (restored %s),"
                                    + " checkpoints completed %d before, %d at the end, %d"
                                    + " failed, slowest %d ms%n",
                            name,
                            bounceMillis,
                            w.total(),
                            output.size(),
                            job.status(),
                            job.restarts(),
                            describe(job.restoredCheckpointId()),
                            committedBefore,
                            RecoveryTest.lastCompleted(job),
                            checkpoints.stream()
                                    .filter(c -> c.status() == CheckpointStats.Status.FAILED)
                                    .count(),
                            slowest);
                    w.assertExactlyOnce(output);
                    assertThat(job.status())
                            .as("job status after the broker came back")
                            .isEqualTo(JobStatus.RUNNING);
                    assertThat(RecoveryTest.lastCompleted(job))
                            .as("checkpoints complete again after the broker came back")
                            .isGreaterThan(committedBefore);
                    assertThat(slowest >= 1_000 || job.restarts() > 0)
                            .as(
                                    "the outage held up a checkpoint (slowest took %d ms) or"
                                            + " restarted the job",
                                    slowest)
                            .isTrue();
                } finally {
                    feeder.stop();
                }
            }
        }
    }

    /**
     * Checkpoint id in the {@code weir.chk=n} metadata of the group's committed offsets, read until
     * it is {@code expected} or 10 s passed (a committed transaction's markers are written just
     * after commitTransaction returns, so the crashed process may not have seen them land).
     */
    private static long awaitCheckpointInGroup(KafkaTestClient client, String group, long expected)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long seen = checkpointInGroup(client, group);
            if (seen == expected || System.nanoTime() > deadline) {
                return seen;
            }
            Thread.sleep(100);
        }
    }

    static long checkpointInGroup(KafkaTestClient client, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets =
                client.admin()
                        .listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
        long max = -1;
        for (OffsetAndMetadata om : offsets.values()) {
            if (om != null && om.metadata() != null) {
                Matcher m = CHECKPOINT_TAG.matcher(om.metadata());
                if (m.matches()) {
                    max = Math.max(max, Long.parseLong(m.group(1)));
                }
            }
        }
        return max;
    }

    /**
     * Committed output at any moment is a prefix of the exactly-once output: per key the counts 1,
     * 2, …, m in order.
     */
    private static void assertCountsAreOneToMPerKey(List<ConsumerRecord<String, String>> output) {
        Map<String, Long> lastCount = new HashMap<>();
        for (ConsumerRecord<String, String> r : output) {
            long count = AggregateWorkload.countOf(r.value());
            long expected = lastCount.getOrDefault(r.key(), 0L) + 1;
            if (count != expected) {
                throw new AssertionError(
                        "committed output of key "
                                + r.key()
                                + " has count "
                                + count
                                + " where "
                                + expected
                                + " comes next ("
                                + (count < expected ? "duplicate" : "gap")
                                + ")");
            }
            lastCount.put(r.key(), count);
        }
    }

    private static String describe(Optional<Long> checkpoint) {
        return checkpoint.map(String::valueOf).orElse("none");
    }
}
