package dev.weir.serdes.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.OutgoingHeaders;
import dev.weir.RetriableSerdeException;
import dev.weir.WeirException;
import dev.weir.serdes.avro.test.Payment;
import dev.weir.serdes.registry.RegistrySchema;
import dev.weir.serdes.registry.SchemaRegistryClient;
import dev.weir.testkit.SchemaRegistryExtension;
import dev.weir.testkit.SchemaRegistryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link AvroRecordSerde} against a real Confluent-compatible registry (testkit's Apicurio). */
@ExtendWith(SchemaRegistryExtension.class)
@Timeout(180)
class AvroRecordSerdeTest {
    static final Schema ORDER =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\","
                                    + "\"fields\":[{\"name\":\"customer\",\"type\":\"string\"},"
                                    + "{\"name\":\"amount\",\"type\":\"long\"}]}");

    /** ORDER with its fields in the other order and a field with a default added. */
    static final Schema ORDER_V2 =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\","
                                    + "\"fields\":[{\"name\":\"amount\",\"type\":\"long\"},"
                                    + "{\"name\":\"note\",\"type\":\"string\",\"default\":\"none\"},"
                                    + "{\"name\":\"customer\",\"type\":\"string\"}]}");

    /** ORDER plus a field without a default: cannot read ORDER's values. */
    static final Schema ORDER_STRICTER =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\","
                                    + "\"fields\":[{\"name\":\"customer\",\"type\":\"string\"},"
                                    + "{\"name\":\"amount\",\"type\":\"long\"},"
                                    + "{\"name\":\"region\",\"type\":\"string\"}]}");

    private static final OutgoingHeaders NO_HEADERS = OutgoingHeaders.of(List.of());

    @Test
    void genericRecordsRoundTripAndTheBytesStartWithMagicZeroAndTheRegisteredId(
            SchemaRegistryServer registry) {
        String topic = unique("orders");
        AvroRecordSerde<GenericRecord> serde =
                AvroRecordSerde.generic().configured(registry.clientConfig(), false);
        GenericRecord order = order("alice", 42);

        byte[] bytes = serde.serialize(topic, NO_HEADERS, order);

        try (SchemaRegistryClient client = SchemaRegistryClient.create(registry.clientConfig())) {
            int registered = client.latest(topic + "-value").id();
            assertThat(bytes[0]).isZero();
            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registered);
            assertThat(client.avroSchemaById(registered)).isEqualTo(ORDER);
        }
        GenericRecord read = serde.deserialize(topic, List.of(), bytes);
        assertThat(read).isEqualTo(order);
        assertThat(read.get("customer").toString()).isEqualTo("alice");
        serde.close();
    }

    @Test
    void specificRecordsRoundTripAndSpecificAvroReaderGivesTheGeneratedClass(
            SchemaRegistryServer registry) {
        String topic = unique("payments");
        AvroRecordSerde<Payment> serde =
                AvroRecordSerde.specific(Payment.class).configured(registry.clientConfig(), false);
        Payment payment = Payment.newBuilder().setId("p-1").setAmount(1250).build();

        byte[] bytes = serde.serialize(topic, NO_HEADERS, payment);

        assertThat(serde.deserialize(topic, List.of(), bytes)).isEqualTo(payment);
        Map<String, Object> specificReader = new HashMap<>(registry.clientConfig());
        specificReader.put("specific.avro.reader", "true");
        GenericRecord viaSpecificReader =
                AvroRecordSerde.generic()
                        .configured(specificReader, false)
                        .deserialize(topic, List.of(), bytes);
        assertThat(viaSpecificReader).isInstanceOf(Payment.class).isEqualTo(payment);
        GenericRecord viaGeneric =
                AvroRecordSerde.generic()
                        .configured(registry.clientConfig(), false)
                        .deserialize(topic, List.of(), bytes);
        assertThat(viaGeneric).isInstanceOf(GenericData.Record.class);
        assertThat(viaGeneric.get("currency").toString()).isEqualTo("EUR");
    }

    @Test
    void aSpecificReaderResolvesAnOlderWriterSchemaIntoTheGeneratedClass(
            SchemaRegistryServer registry) {
        String topic = unique("payments-old");
        Schema old =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":"
                                        + "\"dev.weir.serdes.avro.test\",\"fields\":["
                                        + "{\"name\":\"amount\",\"type\":\"long\"},"
                                        + "{\"name\":\"id\",\"type\":\"string\"}]}");
        GenericRecord written = new GenericData.Record(old);
        written.put("id", "p-2");
        written.put("amount", 7L);
        byte[] bytes =
                AvroRecordSerde.generic()
                        .configured(registry.clientConfig(), false)
                        .serialize(topic, NO_HEADERS, written);

        Payment read =
                AvroRecordSerde.specific(Payment.class)
                        .configured(registry.clientConfig(), false)
                        .deserialize(topic, List.of(), bytes);

        assertThat(read).isEqualTo(new Payment("p-2", 7L, "EUR"));
    }

    @Test
    void primitivesRoundTripUnderTheKeySubject(SchemaRegistryServer registry) {
        String topic = unique("primitives");
        AvroRecordSerde<Object> keys =
                AvroRecordSerde.objects().configured(registry.clientConfig(), true);

        for (Object value : List.of("text", 17L, 3, true, 2.5d)) {
            assertThat(keys.deserialize(topic, List.of(), keys.serialize(topic, NO_HEADERS, value)))
                    .isEqualTo(value);
        }
        Object bytes =
                keys.deserialize(
                        topic, List.of(), keys.serialize(topic, NO_HEADERS, new byte[] {1, 2}));
        assertThat(bytes).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
        assertThat(subjects(registry)).contains(topic + "-key").doesNotContain(topic + "-value");
    }

    @Test
    void eachSubjectStrategyRegistersUnderItsSubject(SchemaRegistryServer registry) {
        String topic = unique("strategies");
        Schema named =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"S"
                                        + topic.replace("-", "")
                                        + "\",\"namespace\":\"strategy.test\",\"fields\":"
                                        + "[{\"name\":\"x\",\"type\":\"int\"}]}");
        GenericRecord value = new GenericData.Record(named);
        value.put("x", 1);
        Map<String, String> expected =
                Map.of(
                        "TopicNameStrategy", topic + "-value",
                        "io.confluent.kafka.serializers.subject.RecordNameStrategy",
                                named.getFullName(),
                        "TopicRecordNameStrategy", topic + "-" + named.getFullName());

        expected.forEach(
                (strategy, subject) -> {
                    Map<String, Object> config = new HashMap<>(registry.clientConfig());
                    config.put("value.subject.name.strategy", strategy);
                    AvroRecordSerde.generic()
                            .configured(config, false)
                            .serialize(topic, NO_HEADERS, value);
                });

        List<String> ours =
                subjects(registry).stream()
                        .filter(s -> s.contains(named.getName()) || s.startsWith(topic))
                        .toList();
        assertThat(ours).containsExactlyInAnyOrderElementsOf(expected.values());
        Map<String, Object> keyConfig = new HashMap<>(registry.clientConfig());
        keyConfig.put(
                "key.subject.name.strategy",
                "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy");
        AvroRecordSerde.generic()
                .configured(keyConfig, true)
                .serialize(topic + "k", NO_HEADERS, value);
        assertThat(subjects(registry)).contains(topic + "k-" + named.getFullName());
    }

    @Test
    void anUnknownSubjectStrategyFailsAtConfigureNamingTheKey(SchemaRegistryServer registry) {
        Map<String, Object> config = new HashMap<>(registry.clientConfig());
        config.put("value.subject.name.strategy", "com.example.MyStrategy");

        assertThatThrownBy(() -> AvroRecordSerde.generic().configure(config, false))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("value.subject.name.strategy")
                .hasMessageContaining("com.example.MyStrategy")
                .hasMessageContaining("TopicRecordNameStrategy");
        config.remove("value.subject.name.strategy");
        config.put("auto.register.schemas", "maybe");
        assertThatThrownBy(() -> AvroRecordSerde.generic().configure(config, false))
                .hasMessageContaining("auto.register.schemas");
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaFailsAndARegisteredOneIsLookedUp(
            SchemaRegistryServer registry) {
        String topic = unique("manual");
        Map<String, Object> config = new HashMap<>(registry.clientConfig());
        config.put("auto.register.schemas", false);
        AvroRecordSerde<GenericRecord> serde = AvroRecordSerde.generic().configured(config, false);

        assertThatThrownBy(() -> serde.serialize(topic, NO_HEADERS, order("bob", 1)))
                .isInstanceOf(WeirException.class)
                .isNotInstanceOf(RetriableSerdeException.class)
                .hasMessageContaining("not registered under subject '" + topic + "-value'")
                .hasMessageContaining("auto.register.schemas");
        assertThat(subjects(registry)).doesNotContain(topic + "-value");

        try (SchemaRegistryClient client = SchemaRegistryClient.create(registry.clientConfig())) {
            int id = client.register(topic + "-value", RegistrySchema.avro(ORDER.toString()));
            AvroRecordSerde<GenericRecord> fresh =
                    AvroRecordSerde.generic().configured(config, false);
            byte[] bytes = fresh.serialize(topic, NO_HEADERS, order("bob", 1));
            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        }
    }

    @Test
    void useLatestVersionWritesTheLatestVersionByFieldName(SchemaRegistryServer registry) {
        String topic = unique("latest");
        String subject = topic + "-value";
        int latestId;
        try (SchemaRegistryClient client = SchemaRegistryClient.create(registry.clientConfig())) {
            client.register(subject, RegistrySchema.avro(ORDER.toString()));
            latestId = client.register(subject, RegistrySchema.avro(ORDER_V2.toString()));
        }
        Map<String, Object> config = new HashMap<>(registry.clientConfig());
        config.put("auto.register.schemas", "false");
        config.put("use.latest.version", "true");
        AvroRecordSerde<GenericRecord> serde = AvroRecordSerde.generic().configured(config, false);

        byte[] bytes = serde.serialize(topic, NO_HEADERS, order("carol", 99));

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latestId);
        GenericRecord read = serde.deserialize(topic, List.of(), bytes);
        assertThat(read.getSchema()).isEqualTo(ORDER_V2);
        assertThat(read.get("customer").toString()).isEqualTo("carol");
        assertThat(read.get("amount")).isEqualTo(99L);
        assertThat(read.get("note").toString()).isEqualTo("none");
    }

    @Test
    void useLatestVersionRefusesAValueTheLatestVersionCannotReadUnlessNotStrict(
            SchemaRegistryServer registry) {
        String topic = unique("latest-strict");
        try (SchemaRegistryClient client = SchemaRegistryClient.create(registry.clientConfig())) {
            client.register(topic + "-value", RegistrySchema.avro(ORDER_STRICTER.toString()));
        }
        Map<String, Object> config = new HashMap<>(registry.clientConfig());
        config.put("auto.register.schemas", "false");
        config.put("use.latest.version", "true");

        assertThatThrownBy(
                        () ->
                                AvroRecordSerde.generic()
                                        .configured(config, false)
                                        .serialize(topic, NO_HEADERS, order("dan", 5)))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("latest.compatibility.strict")
                .hasMessageContaining("region");
    }

    @Test
    void aSchemaTheRegistryRefusesFailsWithTheRegistrysReason(SchemaRegistryServer registry)
            throws Exception {
        String topic = unique("refused");
        AvroRecordSerde<GenericRecord> serde =
                AvroRecordSerde.generic().configured(registry.clientConfig(), false);
        serde.serialize(topic, NO_HEADERS, order("erin", 1));
        setCompatibility(registry, topic + "-value", "BACKWARD");
        GenericRecord stricter = new GenericData.Record(ORDER_STRICTER);
        stricter.put("customer", "erin");
        stricter.put("amount", 2L);
        stricter.put("region", "eu");

        assertThatThrownBy(() -> serde.serialize(topic, NO_HEADERS, stricter))
                .isInstanceOf(WeirException.class)
                .isNotInstanceOf(RetriableSerdeException.class)
                .hasMessageContaining("refused the schema of shop.Order")
                .hasMessageContaining(topic + "-value")
                .hasMessageContaining("Incompatible");
    }

    @Test
    void aRecordWithAnotherMagicByteIsPoisonNamingTheByte(SchemaRegistryServer registry) {
        AvroRecordSerde<GenericRecord> serde =
                AvroRecordSerde.generic().configured(registry.clientConfig(), false);
        byte[] good = serde.serialize("magic", NO_HEADERS, order("f", 1));
        good[0] = 1;

        assertThatThrownBy(() -> serde.deserialize("magic", List.of(), good))
                .isInstanceOf(WeirException.class)
                .isNotInstanceOf(RetriableSerdeException.class)
                .hasMessageContaining("magic byte 0x01")
                .hasMessageContaining("'magic'");
        assertThatThrownBy(() -> serde.deserialize("magic", List.of(), new byte[] {0, 0}))
                .isInstanceOf(WeirException.class)
                .isNotInstanceOf(RetriableSerdeException.class)
                .hasMessageContaining("2 bytes");
    }

    @Test
    void aRecordNamingAnUnknownSchemaIdIsPoisonNamingTheId(SchemaRegistryServer registry) {
        AvroRecordSerde<GenericRecord> serde =
                AvroRecordSerde.generic().configured(registry.clientConfig(), false);
        byte[] unknown = ByteBuffer.allocate(7).put((byte) 0).putInt(987_654).put((byte) 2).array();

        assertThatThrownBy(() -> serde.deserialize("ids", List.of(), unknown))
                .isInstanceOf(WeirException.class)
                .isNotInstanceOf(RetriableSerdeException.class)
                .hasMessageContaining("schema id 987654")
                .hasMessageContaining("does not have");
    }

    @Test
    void bytesThatAreNotAvroOfTheirSchemaArePoison(SchemaRegistryServer registry) {
        AvroRecordSerde<GenericRecord> serde =
                AvroRecordSerde.generic().configured(registry.clientConfig(), false);
        byte[] good = serde.serialize("garbage", NO_HEADERS, order("gus", 300));
        byte[] truncated = java.util.Arrays.copyOf(good, 7);

        assertThatThrownBy(() -> serde.deserialize("garbage", List.of(), truncated))
                .isInstanceOf(WeirException.class)
                .isNotInstanceOf(RetriableSerdeException.class)
                .hasMessageContaining("not valid Avro")
                .hasMessageContaining("shop.Order");
    }

    @Test
    void aWarmSerdeSendsNoRegistryRequestAndBuildsNoReaderOrWriterPerRecord(
            SchemaRegistryServer registry) throws InterruptedException {
        String topic = unique("warm");
        try (SchemaRegistryClient writerClient =
                        SchemaRegistryClient.create(registry.clientConfig());
                SchemaRegistryClient readerClient =
                        SchemaRegistryClient.create(registry.clientConfig())) {
            CountingClient writerCalls = new CountingClient(writerClient);
            CountingClient readerCalls = new CountingClient(readerClient);
            AvroRecordSerde<GenericRecord> writer =
                    AvroRecordSerde.generic()
                            .withRegistryClient(writerCalls)
                            .configured(registry.clientConfig(), false);
            AvroRecordSerde<GenericRecord> reader =
                    AvroRecordSerde.generic()
                            .withRegistryClient(readerCalls)
                            .configured(registry.clientConfig(), false);
            byte[] first = writer.serialize(topic, NO_HEADERS, order("h", 0));
            reader.deserialize(topic, List.of(), first);
            assertThat(writerClient.requestCount()).isEqualTo(1);
            assertThat(readerClient.requestCount()).isEqualTo(1);
            assertThat(writerCalls.calls()).isEqualTo(1);
            assertThat(readerCalls.calls()).isEqualTo(1);
            int serverRequests = awaitStableRequestCount(registry);

            for (int i = 0; i < 2_000; i++) {
                GenericRecord o = order("h", i);
                assertThat(
                                reader.deserialize(
                                        topic, List.of(), writer.serialize(topic, NO_HEADERS, o)))
                        .isEqualTo(o);
            }

            assertThat(writerCalls.byMethod()).containsOnlyKeys("register");
            assertThat(writerCalls.calls()).as("client calls of the writer").isEqualTo(1);
            assertThat(readerCalls.byMethod()).containsOnlyKeys("avroSchemaById");
            assertThat(readerCalls.calls()).as("client calls of the reader").isEqualTo(1);
            assertThat(writerClient.requestCount()).isEqualTo(1);
            assertThat(readerClient.requestCount()).isEqualTo(1);
            assertThat(awaitStableRequestCount(registry)).isEqualTo(serverRequests);
        }
    }

    static GenericRecord order(String customer, long amount) {
        GenericRecord r = new GenericData.Record(ORDER);
        r.put("customer", customer);
        r.put("amount", amount);
        return r;
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** {@code GET /subjects}: the client has no call for it, a serde never needs one. */
    static List<String> subjects(SchemaRegistryServer registry) {
        String body = http(registry, "GET", "/subjects", null);
        return java.util.Arrays.stream(body.replaceAll("[\\[\\]\"]", "").split(","))
                .filter(s -> !s.isBlank())
                .toList();
    }

    static void setCompatibility(SchemaRegistryServer registry, String subject, String level) {
        http(registry, "PUT", "/config/" + subject, "{\"compatibility\":\"" + level + "\"}");
    }

    private static String http(
            SchemaRegistryServer registry, String method, String path, String body) {
        try {
            HttpResponse<String> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(registry.url() + path))
                                            .header(
                                                    "Content-Type",
                                                    "application/vnd.schemaregistry.v1+json")
                                            .method(
                                                    method,
                                                    body == null
                                                            ? HttpRequest.BodyPublishers.noBody()
                                                            : HttpRequest.BodyPublishers.ofString(
                                                                    body, StandardCharsets.UTF_8))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
            return r.body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The server's request count once its access log has caught up. */
    static int awaitStableRequestCount(SchemaRegistryServer registry) throws InterruptedException {
        int count = registry.requests().size();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(300);
            int now = registry.requests().size();
            if (now == count) {
                return now;
            }
            count = now;
        }
        return count;
    }
}
