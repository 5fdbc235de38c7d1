package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.Header;
import dev.weir.Origin;
import dev.weir.OutgoingHeaders;
import dev.weir.Record;
import dev.weir.RecordSerde;
import dev.weir.Serdes;
import dev.weir.SubtaskInfo;
import dev.weir.config.WeirConfig;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the Kafka source and sink give their {@link RecordSerde}s — topic, headers, settings, one
 * configure and one close — and the {@link Origin} every source record carries; against the shared
 * embedded broker.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(60)
class KafkaRecordSerdeTest {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(100);

    private record TestSourceContext(
            SubtaskInfo subtask,
            WeirConfig config,
            Map<String, Long> restoredPositions,
            InstantSource clock)
            implements SourceContext {}

    private record TestSinkContext(SubtaskInfo subtask, WeirConfig config) implements SinkContext {
        @Override
        public Optional<CheckpointCommitter> committer() {
            return Optional.empty();
        }
    }

    @Test
    void everySourceRecordCarriesTheTopicPartitionAndOffsetItWasReadFrom(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("origin");
        client.createTopic(topic, 3);
        List<ProducerRecord<String, String>> produced = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            for (int i = 0; i < 4; i++) {
                produced.add(new ProducerRecord<>(topic, p, "k", "p" + p + "-" + i));
            }
        }
        client.produce(produced);

