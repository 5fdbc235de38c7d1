package dev.weir.serdes.avro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.SubtaskInfo;
import dev.weir.config.WeirConfig;
import dev.weir.kafka.KafkaSink;
import dev.weir.kafka.KafkaSource;
import dev.weir.serdes.avro.test.Payment;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceReader;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import dev.weir.testkit.SchemaRegistryExtension;
import dev.weir.testkit.SchemaRegistryServer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Avro values through {@link KafkaSink} and {@link KafkaSource} on the embedded broker, the serdes
 * configured by the connectors from the job's settings ({@code sink.}/{@code source.} keys
 * included), against the real registry.
 */
@ExtendWith({KafkaExtension.class, SchemaRegistryExtension.class})
@Timeout(120)
class AvroKafkaRoundTripTest {
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
    void specificRecordsWrittenBySinkAreReadBackBySourceAsSpecificAndGeneric(
            KafkaBroker broker, KafkaTestClient kafka, SchemaRegistryServer registry) {
        String topic = AvroRecordSerdeTest.unique("avro-kafka");
        kafka.createTopic(topic, 1);
        Map<String, String> config = new HashMap<>(registry.clientConfig());
        config.put("bootstrap.servers", broker.bootstrapServers());
        config.put("source.start", "earliest");
        config.put("sink.value.subject.name.strategy", "TopicRecordNameStrategy");
        List<Payment> payments = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            payments.add(Payment.newBuilder().setId("p-" + i).setAmount(i * 100L).build());
        }

        KafkaSink<String, Payment> sink =
                KafkaSink.of(topic, Serdes.string(), AvroRecordSerde.specific(Payment.class));
        try (SinkWriter<String, Payment> writer =
                sink.createWriter(
                        new TestSinkContext(
                                new SubtaskInfo("avro-job", "sink", 0, 1),
                                WeirConfig.of(config)))) {
            for (Payment p : payments) {
                writer.write(new Record<>(p.getId(), p, 1_000L, List.of()));
            }
            writer.prepareCheckpoint(1);
        }

        assertThat(
                        read(
                                KafkaSource.of(
                                        List.of(topic),
                                        Serdes.string(),
                                        AvroRecordSerde.specific(Payment.class)),
                                config,
                                payments.size()))
                .containsExactlyElementsOf(payments);
        List<GenericRecord> generic =
                read(
                        KafkaSource.of(List.of(topic), Serdes.string(), AvroRecordSerde.generic()),
                        config,
                        payments.size());
        assertThat(generic)
                .extracting(r -> r.get("id").toString() + "=" + r.get("amount"))
                .containsExactlyElementsOf(
                        payments.stream().map(p -> p.getId() + "=" + p.getAmount()).toList());
        assertThat(AvroRecordSerdeTest.subjects(registry))
                .contains(topic + "-" + Payment.getClassSchema().getFullName())
                .doesNotContain(topic + "-value");
    }

    private static <V> List<V> read(
            KafkaSource<String, V> source, Map<String, String> config, int count) {
        List<V> values = new ArrayList<>();
        try (SourceReader<String, V> reader =
                source.createReader(
                        new TestSourceContext(
                                new SubtaskInfo("avro-job", "source", 0, 1),
                                WeirConfig.of(config),
                                Map.of(),
                                InstantSource.system()))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }
}
