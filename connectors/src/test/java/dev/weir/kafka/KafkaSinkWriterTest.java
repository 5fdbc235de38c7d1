package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.weir.Header;
import dev.weir.Record;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drives {@link KafkaSinkWriter}s, created through {@link KafkaSink}, against the shared embedded
 * broker.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(60)
class KafkaSinkWriterTest {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    private record TestSinkContext(SubtaskInfo subtask, WeirConfig config) implements SinkContext {
        @Override
        public java.util.Optional<dev.weir.spi.CheckpointCommitter> committer() {
            return java.util.Optional.empty();
        }
    }

    /** What a test compares of a record: headers as {@code name=value} strings. */
    private record Seen(String key, String value, long timestamp, List<String> headers) {}

    @Test
    void
            atLeastOnceMakesEveryWrittenRecordReadableByPrepareCheckpointWithKeyValueTimestampAndHeaders(
                    KafkaBroker broker, KafkaTestClient client) {
        String topic = unique("alo");
        client.createTopic(topic, 1);
        long ts = System.currentTimeMillis() - 60_000;
        List<Record<String, String>> written =
                List.of(
                        new Record<>("k1", "v1", ts, List.of(new Header("trace", bytes("t-1")))),
                        new Record<>(null, "v2", ts + 1, List.of()),
                        new Record<>(
                                "k3",
                                "v3",
                                ts + 2,
                                List.of(new Header("a", bytes("1")), new Header("b", bytes("2")))),
                        new Record<>("k4", null, ts + 3, List.of()));
        // With a long linger nothing leaves the producer on its own: only prepareCheckpoint's flush
        // can make the records readable right after it returns.
        Map<String, String> config =
                config(
                        broker,
                        "sink.delivery",
                        "at-least-once",
                        "kafka.producer.linger.ms",
                        "30000");

        try (SinkWriter<String, String> writer =
                KafkaSink.strings(topic).createWriter(context(config))) {
            written.forEach(writer::write);
            writer.prepareCheckpoint(1);

            List<ConsumerRecord<String, String>> read =
                    client.readAllCommitted(topic, READ_TIMEOUT);

            assertThat(read.stream().map(KafkaSinkWriterTest::seen).toList())
                    .containsExactlyElementsOf(
                            written.stream().map(KafkaSinkWriterTest::seen).toList());
        }
    }

    @Test
    void failedSendSurfacesAsWeirExceptionNamingTheTopic(KafkaBroker broker) {
        String missing = unique("missing");
        Map<String, String> config = config(broker, "kafka.producer.max.block.ms", "1000");

        try (SinkWriter<String, String> writer =
                KafkaSink.strings(missing).createWriter(context(config))) {
            Throwable thrown =
                    catchThrowable(
                            () -> {
                                writer.write(Record.of("k", "v", System.currentTimeMillis()));
                                writer.prepareCheckpoint(1);
                                writer.write(Record.of("k", "v2", System.currentTimeMillis()));
                            });

            assertThat(thrown)
                    .isInstanceOf(WeirException.class)
                    .hasMessageContaining("'" + missing + "'");
        }
    }

    @Test
    void exactlyOnceWriterWithoutTheSinksCommitterIsRefusedNamingTheConfigKey(KafkaBroker broker) {
        SinkContext ctx = context(config(broker, "sink.delivery", "exactly-once"));

        assertThatThrownBy(() -> KafkaSink.strings(unique("eos")).createWriter(ctx).close())
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("sink.delivery");
    }

    private static String unique(String prefix) {
        return "sink-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Map<String, String> config(KafkaBroker broker, String... keyValues) {
        Map<String, String> config = new HashMap<>();
        config.put("bootstrap.servers", broker.bootstrapServers());
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    private static SinkContext context(Map<String, String> config) {
        return new TestSinkContext(
                new SubtaskInfo("sink-test-job", "sink", 0, 1), WeirConfig.of(config));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Seen seen(Record<String, String> r) {
        List<String> headers = new ArrayList<>();
        r.headers()
                .forEach(
                        h ->
                                headers.add(
                                        h.key()
                                                + "="
                                                + new String(h.value(), StandardCharsets.UTF_8)));
        return new Seen(r.key(), r.value(), r.timestamp(), headers);
    }

    private static Seen seen(ConsumerRecord<String, String> r) {
        List<String> headers = new ArrayList<>();
        r.headers()
                .forEach(
                        h ->
                                headers.add(
                                        h.key()
                                                + "="
                                                + new String(h.value(), StandardCharsets.UTF_8)));
        return new Seen(r.key(), r.value(), r.timestamp(), headers);
    }
}