        try (SourceReader<String, String> reader =
                KafkaSource.strings(topic).createReader(sourceContext(0, 1, config(broker)))) {
            List<Record<String, String>> read = poll(reader, produced.size());

            assertThat(read).hasSize(produced.size());
            assertThat(read)
                    .allSatisfy(
                            r -> {
                                assertThat(r.origin()).isNotNull();
                                assertThat(r.origin().topic()).isEqualTo(topic);
                                assertThat(r.value())
                                        .isEqualTo(
                                                "p"
                                                        + r.origin().partition()
                                                        + "-"
                                                        + r.origin().offset());
                            });
            Record<String, Integer> derived = read.get(0).withValue(1).withKey("other");
            assertThat(derived.origin()).isEqualTo(read.get(0).origin());
        }
    }

    @Test
    void sourceSerdeReadsEachRecordWithItsTopicAndHeaders(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("headers-in");
        client.createTopic(topic, 1);
        ProducerRecord<String, String> withHeader = new ProducerRecord<>(topic, 0, "k1", "v1");
        withHeader.headers().add(new RecordHeader("enc", bytes("upper")));
        client.produce(List.of(withHeader, new ProducerRecord<>(topic, 0, "k2", "v2")));
        RecordSerde<String> headerAware =
                new RecordSerde<>() {
                    @Override
                    public byte[] serialize(String t, OutgoingHeaders headers, String value) {
                        throw new UnsupportedOperationException("read only");
                    }

                    @Override
                    public String deserialize(String t, List<Header> headers, byte[] data) {
                        String s = new String(data, StandardCharsets.UTF_8);
                        boolean upper =
                                headers.stream()
                                        .anyMatch(
                                                h ->
                                                        h.key().equals("enc")
                                                                && new String(
                                                                                h.value(),
                                                                                StandardCharsets
                                                                                        .UTF_8)
                                                                        .equals("upper"));
                        return t + ":" + (upper ? s.toUpperCase() : s);
                    }
                };
        KafkaSource<String, String> source =
                KafkaSource.of(List.of(topic), Serdes.string(), headerAware);

        try (SourceReader<String, String> reader =
                source.createReader(sourceContext(0, 1, config(broker)))) {
            List<Record<String, String>> read = poll(reader, 2);

            assertThat(read)
                    .extracting(Record::value)
                    .containsExactly(topic + ":V1", topic + ":v2");
            assertThat(read.get(0).headers())
                    .extracting(Header::key, h -> new String(h.value(), StandardCharsets.UTF_8))
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("enc", "upper"));
        }
    }

    @Test
    void sourceConfiguresItsSerdesOnceWithItsSettingsAndClosesThemAfterTheLastReaderCloses(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("lifecycle-in");
        client.createTopic(topic, 2);
        Recording keys = new Recording();
        Recording values = new Recording();
        KafkaSource<String, String> source = KafkaSource.of(List.of(topic), keys, values);
        Map<String, String> config =
                config(
                        broker,
                        "schema.registry.url",
                        "http://everyone",
                        "source.schema.registry.url",
                        "http://sources",
                        "sink.only",
                        "sinks");

        SourceReader<String, String> r0 = source.createReader(sourceContext(0, 2, config));
        SourceReader<String, String> r1 = source.createReader(sourceContext(1, 2, config));
        assertThat(keys.events).containsExactly("configure key");
        assertThat(values.events).containsExactly("configure value");
        Map<String, ?> settings = values.settings.get(0);
        assertThat(settings.get("schema.registry.url")).isEqualTo("http://sources");
        assertThat(settings.get("source.schema.registry.url")).isEqualTo("http://sources");
        assertThat(settings.get("bootstrap.servers")).isEqualTo(broker.bootstrapServers());
        assertThat(settings).doesNotContainKey("only");

        r0.close();
        assertThat(values.events).as("one reader still open").containsExactly("configure value");
        r1.close();
        r1.close();
        assertThat(keys.events).containsExactly("configure key", "close");
        assertThat(values.events).containsExactly("configure value", "close");

        // A restart creates readers again: the serdes are configured again.
        source.createReader(sourceContext(0, 1, config)).close();
        assertThat(values.events)
                .containsExactly("configure value", "close", "configure value", "close");
    }

    @Test
    void sinkSerdesAddHeadersToWhatIsWrittenSeeTheTopicAndAreClosedWithTheWriter(
            KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("headers-out");
        client.createTopic(topic, 1);
        Recording keys = new Recording();
        Recording values = new Recording();
        KafkaSink<String, String> sink = KafkaSink.of(topic, keys, values);
        Map<String, String> config =
                config(
                        broker,
                        "schema.registry.url",
                        "http://everyone",
                        "sink.schema.registry.url",
                        "http://sinks",
                        "source.only",
                        "sources");
        Record<String, String> record =
                new Record<>("k", "v", 1_000, List.of(new Header("trace", bytes("t-1"))));

        try (SinkWriter<String, String> writer = sink.createWriter(sinkContext(config))) {
            writer.write(record);
            writer.write(new Record<>("k2", null, 1_001, List.of()));
            writer.prepareCheckpoint(1);
            assertThat(values.events).containsExactly("configure value");
        }
        assertThat(keys.events).containsExactly("configure key", "close");
        assertThat(values.events).containsExactly("configure value", "close");
        assertThat(values.settings.get(0).get("schema.registry.url")).isEqualTo("http://sinks");
        assertThat(values.settings.get(0)).doesNotContainKey("only");

        List<ConsumerRecord<String, String>> read = client.readAllCommitted(topic, DEADLINE);
        assertThat(read).hasSize(2);
        assertThat(read.get(0).key()).isEqualTo(topic + "/k");
        assertThat(read.get(0).value()).isEqualTo(topic + "/v");
        assertThat(headers(read.get(0)))
                .containsExactly("trace=t-1", "written-by=key", "written-by=value");
        assertThat(read.get(1).value()).isNull();
        assertThat(headers(read.get(1))).containsExactly("written-by=key");
        assertThat(record.headers()).extracting(Header::key).containsExactly("trace");
    }

    /**
     * Writes {@code <topic>/<value>} and adds a header {@code written-by=key|value}; reads back by
     * cutting the topic off. Records its configure and close calls.
     */
    private static final class Recording implements RecordSerde<String> {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Map<String, ?>> settings = new CopyOnWriteArrayList<>();
        private volatile String role = "unconfigured";

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            role = isKey ? "key" : "value";
            events.add("configure " + role);
            settings.add(configs);
        }

        @Override
        public byte[] serialize(String topic, OutgoingHeaders headers, String value) {
            headers.add("written-by", bytes(role));
            return bytes(topic + "/" + value);
        }

        @Override
        public String deserialize(String topic, List<Header> headers, byte[] data) {
            return new String(data, StandardCharsets.UTF_8).substring(topic.length() + 1);
        }

        @Override
        public void close() {
            events.add("close");
        }
    }

    private static List<String> headers(ConsumerRecord<?, ?> r) {
        List<String> out = new ArrayList<>();
        r.headers()
                .forEach(
                        h ->
                                out.add(
                                        h.key()
                                                + "="
                                                + new String(h.value(), StandardCharsets.UTF_8)));
        return out;
    }

    private static List<Record<String, String>> poll(
            SourceReader<String, String> reader, int count) {
        List<Record<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (records.size() < count && System.nanoTime() < deadline) {
            records.addAll(reader.poll(POLL));
        }
        return records;
    }

    private static String unique(String prefix) {
        return "serde-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Map<String, String> config(KafkaBroker broker, String... keyValues) {
        Map<String, String> config = new HashMap<>();
        config.put("bootstrap.servers", broker.bootstrapServers());
        config.put("source.start", "earliest");
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    private static SourceContext sourceContext(
            int subtask, int parallelism, Map<String, String> config) {
        return new TestSourceContext(
                new SubtaskInfo("serde-test-job", "source", subtask, parallelism),
                WeirConfig.of(config),
                Map.of(),
                InstantSource.system());
    }

    private static SinkContext sinkContext(Map<String, String> config) {
        return new TestSinkContext(
                new SubtaskInfo("serde-test-job", "sink", 0, 1), WeirConfig.of(config));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
