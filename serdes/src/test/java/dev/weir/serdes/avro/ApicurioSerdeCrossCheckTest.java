package dev.weir.serdes.avro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.OutgoingHeaders;
import dev.weir.serdes.avro.test.Payment;
import dev.weir.serdes.registry.SchemaRegistryClient;
import dev.weir.testkit.SchemaRegistryExtension;
import dev.weir.testkit.SchemaRegistryServer;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Weir's Avro serde against an independent implementation of the Confluent wire format, in both
 * directions: Apicurio's Kafka serde ({@code apicurio-registry-avro-serde-kafka}), configured for
 * that format (magic byte 0, the content id in 4 bytes, no Kafka headers), both talking to the same
 * real registry. Apicurio's serde uses the registry's own v3 API, Weir its Confluent API: the ids
 * meet only because the Confluent API's ids are Apicurio's content ids.
 */
@ExtendWith(SchemaRegistryExtension.class)
@Timeout(180)
class ApicurioSerdeCrossCheckTest {
    /**
     * A record with a string, a long, a union with null, an array, an enum and a map, in a
     * namespace of its own per test: its content is new to the registry, so its content id is one
     * no older version has as global id (see {@link #separateGlobalFromContentIds}).
     */
    static Schema eventSchema(String namespace) {
        return new Schema.Parser()
                .parse(
                        "{\"type\":\"record\",\"name\":\"Event\",\"namespace\":\""
                                + namespace
                                + "\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
                                + "{\"name\":\"at\",\"type\":\"long\"},"
                                + "{\"name\":\"note\",\"type\":[\"null\",\"string\"],"
                                + "\"default\":null},"
                                + "{\"name\":\"tags\",\"type\":{\"type\":\"array\","
                                + "\"items\":\"string\"}},"
                                + "{\"name\":\"kind\",\"type\":{\"type\":\"enum\","
                                + "\"name\":\"Kind\",\"symbols\":[\"CREATED\",\"DELETED\"]}},"
                                + "{\"name\":\"attrs\",\"type\":{\"type\":\"map\","
                                + "\"values\":\"int\"}}]}");
    }

    private static final OutgoingHeaders NO_HEADERS = OutgoingHeaders.of(List.of());

    @Test
    void apicurioReadsWhatWeirWritesWithTheIdTheConfluentApiGaveTheSubject(
            SchemaRegistryServer registry) {
        String topic = AvroRecordSerdeTest.unique("weir-to-apicurio");
        Schema schema = eventSchema("xcheck." + topic.replace('-', '_'));
        AvroRecordSerde<GenericRecord> weir =
                AvroRecordSerde.generic().configured(registry.clientConfig(), false);
        List<GenericRecord> events =
                List.of(
                        event(
                                schema,
                                "e-1",
                                1_700_000_000_123L,
                                "first",
                                List.of("a", "b"),
                                Map.of("n", 1)),
                        event(schema, "e-2", -5L, null, List.of(), Map.of()));

        try (AvroKafkaDeserializer<GenericRecord> apicurio = new AvroKafkaDeserializer<>();
                SchemaRegistryClient client =
                        SchemaRegistryClient.create(registry.clientConfig())) {
            apicurio.configure(apicurioConfig(registry), false);
            for (GenericRecord event : events) {
                byte[] bytes = weir.serialize(topic, NO_HEADERS, event);

                assertThat(schemaIdIn(bytes)).isEqualTo(client.latest(topic + "-value").id());
                GenericRecord read = apicurio.deserialize(topic, new RecordHeaders(), bytes);
                assertThat(read.getSchema()).isEqualTo(schema);
                assertThat(read).isEqualTo(event);
            }
        }
        weir.close();
    }

