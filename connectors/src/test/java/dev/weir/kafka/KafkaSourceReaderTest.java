package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.weir.Record;
import dev.weir.Serde;
import dev.weir.Serdes;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceReader;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drives {@link KafkaSourceReader}s, created through {@link KafkaSource}, against the shared
 * embedded broker on the test thread. Every record's value is {@code p<partition>-<offset>}, so a
 * test can tell where each record came from by its value alone (that {@link Record#origin()} says
 * the same is {@code KafkaRecordSerdeTest}'s).
 */
@ExtendWith(KafkaExtension.class)
@Timeout(60)
class KafkaSourceReaderTest {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(100);

    /** Long enough for records that should not be there (duplicates, wrong partitions) to show. */
    private static final Duration QUIET = Duration.ofMillis(300);

    private record TestSourceContext(
            SubtaskInfo subtask,
            WeirConfig config,
            Map<String, Long> restoredPositions,
            InstantSource clock)
            implements SourceContext {}

    @Test
    void readersOfTwoSubtasksOwnDisjointPartitionsCoveringTheTopicAndReadEveryRecordOnce(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("split");
        client.createTopic(topic, 5);
        List<String> produced = producePerPartition(client, topic, 5, 10);
        Map<String, String> config = config(broker, "source.start", "earliest");

        try (SourceReader<String, String> r0 =
                        reader(topic, context(topic, 0, 2, config, Map.of()));
                SourceReader<String, String> r1 =
                        reader(topic, context(topic, 1, 2, config, Map.of()))) {
            List<String> read0 = new ArrayList<>();
            List<String> read1 = new ArrayList<>();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (read0.size() + read1.size() < produced.size()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "expected "
                                    + produced.size()
                                    + " records within "
                                    + DEADLINE
                                    + ", subtask 0 read "
                                    + read0
                                    + ", subtask 1 read "
                                    + read1);
                }
                values(r0.poll(POLL), read0);
                values(r1.poll(POLL), read1);
            }
            values(r0.poll(QUIET), read0);
            values(r1.poll(QUIET), read1);

            Set<String> owned0 = r0.snapshotPositions(1).keySet();
            Set<String> owned1 = r1.snapshotPositions(1).keySet();
            assertThat(owned0).as("partitions of subtask 0").isNotEmpty();
            assertThat(owned1).as("partitions of subtask 1").isNotEmpty();
            assertThat(owned0).doesNotContainAnyElementsOf(owned1);
            Set<String> union = new HashSet<>(owned0);
            union.addAll(owned1);
            assertThat(union)
                    .containsExactlyInAnyOrder(
                            topic + ":0", topic + ":1", topic + ":2", topic + ":3", topic + ":4");
            assertThat(read0).allSatisfy(v -> assertThat(owned0).contains(splitOf(topic, v)));
            assertThat(read1).allSatisfy(v -> assertThat(owned1).contains(splitOf(topic, v)));
            List<String> all = new ArrayList<>(read0);
            all.addAll(read1);
            assertThat(all).containsExactlyInAnyOrderElementsOf(produced);
        }
    }

    @Test
    void earliestStartReadsEveryRecordAlreadyInTheTopic(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("earliest");
        client.createTopic(topic, 2);
        List<String> produced = producePerPartition(client, topic, 2, 3);

        try (SourceReader<String, String> reader =
                reader(
                        topic,
                        context(
                                topic,
                                0,
                                1,
                                config(broker, "source.start", "earliest"),
                                Map.of()))) {
            assertThat(pollAllOf(reader, produced.size()))
                    .containsExactlyInAnyOrderElementsOf(produced);
        }
    }

    @Test
    void latestStartSkipsRecordsThatExistedWhenTheReaderStarted(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("latest");
        client.createTopic(topic, 1);
        producePerPartition(client, topic, 1, 2);

        try (SourceReader<String, String> reader =
                reader(
                        topic,
                        context(topic, 0, 1, config(broker, "source.start", "latest"), Map.of()))) {
            // A checkpoint before the first poll: the start position is the end of the partition.
            assertThat(reader.snapshotPositions(1)).containsExactly(Map.entry(topic + ":0", 2L));
            client.produce(
                    List.of(
                            new ProducerRecord<>(topic, 0, null, value(0, 2)),
                            new ProducerRecord<>(topic, 0, null, value(0, 3))));

            assertThat(pollAllOf(reader, 2)).containsExactly(value(0, 2), value(0, 3));
        }
    }

    @Test
    void latestStartReadsRecordsProducedAfterTheReaderWasCreatedBeforeItsFirstPoll(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("latest-early");
        client.createTopic(topic, 1);
        producePerPartition(client, topic, 1, 2);

        try (SourceReader<String, String> reader =
                reader(
                        topic,
                        context(topic, 0, 1, config(broker, "source.start", "latest"), Map.of()))) {
            client.produce(
                    List.of(
                            new ProducerRecord<>(topic, 0, null, value(0, 2)),
                            new ProducerRecord<>(topic, 0, null, value(0, 3))));

            assertThat(pollAllOf(reader, 2)).containsExactly(value(0, 2), value(0, 3));
        }
    }

    @Test
    void committedStartResumesAtTheGroupsOffsetsAndAtEarliestWhereThereIsNone(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String topic = unique("committed");
        client.createTopic(topic, 3);
        producePerPartition(client, topic, 3, 4);
        String job = topic;
        commit(
                client,
                job,
                Map.of(new TopicPartition(topic, 0), 2L, new TopicPartition(topic, 1), 3L));

        try (SourceReader<String, String> reader =
                reader(
                        topic,
                        context(
                                job,
                                0,
                                1,
                                config(broker, "source.start", "committed"),
                                Map.of()))) {
            assertThat(pollAllOf(reader, 7))
                    .containsExactlyInAnyOrder(
                            value(0, 2),
                            value(0, 3),
                            value(1, 3),
                            value(2, 0),
                            value(2, 1),
                            value(2, 2),
                            value(2, 3));
        }
    }

    @Test
    void committedStartResumesAtTheGroupsOffsetsWhenEveryPartitionHasOne(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String topic = unique("committed-all");
        client.createTopic(topic, 2);
        producePerPartition(client, topic, 2, 4);
        String job = topic;
        commit(
                client,
                job,
                Map.of(new TopicPartition(topic, 0), 2L, new TopicPartition(topic, 1), 3L));

        try (SourceReader<String, String> reader =
                reader(
                        topic,
                        context(
                                job,
                                0,
                                1,
                                config(broker, "source.start", "committed"),
                                Map.of()))) {
            assertThat(pollAllOf(reader, 3))
                    .containsExactlyInAnyOrder(value(0, 2), value(0, 3), value(1, 3));
        }
    }

    @Test
    void timestampStartSeeksToTheFirstRecordAtOrAfterTheTimestampAndToTheEndWhereThereIsNone(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("timestamp");
        client.createTopic(topic, 2);
        long base = System.currentTimeMillis() - 600_000;
        produceWithTimestamps(client, topic, 0, base, 5);
        produceWithTimestamps(client, topic, 1, base - 10_000, 2);
        Map<String, String> config =
                config(
                        broker,
                        "source.start",
                        "timestamp",
                        "source.start.timestamp-ms",
                        String.valueOf(base + 2_000));

        try (SourceReader<String, String> reader =
                reader(topic, context(topic, 0, 1, config, Map.of()))) {
            List<Record<String, String>> records = pollRecordsAllOf(reader, 3);

            assertThat(records)
                    .extracting(Record::value)
                    .containsExactly(value(0, 2), value(0, 3), value(0, 4));
            assertThat(records)
                    .extracting(Record::timestamp)
                    .containsExactly(base + 2_000, base + 3_000, base + 4_000);
        }
    }

    @Test
    void timestampStartSeeksToTheFirstRecordAtOrAfterTheTimestampWhenEveryPartitionHasOne(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("timestamp-all");
        client.createTopic(topic, 1);
        long base = System.currentTimeMillis() - 600_000;
        produceWithTimestamps(client, topic, 0, base, 5);
        Map<String, String> config =
                config(
                        broker,
                        "source.start",
                        "timestamp",
                        "source.start.timestamp-ms",
                        String.valueOf(base + 2_000));

        try (SourceReader<String, String> reader =
                reader(topic, context(topic, 0, 1, config, Map.of()))) {
            assertThat(pollAllOf(reader, 3)).containsExactly(value(0, 2), value(0, 3), value(0, 4));
        }
    }

    @Test
    void restoredPositionsOverrideTheStartOptionForThePartitionsTheyName(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("restored");
        client.createTopic(topic, 3);
        producePerPartition(client, topic, 3, 4);
        Map<String, Long> restored =
                Map.of(topic + ":0", 2L, topic + ":1", 1L, "some-other-topic:0", 5L);

        try (SourceReader<String, String> reader =
                reader(
                        topic,
                        context(
                                topic,
                                0,
                                1,
                                config(broker, "source.start", "earliest"),
                                restored))) {
            assertThat(pollAllOf(reader, 9))
                    .containsExactlyInAnyOrder(
                            value(0, 2),
                            value(0, 3),
                            value(1, 1),
                            value(1, 2),
                            value(1, 3),
                            value(2, 0),
                            value(2, 1),
                            value(2, 2),
                            value(2, 3));
        }
    }

    /**
     * A partition the restored checkpoint does not name (added while the job was down, or found
     * after its last commit) starts at its earliest offset whatever {@code source.start} says:
     * {@code latest} would skip the records written to it before the restart.
     */
    @Test
    void onceRestoredAPartitionTheCheckpointDoesNotNameStartsAtEarliestEvenWithLatest(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("restored-latest");
        client.createTopic(topic, 3);
        producePerPartition(client, topic, 3, 3);
        Map<String, Long> restored = Map.of(topic + ":0", 1L, topic + ":1", 3L);

        try (SourceReader<String, String> reader =
                reader(
                        topic,
                        context(topic, 0, 1, config(broker, "source.start", "latest"), restored))) {
            assertThat(pollAllOf(reader, 5))
                    .containsExactlyInAnyOrder(
                            value(0, 1), value(0, 2), value(2, 0), value(2, 1), value(2, 2));
        }
    }

    @Test
    void
            snapshotPositionsAreTheNextOffsetsAndAReaderRestoredFromThemContinuesWithoutLossOrDuplicate(
                    KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("snapshot");
        client.createTopic(topic, 3);
        List<String> produced = producePerPartition(client, topic, 3, 5);
        Map<String, String> config =
                config(broker, "source.start", "earliest", "kafka.consumer.max.poll.records", "4");

        List<String> first;
        Map<String, Long> positions;
        try (SourceReader<String, String> reader =
                reader(topic, context(topic, 0, 1, config, Map.of()))) {
            first = pollAtLeast(reader, 6);
            positions = reader.snapshotPositions(1);
        }
        assertThat(first).hasSizeLessThan(produced.size());
        assertThat(positions).isEqualTo(nextOffsets(topic, 3, first));

        // latest: a reader that ignored the restored positions would read nothing at all.
        Map<String, String> restart = config(broker, "source.start", "latest");
        try (SourceReader<String, String> reader =
                reader(topic, context(topic, 0, 1, restart, positions))) {
            List<String> rest = pollAllOf(reader, produced.size() - first.size());

            List<String> all = new ArrayList<>(first);
            all.addAll(rest);
            assertThat(all).containsExactlyInAnyOrderElementsOf(produced);
            assertThat(reader.snapshotPositions(2)).isEqualTo(nextOffsets(topic, 3, produced));
        }
    }

    @Test
    void checkpointCompletionCommitsItsPositionsToTheJobNamedGroupWithTheCheckpointId(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String topic = unique("commit");
        client.createTopic(topic, 2);
        producePerPartition(client, topic, 2, 3);
        String job = topic + "-job";

        try (SourceReader<String, String> reader =
                reader(
                        topic,
                        context(job, 0, 1, config(broker, "source.start", "earliest"), Map.of()))) {
            pollAllOf(reader, 6);
            Map<String, Long> positions = reader.snapshotPositions(7);
            reader.notifyCheckpointComplete(7, positions);

            Map<TopicPartition, OffsetAndMetadata> committed =
                    awaitCommitted(client, reader, job, 2);

            assertThat(committed)
                    .containsOnlyKeys(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            committed.forEach(
                    (tp, om) -> {
                        assertThat(om.offset()).as("offset of %s", tp).isEqualTo(3L);
                        assertThat(om.metadata()).as("metadata of %s", tp).isEqualTo("weir.chk=7");
                    });
        }
    }

    @Test
    void checkpointCompletionCommitsToSourceGroupIdWhenItIsSet(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String topic = unique("commit-group");
        client.createTopic(topic, 1);
        producePerPartition(client, topic, 1, 4);
        String job = topic + "-job";
        String group = topic + "-group";
        Map<String, String> config =
                config(broker, "source.start", "earliest", "source.group.id", group);

        try (SourceReader<String, String> reader =
                reader(topic, context(job, 0, 1, config, Map.of()))) {
            pollAllOf(reader, 4);
            reader.notifyCheckpointComplete(7, Map.of(topic + ":0", 3L));

            Map<TopicPartition, OffsetAndMetadata> committed =
                    awaitCommitted(client, reader, group, 1);

            OffsetAndMetadata om = committed.get(new TopicPartition(topic, 0));
            assertThat(om.offset()).isEqualTo(3L);
            assertThat(om.metadata()).isEqualTo("weir.chk=7");
            assertThat(committedOffsets(client, job)).isEmpty();
        }
    }

    @Test
    void partitionsAddedToATopicArePickedUpAndReadFromTheEarliestOffset(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String topic = unique("discovery");
        client.createTopic(topic, 1);
        producePerPartition(client, topic, 1, 2);
        Map<String, String> config =
                config(
                        broker,
                        "source.start",
                        "latest",
                        "source.partition-discovery.interval.ms",
                        "500");

        try (SourceReader<String, String> reader =
                reader(topic, context(topic, 0, 1, config, Map.of()))) {
            assertThat(reader.poll(POLL)).isEmpty();
            client.admin()
                    .createPartitions(Map.of(topic, NewPartitions.increaseTo(3)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            client.produce(
                    List.of(
                            new ProducerRecord<>(topic, 1, null, value(1, 0)),
                            new ProducerRecord<>(topic, 2, null, value(2, 0)),
                            new ProducerRecord<>(topic, 2, null, value(2, 1))));

            assertThat(pollAllOf(reader, 3))
                    .containsExactlyInAnyOrder(value(1, 0), value(2, 0), value(2, 1));
            assertThat(reader.snapshotPositions(1))
                    .containsOnlyKeys(topic + ":0", topic + ":1", topic + ":2");
        }
    }

    @Test
    void recordTheSerdeRejectsFailsPollNamingTopicPartitionAndOffset(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("bad-record");
        client.createTopic(topic, 1);
        client.produce(
                List.of(
                        new ProducerRecord<>(topic, 0, "k", "good"),
                        new ProducerRecord<>(topic, 0, "k", "bad"),
                        new ProducerRecord<>(topic, 0, "k", "after")));
        KafkaSource<String, String> source =
                KafkaSource.of(List.of(topic), Serdes.string(), rejecting("bad"));

        try (SourceReader<String, String> reader =
                source.createReader(
                        context(
                                "bad-record-job",
                                0,
                                1,
                                config(broker, "source.start", "earliest"),
                                Map.of()))) {
            Throwable thrown = catchThrowable(() -> pollAtLeast(reader, 3));

            assertThat(thrown)
                    .isInstanceOf(WeirException.class)
                    .hasMessageContaining(topic)
                    .hasMessageContaining("partition 0")
                    .hasMessageContaining("offset 1");
        }
    }

    @Test
    void topicThatDoesNotExistFailsReaderCreationNamingTheTopic(
            KafkaBroker broker, KafkaTestClient client) {
        String existing = unique("exists");
        String missing = unique("missing");
        client.createTopic(existing, 1);
        SourceContext ctx =
                context(
                        "missing-topic-job",
                        0,
                        1,
                        config(broker, "source.start", "earliest"),
                        Map.of());

        assertThatThrownBy(() -> KafkaSource.strings(existing, missing).createReader(ctx).close())
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("'" + missing + "'")
                .hasMessageNotContaining(existing);
    }

    // ---- helpers ----

    private static String unique(String prefix) {
        return "src-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String value(int partition, long offset) {
        return "p" + partition + "-" + offset;
    }

    private static String splitOf(String topic, String value) {
        return topic + ":" + value.substring(1, value.indexOf('-'));
    }

    private static Map<String, String> config(KafkaBroker broker, String... keyValues) {
        Map<String, String> config = new HashMap<>();
        config.put("bootstrap.servers", broker.bootstrapServers());
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    private static SourceContext context(
            String job,
            int subtask,
            int parallelism,
            Map<String, String> config,
            Map<String, Long> restored) {
        return new TestSourceContext(
                new SubtaskInfo(job, "source", subtask, parallelism),
                WeirConfig.of(config),
                restored,
                InstantSource.system());
    }

    private static SourceReader<String, String> reader(String topic, SourceContext ctx) {
        return KafkaSource.strings(topic).createReader(ctx);
    }

    /** Produces {@code perPartition} records to each partition; returns their values. */
    private static List<String> producePerPartition(
            KafkaTestClient client, String topic, int partitions, int perPartition) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (int i = 0; i < perPartition; i++) {
                records.add(new ProducerRecord<>(topic, p, null, value(p, i)));
            }
        }
        client.produce(records);
        return records.stream().map(ProducerRecord::value).toList();
    }

    /** Record {@code i} of {@code partition} gets timestamp {@code base + i * 1000}. */
    private static void produceWithTimestamps(
            KafkaTestClient client, String topic, int partition, long base, int count) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(
                    new ProducerRecord<>(
                            topic, partition, base + i * 1_000L, null, value(partition, i)));
        }
        client.produce(records);
    }

    private static void commit(
            KafkaTestClient client, String group, Map<TopicPartition, Long> offsets)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> om = new HashMap<>();
        offsets.forEach((tp, o) -> om.put(tp, new OffsetAndMetadata(o)));
        client.admin().alterConsumerGroupOffsets(group, om).all().get(30, TimeUnit.SECONDS);
    }

    /**
     * Polls the reader (which completes its async commits) until the group has {@code count}
     * offsets.
     */
    private static Map<TopicPartition, OffsetAndMetadata> awaitCommitted(
            KafkaTestClient client, SourceReader<String, String> reader, String group, int count)
            throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(client, group);
        while (committed.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "expected "
                                + count
                                + " committed offsets in group '"
                                + group
                                + "' within "
                                + DEADLINE
                                + ", got "
                                + committed);
            }
            reader.poll(POLL);
            committed = committedOffsets(client, group);
        }
        return committed;
    }

    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(
            KafkaTestClient client, String group) throws InterruptedException, TimeoutException {
        try {
            return client.admin()
                    .listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw new AssertionError(
                    "cannot list the offsets of group '" + group + "'", e.getCause());
        }
    }

    /** For each partition: one past the highest offset among {@code values}, or 0. */
    private static Map<String, Long> nextOffsets(
            String topic, int partitions, List<String> values) {
        Map<String, Long> next = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            next.put(topic + ":" + p, 0L);
        }
        for (String v : values) {
            long offset = Long.parseLong(v.substring(v.indexOf('-') + 1));
            next.merge(splitOf(topic, v), offset + 1, Math::max);
        }
        return next;
    }

    private static void values(List<Record<String, String>> records, List<String> into) {
        records.forEach(r -> into.add(r.value()));
    }

    /**
     * Polls until at least {@code count} records arrived; returns exactly what the polls returned.
     */
    private static List<String> pollAtLeast(SourceReader<String, String> reader, int count) {
        return pollRecords(reader, count).stream().map(Record::value).toList();
    }

    /** {@link #pollAtLeast}, then one more quiet poll so that records beyond {@code count} show. */
    private static List<String> pollAllOf(SourceReader<String, String> reader, int count) {
        return pollRecordsAllOf(reader, count).stream().map(Record::value).toList();
    }

    private static List<Record<String, String>> pollRecordsAllOf(
            SourceReader<String, String> reader, int count) {
        List<Record<String, String>> records = pollRecords(reader, count);
        records.addAll(reader.poll(QUIET));
        return records;
    }

    private static List<Record<String, String>> pollRecords(
            SourceReader<String, String> reader, int count) {
        List<Record<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (records.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "expected "
                                + count
                                + " records within "
                                + DEADLINE
                                + ", got "
                                + records.stream().map(Record::value).toList());
            }
            records.addAll(reader.poll(POLL));
        }
        return records;
    }

    /** UTF-8 strings, except that {@code rejected} cannot be read. */
    private static Serde<String> rejecting(String rejected) {
        return new Serde<>() {
            @Override
            public byte[] serialize(String value) {
                return value.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String deserialize(byte[] bytes) {
                String s = new String(bytes, StandardCharsets.UTF_8);
                if (s.equals(rejected)) {
                    throw new IllegalArgumentException("value '" + rejected + "' is not allowed");
                }
                return s;
            }
        };
    }
}
