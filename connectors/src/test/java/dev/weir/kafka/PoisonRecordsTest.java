package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.Header;
import dev.weir.Job;
import dev.weir.JobStatus;
import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.RecordSerde;
import dev.weir.RetriableSerdeException;
import dev.weir.RunningJob;
import dev.weir.Serdes;
import dev.weir.UnrecoverableJobException;
import dev.weir.Weir;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records the source's serde cannot read, under each {@code source.deserialization.error.policy},
 * and records it cannot read yet ({@link RetriableSerdeException}), in exactly-once jobs run in
 * this JVM against the shared broker.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class PoisonRecordsTest {
    private static final Duration READ = Duration.ofSeconds(15);

    /** Set while values {@code slow-…} cannot be read (a registry outage, say). */
    static final AtomicBoolean OUTAGE = new AtomicBoolean();

    /** Set until a record {@code boom} has failed its attempt once. */
    static final AtomicBoolean BOOM_PENDING = new AtomicBoolean();

    /**
     * Timestamps of input records a test checks: an hour ago, well within the broker's retention
     * (records older than 7 days may be deleted before the job reads them again).
     */
    private static final long BASE_TIMESTAMP = System.currentTimeMillis() / 1000 * 1000 - 3_600_000;

    @TempDir Path dir;

    /** UTF-8 values; {@code bad…} is malformed, {@code slow…} unreadable during an outage. */
    static final class TestValues implements RecordSerde<String> {
        @Override
        public byte[] serialize(String topic, dev.weir.OutgoingHeaders headers, String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(String topic, List<Header> headers, byte[] data) {
            String v = new String(data, StandardCharsets.UTF_8);
            if (v.startsWith("bad")) {
                throw new WeirException("not a value: " + v);
            }
            if (v.startsWith("denied")) {
                throw new UnrecoverableJobException("registry refuses the job's credentials");
            }
            if (v.startsWith("slow") && OUTAGE.get()) {
                throw new RetriableSerdeException("registry unreachable", null);
            }
            return v;
        }
    }

    /** Counts per key; a record {@code boom} fails its attempt once. */
    static final class CountPerKey implements KeyedProcessFunction<String, String, String, String> {
        private ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            count = state.valueState(new ValueStateDescriptor<>("count", Serdes.longs()));
        }

        @Override
        public void process(Record<String, String> r, Context<String, String, String> out) {
            if (r.value().equals("boom") && BOOM_PENDING.compareAndSet(true, false)) {
                throw new IllegalStateException("boom: this attempt fails once");
            }
            if (r.value().toLowerCase(java.util.Locale.ROOT).startsWith("oops")) {
                throw new IllegalArgumentException("cannot count " + r.value());
            }
            long next = count.valueOrElse(0L) + 1;
            count.update(next);
            out.emit(r.withValue(String.valueOf(next)));
        }
    }

    @Test
    void failStopsTheJobAtOnceNamingTheRecordAndTheWaysPastIt(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t = topics(broker, client, "fail", Map.of());
        client.produceStrings(
                t.in, List.of(Map.entry("k", "v0"), Map.entry("k", "v1"), Map.entry("k", "bad")));

        RunningJob job = Weir.start(job(t), t.config);
        try {
            assertThat(job.awaitTermination(Duration.ofSeconds(30))).isTrue();
            assertThat(job.status()).isEqualTo(JobStatus.FAILED);
            assertThat(job.restarts()).as("no crash loop").isZero();
            assertThat(job.failure().orElseThrow())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("topic " + t.in + ", partition 0, offset 2")
                    .hasMessageContaining("not a value: bad")
                    .hasMessageContaining("source.deserialization.error.policy=skip")
                    .hasMessageContaining("offsets reset")
                    .hasMessageContaining("--topic " + t.in + ":0 --to-offset 3");
        } finally {
            job.stop();
        }
    }

    @Test
    void aSetupErrorOfTheSerdeIsNeverSkipped(KafkaBroker broker, KafkaTestClient client)
            throws Exception {
        Topics t =
                topics(
                        broker,
                        client,
                        "setup",
                        Map.of("source.deserialization.error.policy", "skip"));
        client.produceStrings(t.in, List.of(Map.entry("k", "v0"), Map.entry("k", "denied")));

        RunningJob job = Weir.start(job(t), t.config);
        try {
            assertThat(job.awaitTermination(Duration.ofSeconds(30))).isTrue();
            assertThat(job.status()).isEqualTo(JobStatus.FAILED);
            assertThat(job.failure().orElseThrow()).hasMessageContaining("credentials");
            assertThat(job.counters()).containsEntry("source.deserialization-errors.skipped", 0L);
        } finally {
            job.stop();
        }
    }

    @Test
    void skipCountsThePoisonRecordsAndTheRestIsCountedExactlyOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t =
                topics(
                        broker,
                        client,
                        "skip",
                        Map.of("source.deserialization.error.policy", "skip"));
        List<Map.Entry<String, String>> input = input(200, 7);
        client.produceStrings(t.in, input);

        try (RunningJob job = Weir.start(job(t), t.config)) {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> client.readAllCommitted(t.out, READ).size() >= 193);
            assertThat(job.counters()).containsEntry("source.deserialization-errors.skipped", 7L);
        }
        assertExactCounts(client.readAllCommitted(t.out, READ), input);
    }

    /**
     * Dead letters go into the checkpoint's transaction: an attempt that fails after writing some
     * (a record {@code boom} right behind them) aborts them with its output, and the replay writes
     * them again — a read_committed reader sees each once.
     */
    @Test
    void deadLettersAreWrittenOnceWithTheirOriginAndErrorThroughARestart(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String dlq = "dlq-" + id;
        client.createTopic(dlq, 1);
        Topics t =
                topics(
                        broker,
                        client,
                        "dlq",
                        Map.of(
                                "source.deserialization.error.policy",
                                "dead-letter",
                                "source.dead-letter.topic",
                                dlq));
        List<Map.Entry<String, String>> input = input(150, 5);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        long timestamp = BASE_TIMESTAMP;
        for (Map.Entry<String, String> e : input) {
            ProducerRecord<String, String> r =
                    new ProducerRecord<>(t.in, 0, timestamp++, e.getKey(), e.getValue());
            r.headers().add("trace", e.getValue().getBytes(StandardCharsets.UTF_8));
            records.add(r);
        }
        records.add(new ProducerRecord<>(t.in, 0, timestamp, "k0", "boom"));
        BOOM_PENDING.set(true);
        client.produce(records);

        try (RunningJob job = Weir.start(job(t), t.config)) {
            await().atMost(Duration.ofSeconds(40))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> client.readAllCommitted(t.out, READ).size() >= 146);
            assertThat(job.restarts()).as("the boom attempt failed").isEqualTo(1);
        }
        List<ConsumerRecord<String, String>> letters = client.readAllCommitted(dlq, READ);
        assertThat(letters).extracting(ConsumerRecord::value).containsExactly(poison(input));
        for (ConsumerRecord<String, String> r : letters) {
            int offset = input.indexOf(Map.entry(r.key(), r.value()));
            assertThat(r.timestamp()).isEqualTo(BASE_TIMESTAMP + offset);
            assertThat(header(r, "trace")).isEqualTo(r.value());
            assertThat(header(r, DeadLetters.TOPIC)).isEqualTo(t.in);
            assertThat(header(r, DeadLetters.PARTITION)).isEqualTo("0");
            assertThat(header(r, DeadLetters.OFFSET)).isEqualTo(String.valueOf(offset));
            assertThat(header(r, DeadLetters.EXCEPTION)).isEqualTo(WeirException.class.getName());
            assertThat(header(r, DeadLetters.MESSAGE)).isEqualTo("not a value: " + r.value());
            assertThat(header(r, DeadLetters.STACKTRACE)).contains("TestValues.deserialize");
            assertThat(header(r, DeadLetters.OPERATOR)).isEqualTo("in");
        }
        List<Map.Entry<String, String>> counted = new ArrayList<>(input);
        counted.add(Map.entry("k0", "boom"));
        assertExactCounts(client.readAllCommitted(t.out, READ), counted);
    }

    @Test
    void processErrorPolicySkipDropsTheRecordsTheFunctionThrowsOn(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t = topics(broker, client, "oops", Map.of("process.error.policy", "skip"));
        List<Map.Entry<String, String>> input = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            input.add(Map.entry("k" + (i % 5), (i % 30 == 7 ? "oops" : "v") + i));
        }
        client.produceStrings(t.in, input);

        try (RunningJob job = Weir.start(job(t), t.config)) {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> client.readAllCommitted(t.out, READ).size() >= 116);
            assertThat(job.counters()).containsEntry("process.errors.skipped", 4L);
            assertThat(job.restarts()).isZero();
        }
        List<Map.Entry<String, String>> counted = new ArrayList<>(input);
        counted.removeIf(e -> e.getValue().startsWith("oops"));
        assertExactCounts(client.readAllCommitted(t.out, READ), counted);
    }

    /**
     * {@code fail}: every attempt fails on the record, so nothing after it commits; the output
     * committed before it stays exactly once and nothing is dead-lettered.
     */
    @Test
    void processErrorPolicyFailRestartsOnTheRecordAndCommitsNothingAfterIt(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String dlq = deadLetterTopic(client);
        Topics t = topics(broker, client, "pfail", Map.of("source.dead-letter.topic", dlq));
        List<Map.Entry<String, String>> before = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            before.add(Map.entry("k" + (i % 5), "v" + i));
        }
        client.produceStrings(t.in, before);
        try (RunningJob job = Weir.start(job(t), t.config)) {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> client.readAllCommitted(t.out, READ).size() >= 60);
            client.produceStrings(t.in, List.of(Map.entry("k1", "oops60"), Map.entry("k2", "v61")));
            await().atMost(Duration.ofSeconds(30)).until(() -> job.restarts() >= 2);
            assertThat(job.failure()).isEmpty();
        }
        assertExactCounts(client.readAllCommitted(t.out, READ), before);
        assertThat(client.readAllCommitted(dlq, Duration.ofSeconds(3))).isEmpty();
    }

    /**
     * {@code dead-letter}: each record the function throws on is in the dead-letter topic once, as
     * the source read it — key, value, timestamp and headers, although a map changed all of them
     * before the function — with the error and the process operator's uid. The attempt that wrote
     * the letters fails before its checkpoint commits (the sink cannot write the record right
     * behind them; a failure after the function is never dead-lettered): its letters are aborted
     * with its output and written again by the replay.
     */
    @Test
    void processDeadLettersAreTheRecordsAsReadWrittenOnceThroughAFailedAttempt(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String dlq = deadLetterTopic(client);
        Topics t =
                topics(
                        broker,
                        client,
                        "pdlq",
                        Map.of(
                                "process.error.policy",
                                "dead-letter",
                                "process.dead-letter.topic",
                                dlq,
                                "source.dead-letter.topic",
                                "not-this-one"));
        List<Map.Entry<String, String>> input = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            input.add(Map.entry("k" + (i % 5), (i % 30 == 7 ? "oops" : "v") + i));
        }
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        long timestamp = BASE_TIMESTAMP;
        for (Map.Entry<String, String> e : input) {
            ProducerRecord<String, String> r =
                    new ProducerRecord<>(t.in, 0, timestamp++, e.getKey(), e.getValue());
            r.headers().add("trace", e.getValue().getBytes(StandardCharsets.UTF_8));
            records.add(r);
        }
        // Right behind the last oops: the sink fails on it once, in the letters' epoch.
        records.add(98, new ProducerRecord<>(t.in, 0, BASE_TIMESTAMP, "kboom", "v-boom"));
        input.add(98, Map.entry("kboom", "v-boom"));
        SINK_BOOM_PENDING.set(true);
        client.produce(records);

        try (RunningJob job = Weir.start(shoutingJob(t), t.config)) {
            await().atMost(Duration.ofSeconds(40))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> client.readAllCommitted(t.out, READ).size() >= 117);
            assertThat(job.restarts()).as("the sink's failure failed the attempt").isEqualTo(1);
            assertThat(job.counters().get("process.errors.dead-lettered"))
                    .as("letters written, the aborted ones again")
                    .isGreaterThan(4L);
        }
        List<ConsumerRecord<String, String>> letters = client.readAllCommitted(dlq, READ);
        assertThat(letters)
                .extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder("oops7", "oops37", "oops67", "oops97");
        for (ConsumerRecord<String, String> r : letters) {
            int offset = offsetOf(records, r.value());
            assertThat(r.key()).isEqualTo(records.get(offset).key());
            assertThat(r.timestamp()).isEqualTo(records.get(offset).timestamp());
            assertThat(header(r, "trace")).isEqualTo(r.value());
            assertThat(header(r, DeadLetters.TOPIC)).isEqualTo(t.in);
            assertThat(header(r, DeadLetters.PARTITION)).isEqualTo("0");
            assertThat(header(r, DeadLetters.OFFSET)).isEqualTo(String.valueOf(offset));
            assertThat(header(r, DeadLetters.EXCEPTION))
                    .isEqualTo(IllegalArgumentException.class.getName());
            assertThat(header(r, DeadLetters.MESSAGE))
                    .isEqualTo("cannot count " + r.value().toUpperCase(java.util.Locale.ROOT));
            assertThat(header(r, DeadLetters.STACKTRACE)).contains("CountPerKey.process");
            assertThat(header(r, DeadLetters.OPERATOR)).isEqualTo("count");
        }
        List<Map.Entry<String, String>> counted = new ArrayList<>(input);
        counted.removeIf(e -> e.getValue().startsWith("oops"));
        assertExactCounts(client.readAllCommitted(t.out, READ), counted);
    }

    @Test
    void processDeadLetterWithoutATopicFailsAtStartNamingTheKeys(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t =
                topics(broker, client, "pnotopic", Map.of("process.error.policy", "dead-letter"));
        RunningJob job = Weir.start(job(t), t.config);
        try {
            assertThat(job.awaitTermination(Duration.ofSeconds(30))).isTrue();
            assertThat(job.status()).isEqualTo(JobStatus.FAILED);
            assertThat(job.restarts()).isZero();
            assertThat(job.failure().orElseThrow())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("process.error.policy=dead-letter needs")
                    .hasMessageContaining("process.dead-letter.topic")
                    .hasMessageContaining("source.dead-letter.topic");
        } finally {
            job.stop();
        }
    }

    @Test
    void aRecordThatCannotBeReadYetWaitsWhileCheckpointsGoOn(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        Topics t = topics(broker, client, "wait", Map.of());
        List<Map.Entry<String, String>> input = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            input.add(Map.entry("k" + (i % 5), i == 40 ? "slow-" + i : "v" + i));
        }
        OUTAGE.set(true);
        client.produceStrings(t.in, input);
        try (RunningJob job = Weir.start(job(t), t.config)) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> job.lastCompletedCheckpoint().isPresent());
            long during = job.lastCompletedCheckpoint().orElseThrow().id();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> job.lastCompletedCheckpoint().orElseThrow().id() >= during + 3);
            assertThat(client.readAllCommitted(t.out, READ))
                    .as("nothing after the waiting record of its partition")
                    .hasSizeLessThan(100);
            OUTAGE.set(false);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> client.readAllCommitted(t.out, READ).size() >= 100);
            assertThat(job.restarts()).isZero();
        } finally {
            OUTAGE.set(false);
        }
        assertExactCounts(client.readAllCommitted(t.out, READ), input);
    }

    // --- helpers ---

    /** {@code n} records over five keys, every {@code n / poison}-th one malformed. */
    private static List<Map.Entry<String, String>> input(int n, int poison) {
        List<Map.Entry<String, String>> input = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean bad = i % (n / poison) == n / poison / 2;
            input.add(Map.entry("k" + (i % 5), (bad ? "bad" : "v") + i));
        }
        return input;
    }

    private static String[] poison(List<Map.Entry<String, String>> input) {
        return input.stream()
                .map(Map.Entry::getValue)
                .filter(v -> v.startsWith("bad"))
                .toArray(String[]::new);
    }

    /** Every readable input counted once: per key, the committed counts run 1..n. */
    private static void assertExactCounts(
            List<ConsumerRecord<String, String>> committed, List<Map.Entry<String, String>> input) {
        Map<String, Long> expected = new TreeMap<>();
        input.stream()
                .filter(e -> !e.getValue().startsWith("bad"))
                .forEach(e -> expected.merge(e.getKey(), 1L, Long::sum));
        Map<String, List<Long>> counts = new TreeMap<>();
        committed.forEach(
                r ->
                        counts.computeIfAbsent(r.key(), k -> new ArrayList<>())
                                .add(Long.valueOf(r.value())));
        Map<String, Long> last = new TreeMap<>();
        counts.forEach(
                (key, c) -> {
                    for (int i = 0; i < c.size(); i++) {
                        assertThat(c.get(i)).as("count %d of key %s", i + 1, key).isEqualTo(i + 1L);
                    }
                    last.put(key, (long) c.size());
                });
        assertThat(last).isEqualTo(expected);
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        org.apache.kafka.common.header.Header h = r.headers().lastHeader(name);
        assertThat(h).as("header %s", name).isNotNull();
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Set until the sink failed once on key {@code kboom}. */
    static final AtomicBoolean SINK_BOOM_PENDING = new AtomicBoolean();

    /** UTF-8 keys; the sink cannot write key {@code kboom} once. */
    static final class SinkKeys implements RecordSerde<String> {
        @Override
        public byte[] serialize(String topic, dev.weir.OutgoingHeaders headers, String key) {
            if (key.equals("kboom") && SINK_BOOM_PENDING.compareAndSet(true, false)) {
                throw new WeirException("the sink cannot write kboom this time");
            }
            return key.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(String topic, List<Header> headers, byte[] data) {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /**
     * As {@link #job}, but a map before the function changes each record's value (upper case),
     * timestamp and headers, keeping its origin; the sink fails once on key {@code kboom}.
     */
    private static Job shoutingJob(Topics t) {
        var b = Job.builder();
        b.source("in", KafkaSource.of(List.of(t.in), Serdes.string(), new TestValues()))
                .map(
                        r ->
                                new Record<>(
                                        r.key(),
                                        r.value().toUpperCase(java.util.Locale.ROOT),
                                        r.timestamp() + 1,
                                        List.of(new Header("shouted", new byte[] {1})),
                                        r.origin()))
                .keyBy(Serdes.string())
                .process("count", CountPerKey::new)
                .sink("out", KafkaSink.of(t.out, new SinkKeys(), Serdes.string()));
        return b.build();
    }

    private static int offsetOf(List<ProducerRecord<String, String>> records, String value) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).value().equals(value)) {
                return i;
            }
        }
        throw new AssertionError("no input record " + value);
    }

    private static String deadLetterTopic(KafkaTestClient client) {
        String dlq = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
        client.createTopic(dlq, 1);
        return dlq;
    }

    private static Job job(Topics t) {
        var b = Job.builder();
        b.source("in", KafkaSource.of(List.of(t.in), Serdes.string(), new TestValues()))
                .keyBy(Serdes.string())
                .process("count", CountPerKey::new)
                .sink("out", KafkaSink.strings(t.out));
        return b.build();
    }

    private record Topics(String in, String out, WeirConfig config) {}

    private Topics topics(
            KafkaBroker broker, KafkaTestClient client, String name, Map<String, String> extra) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String in = name + "-in-" + id;
        String out = name + "-out-" + id;
        client.createTopic(in, 1);
        client.createTopic(out, 2);
        Map<String, String> m = ExactlyOnceJobTest.settings(broker, dir, name + "-job-" + id);
        m.putAll(extra);
        return new Topics(in, out, WeirConfig.of(m));
    }
}
