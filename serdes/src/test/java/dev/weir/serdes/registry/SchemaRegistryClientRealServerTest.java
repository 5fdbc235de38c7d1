package dev.weir.serdes.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.testkit.SchemaRegistryExtension;
import dev.weir.testkit.SchemaRegistryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.ObjectMapper;

/** The client against a real Confluent-compatible registry (Apicurio 3.0.9's ccompat API). */
@ExtendWith(SchemaRegistryExtension.class)
@Timeout(180)
class SchemaRegistryClientRealServerTest {
    private static final RegistrySchema V1 =
            RegistrySchema.avro(
                    "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"test\",\"fields\":"
                            + "[{\"name\":\"amount\",\"type\":\"long\"}]}");

    /** V1 plus a field without a default: not BACKWARD compatible. */
    private static final RegistrySchema V2_INCOMPATIBLE =
            RegistrySchema.avro(
                    "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"test\",\"fields\":"
                            + "[{\"name\":\"amount\",\"type\":\"long\"},"
                            + "{\"name\":\"currency\",\"type\":\"string\"}]}");

    /** V1 plus a field with a default: BACKWARD compatible. */
    private static final RegistrySchema V2_COMPATIBLE =
            RegistrySchema.avro(
                    "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"test\",\"fields\":"
                            + "[{\"name\":\"amount\",\"type\":\"long\"},"
                            + "{\"name\":\"currency\",\"type\":\"string\",\"default\":\"EUR\"}]}");

    @Test
    void registersLooksUpAndFetchesWithoutRequestsOnceWarm(SchemaRegistryServer registry)
            throws InterruptedException {
        try (SchemaRegistryClient client = SchemaRegistryClient.create(registry.clientConfig())) {
            int id = client.register("real-orders-value", V1);
            assertThat(client.register("real-orders-value", V1)).isEqualTo(id);
            assertThat(client.requestCount()).isEqualTo(1);

            try (SchemaRegistryClient other =
                    SchemaRegistryClient.create(registry.clientConfig())) {
                assertThat(other.idOf("real-orders-value", V1, false)).isEqualTo(id);
                assertThat(other.schemaById(id).type()).isEqualTo(SchemaType.AVRO);
                Schema parsed = other.avroSchemaById(id);
                assertThat(parsed.getFullName()).isEqualTo("test.Order");
                RegisteredSchema latest = other.latest("real-orders-value");
                assertThat(latest.version()).isEqualTo(1);
                assertThat(latest.id()).isEqualTo(id);
                assertThat(other.version("real-orders-value", 1).id()).isEqualTo(id);

                long clientRequests = other.requestCount();
                int serverRequests = awaitStableRequestCount(registry);
                for (int i = 0; i < 1000; i++) {
                    other.idOf("real-orders-value", V1, false);
                    other.schemaById(id);
                    assertThat(other.avroSchemaById(id)).isSameAs(parsed);
                    other.latest("real-orders-value");
                }
                assertThat(other.requestCount()).isEqualTo(clientRequests);
                assertThat(awaitStableRequestCount(registry)).isEqualTo(serverRequests);
            }
        }
    }

    @Test
    void anUnknownIdOrSubjectIsNotFound(SchemaRegistryServer registry) {
        try (SchemaRegistryClient client = SchemaRegistryClient.create(registry.clientConfig())) {
            assertThatThrownBy(() -> client.schemaById(987_654))
                    .isInstanceOfSatisfying(
                            SchemaNotFoundException.class,
                            e -> {
                                assertThat(e.status()).isEqualTo(404);
                                assertThat(e.errorCode()).isEqualTo(40403);
                            });
            assertThatThrownBy(() -> client.latest("real-no-such-subject"))
                    .isInstanceOfSatisfying(
                            SchemaNotFoundException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(40401));
            client.register("real-lookup-value", V1);
            assertThatThrownBy(() -> client.idOf("real-lookup-value", V2_COMPATIBLE, false))
                    .isInstanceOf(SchemaNotFoundException.class);
        }
    }