    @Test
    void weirReadsWhatApicurioWritesAndBothWriteTheSameBytes(SchemaRegistryServer registry) {
        String topic = AvroRecordSerdeTest.unique("apicurio-to-weir");
        Schema schema = eventSchema("xcheck." + topic.replace('-', '_'));
        GenericRecord event =
                event(schema, "e-3", 42L, "from apicurio", List.of("x"), Map.of("k", -7, "l", 300));
        AvroRecordSerde<GenericRecord> weir =
                AvroRecordSerde.generic().configured(registry.clientConfig(), false);

        try (AvroKafkaSerializer<GenericRecord> apicurio = new AvroKafkaSerializer<>();
                SchemaRegistryClient client =
                        SchemaRegistryClient.create(registry.clientConfig())) {
            apicurio.configure(apicurioConfig(registry), false);
            // First under another topic: the test topic's version then has old content, so its
            // global id differs from its content id and only a content id matches the Confluent id.
            apicurio.serialize(topic + "-first", new RecordHeaders(), event);
            byte[] bytes = apicurio.serialize(topic, new RecordHeaders(), event);

            assertThat(bytes[0]).isZero();
            assertThat(schemaIdIn(bytes)).isEqualTo(client.latest(topic + "-value").id());
            GenericRecord read = weir.deserialize(topic, List.of(), bytes);
            assertThat(read.getSchema()).isEqualTo(schema);
            assertThat(read).isEqualTo(event);
            // Weir registering the same schema under the same subject gets the same id: the two
            // encoders must then agree byte for byte.
            assertThat(weir.serialize(topic, NO_HEADERS, event)).isEqualTo(bytes);
        }
        weir.close();
    }

    @Test
    void specificRecordsCrossInBothDirections(SchemaRegistryServer registry) {
        String topic = AvroRecordSerdeTest.unique("specific-xcheck");
        Payment payment = new Payment("p-9", 1999L, "CHF");
        AvroRecordSerde<Payment> weir =
                AvroRecordSerde.specific(Payment.class).configured(registry.clientConfig(), false);
        Map<String, Object> specific = new HashMap<>(apicurioConfig(registry));
        specific.put("apicurio.registry.use-specific-avro-reader", "true");

        try (AvroKafkaSerializer<Payment> apicurioWriter = new AvroKafkaSerializer<>();
                AvroKafkaDeserializer<Payment> apicurioReader = new AvroKafkaDeserializer<>()) {
            apicurioWriter.configure(specific, false);
            apicurioReader.configure(specific, false);

            byte[] fromWeir = weir.serialize(topic, NO_HEADERS, payment);
            assertThat(apicurioReader.deserialize(topic, new RecordHeaders(), fromWeir))
                    .isInstanceOf(Payment.class)
                    .isEqualTo(payment);
            byte[] fromApicurio = apicurioWriter.serialize(topic, new RecordHeaders(), payment);
            assertThat(weir.deserialize(topic, List.of(), fromApicurio)).isEqualTo(payment);
            assertThat(fromApicurio).isEqualTo(fromWeir);
        }
        weir.close();
    }

    /**
     * Apicurio's serde in the Confluent format: the id in 4 bytes after magic byte 0 (its {@code
     * Default4ByteIdHandler}), that id a content id (what the Confluent API's ids are), no Kafka
     * headers, and the subject {@code <topic>-value} in the default group (its {@code
     * TopicIdStrategy}, Confluent's TopicNameStrategy).
     */
    static Map<String, Object> apicurioConfig(SchemaRegistryServer registry) {
        Map<String, Object> config = new HashMap<>();
        config.put(
                "apicurio.registry.url",
                "http://127.0.0.1:" + registry.port() + "/apis/registry/v3");
        config.put("apicurio.registry.auto-register", "true");
        config.put(
                "apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        config.put("apicurio.registry.headers.enabled", "false");
        return config;
    }

    static int schemaIdIn(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

    static GenericRecord event(
            Schema schema,
            String id,
            long at,
            String note,
            List<String> tags,
            Map<String, Integer> attrs) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("at", at);
        r.put("note", note);
        r.put("tags", tags);
        r.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "CREATED"));
        r.put("attrs", attrs);
        return r;
    }
}
