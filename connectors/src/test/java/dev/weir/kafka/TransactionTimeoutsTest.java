package dev.weir.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weir.CheckpointStats;
import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.UnrecoverableJobException;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CommitOutcome;
import dev.weir.spi.CommitterContext;
import dev.weir.testkit.EmbeddedKafka;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the exactly-once sink chooses {@code transaction.timeout.ms} and checks it against the
 * broker's {@code transaction.max.timeout.ms} (docs/architecture.md §4.2: checked at startup,
 * failing with a message that names the keys to change), and that the time it requires covers the
 * longest life of a transaction: two slow checkpoints in a row, on a real broker, with checkpoint
 * uploads slowed to just under {@code checkpoint.timeout.ms} by {@link SlowUploadStorageFactory}.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(60)
class TransactionTimeoutsTest {
    private static final long KAFKA_DEFAULT_CAP = 900_000;
    private static final long LIMITED_CAP = 300_000;
    private static final Duration READ = Duration.ofSeconds(15);

    @TempDir Path dir;

    /**
     * A broker that caps transactions at 5 min (Kafka's default is 15 min) and looks for timed-out
     * transactions every 500 ms (Kafka's default is every 10 s), so an expired transaction is
     * aborted within half a second.
     */
    private static EmbeddedKafka limitedBroker;

    private static KafkaTestClient limited;

    private record TestCommitterContext(
            String jobName, int parallelism, WeirConfig config, InstantSource clock)
            implements CommitterContext {}

    @BeforeAll
    static void startLimitedBroker() {
        limitedBroker =
                EmbeddedKafka.start(
                        Map.of(
                                "transaction.max.timeout.ms",
                                String.valueOf(LIMITED_CAP),
                                "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                                "500"));
        limited = KafkaTestClient.forBroker(limitedBroker);
    }

    @AfterAll
    static void stopLimitedBroker() {
        if (limited != null) {
            limited.close();
        }
        if (limitedBroker != null) {
            limitedBroker.close();
        }
    }

    /**
     * A failing attempt aborts its transactions before the backoff, and the next start aborts what
     * is left: no restart setting lengthens the time a transaction must stay open.
     */
    @Test
    void theRestartBackoffDoesNotLengthenTheRequiredTime() {
        WeirConfig base =
                config(
                        "checkpoint.interval.ms", "1000",
                        "checkpoint.timeout.ms", "20000",
                        "kafka.producer.max.block.ms", "2000",
                        "restart.exponential-backoff.max.ms", "500000",
                        "restart.fixed-delay.delay.ms", "500000");
        long expected = 2 * 20000 + 1000 + 2 * (7 * 2000 + 3100);

        for (String strategy : List.of("none", "fixed-delay", "exponential-backoff")) {
            assertThat(TransactionTimeouts.required(base.with("restart.strategy", strategy)))
                    .as("restart.strategy=%s", strategy)
                    .isEqualTo(expected);
        }
    }

    @Test
    void withoutAMaxBlockSettingEachCommitAttemptIsBoundedByThePoolDefault() {
        assertThat(TransactionTimeouts.maxBlockMillis(WeirConfig.empty())).isEqualTo(15_000);
        assertThat(TransactionTimeouts.commitBudget(WeirConfig.empty()))
                .isEqualTo(7 * 15_000 + 3100);
    }

    @Test
    void maxBlockComesFromTheProducerSettingThenTheCommonOne() {
        WeirConfig common = config("kafka.common.max.block.ms", "4000");

        assertThat(TransactionTimeouts.maxBlockMillis(common)).isEqualTo(4000);
        assertThat(
                        TransactionTimeouts.maxBlockMillis(
                                common.with(TransactionTimeouts.MAX_BLOCK_KEY, "3000")))
                .isEqualTo(3000);
    }

    @Test
    void aMaxBlockThatIsNotANumberIsRefusedNamingTheKey() {
        WeirConfig c = config(TransactionTimeouts.MAX_BLOCK_KEY, "-5");

        assertThatThrownBy(() -> TransactionTimeouts.resolve(c, KAFKA_DEFAULT_CAP))
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("kafka.producer.max.block.ms")
                .hasMessageContaining("-5");
    }

    @Test
    void defaultsGiveTwiceTheRequiredTimeUnderKafkasDefaultCap() {
        // 2 × 60000 timeout + 5000 interval + 2 × (7 × 15000 max.block + 3100 pauses).
        assertThat(TransactionTimeouts.required(WeirConfig.empty())).isEqualTo(341_200);

        assertThat(TransactionTimeouts.resolve(WeirConfig.empty(), KAFKA_DEFAULT_CAP))
                .isEqualTo(682_400);
    }

    @Test
    void shortCheckpointsGetAtLeastOneMinute() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "200",
                        "checkpoint.timeout.ms", "1000",
                        "kafka.producer.max.block.ms", "1000");

        // required 2 × 1000 + 200 + 2 × (7000 + 3100) = 22400, twice that is under a minute.
        assertThat(TransactionTimeouts.resolve(c, KAFKA_DEFAULT_CAP)).isEqualTo(60_000);
    }

