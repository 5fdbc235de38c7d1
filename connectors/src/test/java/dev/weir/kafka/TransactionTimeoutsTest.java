package dev.weir.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weir.UnrecoverableJobException;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.CommitOutcome;
import dev.weir.spi.CommitterContext;
import dev.weir.testkit.EmbeddedKafka;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How the exactly-once sink chooses {@code transaction.timeout.ms} and checks it against the
 * broker's {@code transaction.max.timeout.ms} (docs/architecture.md §4.2: checked at startup,
 * failing with a message that names the keys to change).
 */
@ExtendWith(KafkaExtension.class)
@Timeout(60)
class TransactionTimeoutsTest {
    private static final long KAFKA_DEFAULT_CAP = 900_000;

    /**
     * A broker that caps transactions at 30 s and looks for timed-out transactions every 500 ms
     * (Kafka's default is every 10 s).
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
                                "30000",
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

    @Test
    void requiredIsIntervalPlusTimeoutPlusTheLongestExponentialBackoff() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "1000",
                        "checkpoint.timeout.ms", "20000",
                        "restart.strategy", "exponential-backoff",
                        "restart.exponential-backoff.max.ms", "7000");

        assertThat(TransactionTimeouts.required(c)).isEqualTo(1000 + 20000 + 7000);
    }

    @Test
    void requiredIsIntervalPlusTimeoutPlusTheFixedDelay() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "1000",
                        "checkpoint.timeout.ms", "20000",
                        "restart.strategy", "fixed-delay",
                        "restart.fixed-delay.delay.ms", "3000",
                        // Not the strategy in use: must not count.
                        "restart.exponential-backoff.max.ms", "500000");

        assertThat(TransactionTimeouts.required(c)).isEqualTo(1000 + 20000 + 3000);
    }

    @Test
    void requiredIsIntervalPlusTimeoutWithoutRestarts() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "1000",
                        "checkpoint.timeout.ms", "20000",
                        "restart.strategy", "none",
                        "restart.exponential-backoff.max.ms", "500000",
                        "restart.fixed-delay.delay.ms", "500000");

        assertThat(TransactionTimeouts.required(c)).isEqualTo(1000 + 20000);
    }

    @Test
    void defaultsGiveTwiceTheRequiredTimeUnderKafkasDefaultCap() {
        // 5000 interval + 60000 timeout + 30000 exponential backoff max.
        assertThat(TransactionTimeouts.required(WeirConfig.empty())).isEqualTo(95_000);

        assertThat(TransactionTimeouts.resolve(WeirConfig.empty(), KAFKA_DEFAULT_CAP))
                .isEqualTo(190_000);
    }

    @Test
    void shortCheckpointsGetAtLeastOneMinute() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "200",
                        "checkpoint.timeout.ms", "1000",
                        "restart.strategy", "none");

        assertThat(TransactionTimeouts.resolve(c, KAFKA_DEFAULT_CAP)).isEqualTo(60_000);
    }

    @Test
    void theOneMinuteFloorNeverExceedsTheBrokerCap() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "200",
                        "checkpoint.timeout.ms", "1000",
                        "restart.strategy", "none");

        assertThat(TransactionTimeouts.resolve(c, 30_000)).isEqualTo(30_000);
    }

    @Test
    void twiceTheRequiredTimeIsCutToTheBrokerCapWhenRequiredStillFits() {
        WeirConfig c =
                config(
                        "checkpoint.interval.ms", "10000",
                        "checkpoint.timeout.ms", "50000",
                        "restart.strategy", "fixed-delay",
                        "restart.fixed-delay.delay.ms", "10000");

        // required 70000, twice that is 140000 > cap 100000 >= required.
        assertThat(TransactionTimeouts.resolve(c, 100_000)).isEqualTo(100_000);
        assertThat(TransactionTimeouts.resolve(c, 70_000)).isEqualTo(70_000);
    }

    @Test
    void defaultChoiceIsMinOfCapAndMaxOfTwiceRequiredAndOneMinuteAcrossConfigurations() {
        long[] intervals = {10, 500, 5_000, 60_000};
        long[] timeouts = {100, 2_000, 60_000, 300_000};
        String[][] restarts = {
            {"restart.strategy", "none"},
            {"restart.strategy", "fixed-delay", "restart.fixed-delay.delay.ms", "4000"},
            {
                "restart.strategy",
                "exponential-backoff",
                "restart.exponential-backoff.max.ms",
                "45000"
            }
        };
        long[] caps = {30_000, 120_000, 900_000, 3_600_000};
        int checked = 0;
        for (long interval : intervals) {
            for (long timeout : timeouts) {
                for (String[] restart : restarts) {
                    Map<String, String> m = new HashMap<>();
                    m.put("checkpoint.interval.ms", String.valueOf(interval));
                    m.put("checkpoint.timeout.ms", String.valueOf(timeout));
                    for (int i = 0; i < restart.length; i += 2) {
                        m.put(restart[i], restart[i + 1]);
                    }
                    WeirConfig c = WeirConfig.of(m);
                    long backoff =
                            restart.length == 2 ? 0 : Long.parseLong(restart[restart.length - 1]);
                    long required = interval + timeout + backoff;
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
                        "restart.strategy", "none");

        assertThat(
                        TransactionTimeouts.resolve(
                                base.with(TransactionTimeouts.USER_KEY, "45000"), 100_000))
                .isEqualTo(45_000);
        assertThat(
                        TransactionTimeouts.resolve(
                                base.with(TransactionTimeouts.USER_KEY, "10000"), 100_000))
                .as("exactly the required time")
                .isEqualTo(10_000);
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
                        "restart.strategy",
                        "none",
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
                        "restart.strategy",
                        "fixed-delay",
                        "restart.fixed-delay.delay.ms",
                        "1000",
                        TransactionTimeouts.USER_KEY,
                        "20000");

        assertThatThrownBy(() -> TransactionTimeouts.resolve(c, KAFKA_DEFAULT_CAP))
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("kafka.producer.transaction.timeout.ms")
                .hasMessageContaining("at least 33000");
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
    void aRequiredTimeAboveTheBrokerCapIsRefusedNamingCheckpointTimeoutAndTheBrokerSetting() {
        // Defaults: 5000 + 60000 + 30000 = 95000 ms required, the broker allows 30000.
        assertThatThrownBy(() -> TransactionTimeouts.resolve(WeirConfig.empty(), 30_000))
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("checkpoint.timeout.ms")
                .hasMessageContaining("transaction.max.timeout.ms=30000")
                .hasMessageContaining("95000")
                .hasMessageContaining("by at least 65000 ms");
    }

    @Test
    void brokerCapReadsTheBrokersTransactionMaxTimeout() {
        assertThat(TransactionTimeouts.brokerCap(limited.admin())).isEqualTo(30_000);
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

    /**
     * Opens epoch 1 with a record under a 1 s transaction timeout, waits until the broker aborted
     * it, then commits checkpoint 1.
     */
    private static TimedOutCommit commitAfterTheBrokerTimedOutTheTransaction() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String job = "timeout-job-" + id;
        String in = "timeout-in-" + id;
        String out = "timeout-out-" + id;
        limited.createTopic(in, 1);
        limited.createTopic(out, 1);
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
                        "400",
                        "restart.strategy",
                        "none",
                        TransactionTimeouts.USER_KEY,
                        "1000");
        try (KafkaTransactions txns =
                new KafkaTransactions(
                        new TestCommitterContext(job, 1, config, InstantSource.system()))) {
            txns.recover();
            assertThat(txns.transactionTimeoutMillis()).isEqualTo(1000);
            txns.begin(1);
            txns.producer(1).send(new ProducerRecord<>(out, "late".getBytes(UTF_8))).get();

            // The broker aborts the transaction once it is older than its timeout: the partition's
            // last stable offset then passes the record and the abort marker.
            await().atMost(Duration.ofSeconds(15))
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