    @Test
    void anIncompatibleSchemaIsRefusedWithTheRegistrysReason(SchemaRegistryServer registry)
            throws IOException, InterruptedException {
        String subject = "real-compat-value";
        try (SchemaRegistryClient client = SchemaRegistryClient.create(registry.clientConfig())) {
            int v1 = client.register(subject, V1);
            setCompatibility(registry, subject, "BACKWARD");

            assertThat(client.testCompatibility(subject, V2_INCOMPATIBLE).compatible()).isFalse();
            assertThat(client.testCompatibility(subject, V2_COMPATIBLE).compatible()).isTrue();
            assertThatThrownBy(() -> client.register(subject, V2_INCOMPATIBLE))
                    .isInstanceOfSatisfying(
                            IncompatibleSchemaException.class,
                            e -> assertThat(e.status()).isEqualTo(409))
                    .hasMessageContaining("Incompatible")
                    .hasMessageContaining(subject)
                    .hasMessageContaining(
                            registryMessageRefusing(registry, subject, V2_INCOMPATIBLE));
            int v2 = client.register(subject, V2_COMPATIBLE);
            assertThat(v2).isNotEqualTo(v1);
            assertThat(client.latest(subject).version()).isEqualTo(2);
        }
    }

    @Test
    void aSchemaTheRegistryCannotParseIsInvalid(SchemaRegistryServer registry) {
        try (SchemaRegistryClient client = SchemaRegistryClient.create(registry.clientConfig())) {
            assertThatThrownBy(
                            () ->
                                    client.register(
                                            "real-invalid-value",
                                            RegistrySchema.avro("{\"type\":\"recrd\"}")))
                    .isInstanceOfSatisfying(
                            InvalidSchemaException.class,
                            e -> assertThat(e.status()).isEqualTo(422));
        }
    }

    @Test
    void aDeadFirstUrlFailsOverToTheLiveOneAndLaterCallsGoStraightThere(
            SchemaRegistryServer registry) throws IOException {
        String dead =
                "http://127.0.0.1:" + SchemaRegistryClientRetryTest.deadPort() + "/apis/ccompat/v7";
        Map<String, Object> config =
                Map.of("schema.registry.url", dead + "," + registry.url(), "retries.wait.ms", 1);
        try (SchemaRegistryClient client = SchemaRegistryClient.create(config)) {
            int id = client.register("real-failover-value", V1);
            assertThat(client.requestCount()).isEqualTo(2);
            assertThat(client.schemaById(id).text()).contains("Order");
            assertThat(client.requestCount()).isEqualTo(3);
        }
    }

    /** The registry's own message for registering {@code schema}, asked without the client. */
    private static String registryMessageRefusing(
            SchemaRegistryServer registry, String subject, RegistrySchema schema)
            throws IOException, InterruptedException {
        String body =
                new ObjectMapper().writeValueAsString(java.util.Map.of("schema", schema.text()));
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        registry.url()
                                                                + "/subjects/"
                                                                + subject
                                                                + "/versions"))
                                        .header(
                                                "Content-Type",
                                                "application/vnd.schemaregistry.v1+json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        String message = new ObjectMapper().readTree(r.body()).get("message").asString();
        assertThat(message).isNotBlank();
        return message;
    }

    private static void setCompatibility(
            SchemaRegistryServer registry, String subject, String level)
            throws IOException, InterruptedException {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(registry.url() + "/config/" + subject))
                                        .header(
                                                "Content-Type",
                                                "application/vnd.schemaregistry.v1+json")
                                        .PUT(
                                                HttpRequest.BodyPublishers.ofString(
                                                        "{\"compatibility\":\"" + level + "\"}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** The server's request count once its access log has caught up. */
    private static int awaitStableRequestCount(SchemaRegistryServer registry)
            throws InterruptedException {
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