    @Test
    void theOneMinuteFloorNeverExceedsTheBrokerCap() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "200",
                        "checkpoint.timeout.ms", "1000",
                        "kafka.producer.max.block.ms", "1000");

        assertThat(TransactionTimeouts.resolve(c, 30_000)).isEqualTo(30_000);
    }

    @Test
    void twiceTheRequiredTimeIsCutToTheBrokerCapWhenRequiredStillFits() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "10000",
                        "checkpoint.timeout.ms", "50000",
                        "kafka.producer.max.block.ms", "1000");

        // required 2 × 50000 + 10000 + 2 × 10100 = 130200, twice that > cap 200000 >= required.
        assertThat(TransactionTimeouts.resolve(c, 200_000)).isEqualTo(200_000);
        assertThat(TransactionTimeouts.resolve(c, 130_200)).isEqualTo(130_200);
    }

    @Test
    void defaultChoiceIsMinOfCapAndMaxOfTwiceRequiredAndOneMinuteAcrossConfigurations() {
        long[] intervals = {10, 500, 5_000, 60_000};
        long[] timeouts = {100, 2_000, 60_000, 300_000};
        String[] maxBlocks = {"100", "1000", null, "30000"};
        long[] caps = {30_000, 120_000, 900_000, 3_600_000};
        int checked = 0;
        for (long interval : intervals) {
            for (long timeout : timeouts) {
                for (String maxBlock : maxBlocks) {
                    Map<String, String> m = new HashMap<>();
                    m.put("checkpoint.interval.ms", String.valueOf(interval));
                    m.put("checkpoint.timeout.ms", String.valueOf(timeout));
                    if (maxBlock != null) {
                        m.put("kafka.producer.max.block.ms", maxBlock);
                    }
                    WeirConfig c = WeirConfig.of(m);
                    long block = maxBlock == null ? 15_000 : Long.parseLong(maxBlock);
                    long commit =
                            (CheckpointCommitter.COMMIT_ATTEMPTS + 1) * block
                                    + CheckpointCommitter.COMMIT_RETRY_PAUSES_MS;
                    long required = 2 * timeout + interval + 2 * commit;
                    assertThat(TransactionTimeouts.required(c)).as("%s", m).isEqualTo(required);
                    for (long cap : caps) {
                        if (required > cap) {
                            continue;
                        }
                        assertThat(TransactionTimeouts.resolve(c, cap))
                                .as("%s, cap %d", m, cap)
                                .isEqualTo(Math.min(cap, Math.max(2 * required, 60_000)));
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).as("combinations that fit under a cap").isGreaterThan(30);
    }

    @Test
    void aUserValueBetweenRequiredAndCapIsUsedAsGivenIncludingBothBounds() {
        WeirConfig base =
                config(
                        "checkpoint.interval.ms", "1000",
                        "checkpoint.timeout.ms", "9000",
                        "kafka.producer.max.block.ms", "1000");

        // required 2 × 9000 + 1000 + 2 × (7000 + 3100) = 39200.
        assertThat(
                        TransactionTimeouts.resolve(
                                base.with(TransactionTimeouts.USER_KEY, "45000"), 100_000))
                .isEqualTo(45_000);
        assertThat(
                        TransactionTimeouts.resolve(
                                base.with(TransactionTimeouts.USER_KEY, "39200"), 100_000))
                .as("exactly the required time")
                .isEqualTo(39_200);
        assertThat(
                        TransactionTimeouts.resolve(
                                base.with(TransactionTimeouts.USER_KEY, "100000"), 100_000))
                .as("exactly the broker cap")
                .isEqualTo(100_000);
    }

    @Test
    void aUserValueAboveTheBrokerCapIsRefusedNamingTheKeyTheCapAndTheBrokerSetting() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms",
                        "1000",
                        "checkpoint.timeout.ms",
                        "9000",
                        "kafka.producer.max.block.ms",
                        "1000",
                        TransactionTimeouts.USER_KEY,
                        "40000");

        assertThatThrownBy(() -> TransactionTimeouts.resolve(c, 30_000))
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("kafka.producer.transaction.timeout.ms")
                .hasMessageContaining("40000")
                .hasMessageContaining("transaction.max.timeout.ms=30000")
                .hasMessageContaining("at most 30000");
    }

    @Test
    void aUserValueBelowTheRequiredTimeIsRefusedNamingTheKeyAndTheRequiredMinimum() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms",
                        "2000",
                        "checkpoint.timeout.ms",
                        "30000",
                        TransactionTimeouts.USER_KEY,
                        "20000");

        // 2 × 30000 + 2000 + 2 × (7 × 15000 + 3100).
        assertThatThrownBy(() -> TransactionTimeouts.resolve(c, KAFKA_DEFAULT_CAP))
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("kafka.producer.transaction.timeout.ms")
                .hasMessageContaining("at least 278200");
    }

    @Test
    void aUserValueThatIsNotANumberIsRefusedNamingTheKey() {
        WeirConfig c = config(TransactionTimeouts.USER_KEY, "one minute");

        assertThatThrownBy(() -> TransactionTimeouts.resolve(c, KAFKA_DEFAULT_CAP))
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("kafka.producer.transaction.timeout.ms")
                .hasMessageContaining("one minute");
    }

    @Test
    void aRequiredTimeAboveTheBrokerCapIsRefusedNamingTheKeysAndTheBrokerSetting() {
        // Defaults: 341200 ms required, the broker allows 30000.
        assertThatThrownBy(() -> TransactionTimeouts.resolve(WeirConfig.empty(), 30_000))
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("checkpoint.timeout.ms=60000")
                .hasMessageContaining("checkpoint.interval.ms=5000")
                .hasMessageContaining("kafka.producer.max.block.ms=15000")
                .hasMessageContaining("transaction.max.timeout.ms=30000")
                .hasMessageContaining("341200")
                .hasMessageContaining("by at least 311200 ms");
    }

    /**
     * Issue 12: the old check asked for interval + timeout + restart backoff (here 22000 ms), but
     * epoch n's transaction lives through the rest of checkpoint n-1 and its commit, the wait for
     * the next trigger, checkpoint n and its commit: 2 × 20000 + 1000 + 2 × (7 × 2000 + 3100).
     */
    @Test
    void aTimeoutThatCoversOnlyOneCheckpointIsRefusedNamingTheKeysAndTheWorstCase() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms",
                        "1000",
                        "checkpoint.timeout.ms",
                        "20000",
                        "restart.strategy",
                        "fixed-delay",
                        "restart.fixed-delay.delay.ms",
                        "1000",
                        "kafka.producer.max.block.ms",
                        "2000",
                        TransactionTimeouts.USER_KEY,
                        "22000");

        assertThatThrownBy(() -> TransactionTimeouts.resolve(c, KAFKA_DEFAULT_CAP))
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("kafka.producer.transaction.timeout.ms=22000")
                .hasMessageContaining("at least 75200")
                .hasMessageContaining("checkpoint.timeout.ms=20000")
                .hasMessageContaining("checkpoint.interval.ms=1000")
                .hasMessageContaining("kafka.producer.max.block.ms=2000");
    }

    @Test
    void requiredIsTwoCheckpointTimeoutsPlusTheIntervalPlusTwoCommitRetryBudgets() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "1000",
                        "checkpoint.timeout.ms", "20000",
                        "kafka.producer.max.block.ms", "3000");

        // A commit makes 6 attempts, each blocking at most max.block.ms in commitTransaction, plus
        // once in sendOffsetsToTransaction, with 100 + 200 + 400 + 800 + 1600 ms of pauses.
        long commitBudget = 7 * 3000 + 3100;
        assertThat(TransactionTimeouts.required(c)).isEqualTo(2 * 20000 + 1000 + 2 * commitBudget);
    }

    /**
     * Epoch 2's transaction spans checkpoints 1 and 2, each slowed to just under the checkpoint
     * timeout. Before issue 12 the smallest timeout the check accepted (interval + timeout +
     * restart backoff) let the broker abort it, the commit failed and the job restarted, again and
     * again while uploads stayed slow; now that timeout is refused before the job touches a
     * transaction.
     */
    @Test
    void aTimeoutTheOldCheckAcceptedIsRefusedAtStartupRatherThanAbortedBehindTwoSlowCheckpoints()
            throws Exception {
        SlowJob j = slowJob("old-bound");
        long oldRequired = SLOW_INTERVAL_MS + SLOW_TIMEOUT_MS + SLOW_RESTART_DELAY_MS;
        WeirConfig c = j.config().with(TransactionTimeouts.USER_KEY, String.valueOf(oldRequired));
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger produced = new AtomicInteger();
        Thread producer = produceWhile(producing, j.in(), produced);
        SlowUploadStorageFactory.slowNext(2, SLOW_UPLOAD_MS);
        RunningJob job = Weir.start(ExactlyOnceJobTest.countingJob(j.in(), j.out()), c);
        try {
            job.awaitTermination(Duration.ofSeconds(20));

            assertThat(job.restarts())
                    .as(
                            "restarts (slowed checkpoints %s; failures %s)",
                            SlowUploadStorageFactory.slowedCheckpoints(), failures(job))
                    .isZero();
            assertThat(job.status()).isEqualTo(JobStatus.FAILED);
            assertThat(job.failure().orElseThrow())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining(TransactionTimeouts.USER_KEY + "=" + oldRequired)
                    .hasMessageContaining("at least " + TransactionTimeouts.required(c))
                    .hasMessageContaining("checkpoint.timeout.ms=" + SLOW_TIMEOUT_MS);
        } finally {
            job.stop();
            SlowUploadStorageFactory.reset();
            producing.set(false);
            producer.join(10_000);
        }
    }

    /**
     * With the smallest timeout the check accepts, the transaction that spans two checkpoints each
     * slowed to just under the checkpoint timeout commits: no restart, every input counted once.
     */
    @Test
    void withTheSmallestAcceptedTimeoutTwoSlowCheckpointsInARowCommitWithoutARestart()
            throws Exception {
        SlowJob j = slowJob("new-bound");
        long required = TransactionTimeouts.required(j.config());
        WeirConfig c = j.config().with(TransactionTimeouts.USER_KEY, String.valueOf(required));
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger produced = new AtomicInteger();
        Thread producer = produceWhile(producing, j.in(), produced);
        SlowUploadStorageFactory.slowNext(2, SLOW_UPLOAD_MS);
        try (RunningJob job = Weir.start(ExactlyOnceJobTest.countingJob(j.in(), j.out()), c)) {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () ->
                                    SlowUploadStorageFactory.slowedCheckpoints().size() == 2
                                            && job.lastCompletedCheckpoint().orElseThrow().id()
                                                    > SlowUploadStorageFactory.slowedCheckpoints()
                                                            .get(1));
            producing.set(false);
            producer.join(10_000);
            Map<String, Long> inputsPerKey = new TreeMap<>();
            for (int seq = 0; seq < produced.get(); seq++) {
                inputsPerKey.merge("k" + (seq % KEYS), 1L, Long::sum);
            }
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(300))
                    .until(
                            () ->
                                    ExactlyOnceJobTest.lastCountPerKey(
                                                    limited.readAllCommitted(j.out(), READ))
                                            .equals(inputsPerKey));

            assertThat(job.restarts()).as("restarts (failures %s)", failures(job)).isZero();
            List<Long> slowed = SlowUploadStorageFactory.slowedCheckpoints();
            CheckpointStats first = stats(job, slowed.get(0));
            CheckpointStats second = stats(job, slowed.get(1));
            assertThat(second.id()).as("slowed in a row").isEqualTo(first.id() + 1);
            assertThat(List.of(first.status(), second.status()))
                    .containsOnly(CheckpointStats.Status.COMPLETED);
            assertThat(first.durationMillis()).isGreaterThanOrEqualTo(SLOW_UPLOAD_MS);
            assertThat(second.durationMillis()).isGreaterThanOrEqualTo(SLOW_UPLOAD_MS);
            assertThat(
                            second.triggerTimestampMillis()
                                    + second.durationMillis()
                                    - first.triggerTimestampMillis())
                    .as(
                            "life of the transaction opened at barrier %d: longer than the old bound",
                            first.id())
                    .isGreaterThan(SLOW_INTERVAL_MS + SLOW_TIMEOUT_MS + SLOW_RESTART_DELAY_MS);
        } finally {
            SlowUploadStorageFactory.reset();
            producing.set(false);
            producer.join(10_000);
        }
        List<ConsumerRecord<String, String>> committed = limited.readAllCommitted(j.out(), READ);
        ExactlyOnceJobTest.assertCountsRunFromOne(committed);
        assertThat(committed).hasSize(produced.get());
    }

    private static final int KEYS = 10;
    private static final long SLOW_INTERVAL_MS = 500;
    private static final long SLOW_TIMEOUT_MS = 4000;
    private static final long SLOW_UPLOAD_MS = 3400;
    private static final long SLOW_RESTART_DELAY_MS = 200;

    private record SlowJob(String in, String out, WeirConfig config) {}

    /**
     * The counting job on the limited broker, its checkpoints in {@code slowfile} storage; input
     * and output topics of two partitions.
     */
    private SlowJob slowJob(String name) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String in = name + "-in-" + id;
        String out = name + "-out-" + id;
        limited.createTopic(in, 2);
        limited.createTopic(out, 2);
        URI checkpoints = dir.resolve("checkpoints").toUri();
        WeirConfig c =
                config(
                        "job.name",
                        name + "-job-" + id,
                        "bootstrap.servers",
                        limitedBroker.bootstrapServers(),
                        "parallelism",
                        "2",
                        "checkpoint.dir",
                        "slowfile://" + checkpoints.getPath(),
                        "checkpoint.interval.ms",
                        String.valueOf(SLOW_INTERVAL_MS),
                        "checkpoint.timeout.ms",
                        String.valueOf(SLOW_TIMEOUT_MS),
                        "state.local-dir",
                        dir.resolve("state").toString(),
                        "sink.delivery",
                        "exactly-once",
                        "job.lock.session-timeout.ms",
                        "6000",
                        "source.start",
                        "earliest",
                        "restart.strategy",
                        "fixed-delay",
                        "restart.fixed-delay.delay.ms",
                        String.valueOf(SLOW_RESTART_DELAY_MS));
        return new SlowJob(in, out, c);
    }

    /** Writes batches of 20 records over {@link #KEYS} keys every 20 ms until told to stop. */
    private static Thread produceWhile(AtomicBoolean producing, String topic, AtomicInteger n) {
        Thread t =
                new Thread(
                        () -> {
                            while (producing.get()) {
                                List<Map.Entry<String, String>> batch = new ArrayList<>();
                                for (int i = 0; i < 20; i++) {
                                    int seq = n.getAndIncrement();
                                    batch.add(Map.entry("k" + (seq % KEYS), "v" + seq));
                                }
                                limited.produceStrings(topic, batch);
                                try {
                                    Thread.sleep(20);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    return;
                                }
                            }
                        },
                        "timeout-test-producer");
        t.start();
        return t;
    }

    private static List<String> failures(RunningJob job) {
        return job.checkpoints().stream().flatMap(s -> s.failure().stream()).toList();
    }

    private static CheckpointStats stats(RunningJob job, long id) {
        return job.checkpoints().stream()
                .filter(s -> s.id() == id)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no stats of checkpoint " + id));
    }

    @Test
    void brokerCapReadsTheBrokersTransactionMaxTimeout() {
        assertThat(TransactionTimeouts.brokerCap(limited.admin())).isEqualTo(LIMITED_CAP);
    }

    @Test
    void aTransactionTheBrokerTimedOutFailsItsCommitAndItsRecordsStayInvisible() throws Exception {
        TimedOutCommit c = commitAfterTheBrokerTimedOutTheTransaction();

        assertThat(c.outcome()).isInstanceOf(CommitOutcome.Failed.class);
        assertThat(limited.readAllCommitted(c.out(), Duration.ofSeconds(10))).isEmpty();
    }

    @Test
    void aTransactionTheBrokerTimedOutFailsItsCommitNamingTheTimeoutKey() throws Exception {
        TimedOutCommit c = commitAfterTheBrokerTimedOutTheTransaction();

        assertThat(c.outcome()).isInstanceOf(CommitOutcome.Failed.class);
        CommitOutcome.Failed failed = (CommitOutcome.Failed) c.outcome();
        assertThat(failed.reason())
                .as("reason of %s", failed.cause())
                .contains("kafka.producer.transaction.timeout.ms");
    }

    private record TimedOutCommit(CommitOutcome outcome, String out) {}

    /** Shared by the tests of a timed-out commit: each run waits for the broker's abort. */
    private static TimedOutCommit timedOutCommit;

    /**
     * Opens epoch 1 with a record under the shortest transaction timeout the check accepts (20.5 s
     * with 1 s of max.block.ms and the smallest checkpoint settings), waits until the broker
     * aborted it, then commits checkpoint 1.
     */
    private static synchronized TimedOutCommit commitAfterTheBrokerTimedOutTheTransaction()
            throws Exception {
        if (timedOutCommit == null) {
            timedOutCommit = commitAfterTimeout();
        }
        return timedOutCommit;
    }

    private static TimedOutCommit commitAfterTimeout() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String job = "timeout-job-" + id;
        String in = "timeout-in-" + id;
        String out = "timeout-out-" + id;
        limited.createTopic(in, 1);
        limited.createTopic(out, 1);
        try (KafkaProducer<String, String> warm = limited.newTransactionalProducer("warm-" + id)) {
            // The transaction coordinator is ready before the pool's 1 s max.block.ms counts.
            warm.initTransactions();
        }
        WeirConfig config =
                config(
                        "bootstrap.servers",
                        limitedBroker.bootstrapServers(),
                        "sink.delivery",
                        "exactly-once",
                        "job.lock.session-timeout.ms",
                        "6000",
                        "checkpoint.interval.ms",
                        "100",
                        "checkpoint.timeout.ms",
                        "100",
                        "kafka.producer.max.block.ms",
                        "1000",
                        "restart.strategy",
                        "none");
        long timeout = TransactionTimeouts.required(config);
        assertThat(timeout).isEqualTo(2 * 100 + 100 + 2 * (7 * 1000 + 3100));
        config = config.with(TransactionTimeouts.USER_KEY, String.valueOf(timeout));
        try (KafkaTransactions txns =
                new KafkaTransactions(
                        new TestCommitterContext(job, 1, config, InstantSource.system()))) {
            txns.recover();
            assertThat(txns.transactionTimeoutMillis()).isEqualTo(timeout);
            txns.begin(1);
            txns.producer(1).send(new ProducerRecord<>(out, "late".getBytes(UTF_8))).get();

            // The broker aborts the transaction once it is older than its timeout: the partition's
            // last stable offset then passes the record and the abort marker.
            await().atMost(Duration.ofMillis(timeout + 15_000))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> lastStableOffset(out) >= 2);

            SubtaskSnapshot source =
                    new SubtaskSnapshot(0, Optional.empty(), List.of(), Map.of(in + ":0", 1L));
            CheckpointMetadata checkpoint1 =
                    new CheckpointMetadata(
                            job,
                            1,
                            System.currentTimeMillis(),
                            128,
                            List.of(new OperatorSnapshot("src", 1, List.of(), List.of(source))));
            return new TimedOutCommit(txns.commit(checkpoint1), out);
        }
    }

    @Test
    void brokerCapOfABrokerWithoutTheSettingIsKafkasDefault(KafkaTestClient client) {
        assertThat(TransactionTimeouts.brokerCap(client.admin())).isEqualTo(KAFKA_DEFAULT_CAP);
    }

    private static long lastStableOffset(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        Map.of(
                                "bootstrap.servers",
                                limitedBroker.bootstrapServers(),
                                "isolation.level",
                                "read_committed"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            return c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
        }
    }

    private static WeirConfig config(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return WeirConfig.of(m);
    }
}
