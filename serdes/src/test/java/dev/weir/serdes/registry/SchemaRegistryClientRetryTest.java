package dev.weir.serdes.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Retries, backoff and the retry budget, against a scripted fake (the real server cannot fail). */
@Timeout(30)
class SchemaRegistryClientRetryTest {
    private static final String SCHEMA_BODY = "{\"schema\":\"\\\"string\\\"\"}";
    private static final String UNAVAILABLE = "{\"error_code\":50003,\"message\":\"overloaded\"}";

    private final FakeTime time = new FakeTime();
    private final FakeRegistry fake;

    SchemaRegistryClientRetryTest() throws IOException {
        fake = new FakeRegistry();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private SchemaRegistryClient client(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", fake.url());
        config.putAll(extra);
        return SchemaRegistryClient.builder(config).time(time).jitter(() -> 0.5).build();
    }

    @Test
    void a503IsRetriedWithExponentialBackoffAndFullJitterUntilItSucceeds() {
        fake.then(503, UNAVAILABLE).then(503, UNAVAILABLE).then(200, SCHEMA_BODY);
        try (SchemaRegistryClient client = client(Map.of())) {
            assertThat(client.schemaById(7).text()).isEqualTo("\"string\"");
        }
        assertThat(fake.requests()).hasSize(3);
        // jitter 0.5 of min(20 s, 1 s * 2^round)
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1000));
    }

    @Test
    void a429WaitsAtLeastItsRetryAfter() {
        fake.then(new FakeRegistry.Answer(429, "{}", Map.of("Retry-After", "3"), 0))
                .then(200, SCHEMA_BODY);
        try (SchemaRegistryClient client = client(Map.of())) {
            client.schemaById(7);
        }
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void aReadTimeoutIsRetried() {
        fake.then(new FakeRegistry.Answer(200, SCHEMA_BODY, Map.of(), 2_000))
                .then(200, SCHEMA_BODY);
        try (SchemaRegistryClient client = client(Map.of("http.read.timeout.ms", 200))) {
            assertThat(client.schemaById(7).text()).isEqualTo("\"string\"");
        }
        assertThat(fake.requests()).hasSize(2);
        assertThat(time.sleeps()).hasSize(1);
    }

    @Test
    void afterMaxRetriesTheCallFailsWithATransientException() {
        fake.then(503, UNAVAILABLE);
        try (SchemaRegistryClient client = client(Map.of("max.retries", 2))) {
            assertThatThrownBy(() -> client.schemaById(7))
                    .isInstanceOfSatisfying(
                            TransientRegistryException.class,
                            e -> {
                                assertThat(e.attempts()).isEqualTo(3);
                                assertThat(e.status()).isEqualTo(503);
                            })
                    .hasMessageContaining("(transient)")
                    .hasMessageContaining("HTTP 503 overloaded")
                    .hasMessageContaining("max.retries=2");
        }
        assertThat(fake.requests()).hasSize(3);
    }

    @Test
    void theRetryBudgetBoundsTheTimeOfOneCall() {
        fake.then(503, UNAVAILABLE);
        Map<String, Object> config =
                Map.of("max.retries", 100, "retries.budget.ms", 10_000, "retries.wait.ms", 1000);
        try (SchemaRegistryClient client = client(config)) {
            assertThatThrownBy(() -> client.schemaById(7))
                    .isInstanceOfSatisfying(
                            TransientRegistryException.class,
                            e -> assertThat(e.elapsed()).isLessThan(Duration.ofSeconds(10)));
        }
        // waits 0.5, 1, 2, 4 s = 7.5 s; the next (8 s) would pass the budget
        assertThat(time.sleeps()).hasSize(4);
        assertThat(fake.requests()).hasSize(5);
    }

    @Test
    void aRefusedConnectionIsTransient() throws IOException {
        Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", "http://127.0.0.1:" + deadPort());
        config.put("max.retries", 1);
        try (SchemaRegistryClient client =
                SchemaRegistryClient.builder(config).time(time).jitter(() -> 0.5).build()) {
            assertThatThrownBy(() -> client.schemaById(7))
                    .isInstanceOf(TransientRegistryException.class)
                    .hasMessageContaining("connection failed")
                    .hasCauseInstanceOf(java.net.ConnectException.class);
            assertThat(client.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void definiteAnswersAreNotRetried() {
        fake.then(404, "{\"error_code\":40403,\"message\":\"No content with ID '7' was found.\"}")
                .then(409, "{\"error_code\":409,\"message\":\"Incompatible artifact\"}")
                .then(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}")
                .then(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        try (SchemaRegistryClient client = client(Map.of("missing.id.cache.ttl.sec", 0))) {
            RegistrySchema s = RegistrySchema.avro("\"string\"");
            assertThatThrownBy(() -> client.schemaById(7))
                    .isInstanceOfSatisfying(
                            SchemaNotFoundException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(40403));
            assertThatThrownBy(() -> client.register("a-value", s))
                    .isInstanceOf(IncompatibleSchemaException.class)
                    .hasMessageContaining("Incompatible artifact");
            assertThatThrownBy(() -> client.register("b-value", s))
                    .isInstanceOf(InvalidSchemaException.class);
            assertThatThrownBy(() -> client.register("c-value", s))
                    .isInstanceOf(RegistryRequestException.class)
                    .hasMessageContaining("HTTP 401")
                    .hasMessageContaining("basic.auth.user.info");
        }
        assertThat(fake.requests()).hasSize(4);
        assertThat(time.sleeps()).isEmpty();
    }

    @Test
    void aTransientFailureFailsOverToTheNextUrlAtOnceAndLaterCallsStayThere() throws IOException {
        try (FakeRegistry second = new FakeRegistry()) {
            fake.then(503, UNAVAILABLE);
            second.then(200, SCHEMA_BODY);
            Map<String, Object> config =
                    Map.of("schema.registry.url", fake.url() + "," + second.url());
            try (SchemaRegistryClient client =
                    SchemaRegistryClient.builder(config).time(time).build()) {
                client.schemaById(1);
                client.schemaById(2);
            }
            assertThat(fake.requests()).hasSize(1);
            assertThat(second.requests()).hasSize(2);
            assertThat(time.sleeps()).isEmpty();
        }
    }

    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
