package dev.weir.serdes.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.WeirException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Configuration keys, credentials on the wire, and credentials kept out of every message. */
@Timeout(30)
class SchemaRegistryClientConfigTest {
    private static final String SECRET = "s3cr3t-Pa55";
    private static final String SCHEMA_BODY = "{\"schema\":\"\\\"string\\\"\"}";

    private final FakeRegistry fake;

    SchemaRegistryClientConfigTest() throws IOException {
        fake = new FakeRegistry();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private static String basic(String userInfo) {
        return "Basic "
                + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private String urlWithUserInfo() {
        return fake.url().replace("http://", "http://alice:" + SECRET + "@");
    }

    @Test
    void basicAuthFromUserInfoIsSent() {
        fake.then(200, SCHEMA_BODY);
        Map<String, Object> config =
                Map.of(
                        "schema.registry.url",
                        fake.url(),
                        "basic.auth.credentials.source",
                        "USER_INFO",
                        "basic.auth.user.info",
                        "alice:" + SECRET);
        try (SchemaRegistryClient client = SchemaRegistryClient.create(config)) {
            client.schemaById(1);
        }
        assertThat(fake.requests().get(0).authorization()).isEqualTo(basic("alice:" + SECRET));
    }

    @Test
    void basicAuthFromTheUrlIsSentAndTheUserInfoStaysOutOfTheRequestLine() {
        fake.then(200, SCHEMA_BODY);
        try (SchemaRegistryClient client =
                SchemaRegistryClient.create(Map.of("schema.registry.url", urlWithUserInfo()))) {
            client.schemaById(1);
        }
        assertThat(fake.requests().get(0).authorization()).isEqualTo(basic("alice:" + SECRET));
        assertThat(fake.requests().get(0).path()).isEqualTo("/apis/ccompat/v7/schemas/ids/1");
    }

    @Test
    void aBearerTokenAndRequestHeadersAreSent() {
        fake.then(200, SCHEMA_BODY);
        Map<String, Object> config =
                Map.of(
                        "schema.registry.url",
                        List.of(fake.url()),
                        "bearer.auth.credentials.source",
                        "STATIC_TOKEN",
                        "bearer.auth.token",
                        SECRET,
                        "request.header.X-Tenant",
                        "blue");
        try (SchemaRegistryClient client = SchemaRegistryClient.create(config)) {
            client.schemaById(1);
        }
        FakeRegistry.Request request = fake.requests().get(0);
        assertThat(request.authorization()).isEqualTo("Bearer " + SECRET);
        assertThat(request.headers().get("X-tenant")).containsExactly("blue");
        assertThat(request.headers().get("Accept").get(0))
                .startsWith("application/vnd.schemaregistry.v1+json");
    }

    @Test
    void noCredentialAppearsInAnyMessageOrInToString() throws IOException {
        fake.then(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}")
                .then(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}")
                .then(503, "{}");
        String dead =
                "http://bob:" + SECRET + "@127.0.0.1:" + SchemaRegistryClientRetryTest.deadPort();
        Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", dead + "," + urlWithUserInfo());
        config.put("max.retries", 0);
        List<String> texts = new java.util.ArrayList<>();
        try (SchemaRegistryClient client = SchemaRegistryClient.create(config)) {
            texts.add(client.toString());
            for (int i = 0; i < 3; i++) {
                try {
                    client.latest("s" + i);
                } catch (SchemaRegistryException e) {
                    texts.add(e.getMessage());
                    texts.add(String.valueOf(e.getCause()));
                }
            }
        }
        Map<String, Object> bearer =
                Map.of(
                        "schema.registry.url",
                        fake.url(),
                        "bearer.auth.token",
                        SECRET,
                        "basic.auth.credentials.source",
                        "USER_INFO");
        texts.add(messageOf(bearer));
        texts.add(messageOf(Map.of("schema.registry.url", "http://u:" + SECRET + "@bad host/x")));
        texts.add(
                messageOf(
                        Map.of(
                                "schema.registry.url",
                                fake.url(),
                                "basic.auth.credentials.source",
                                "USER_INFO",
                                "basic.auth.user.info",
                                SECRET)));
        texts.add(
                messageOf(
                        Map.of(
                                "schema.registry.url",
                                fake.url(),
                                "schema.registry.ssl.truststore.location",
                                "/nonexistent/ts.jks",
                                "schema.registry.ssl.truststore.password",
                                SECRET)));

        assertThat(texts).hasSize(11).allSatisfy(t -> assertThat(t).doesNotContain(SECRET));
        assertThat(texts.get(0)).contains("127.0.0.1").contains("auth=basic (from URL)");
        assertThat(String.join("\n", texts))
                .contains("HTTP 401")
                .contains("40401")
                .contains("(transient)")
                .contains("schema.registry.ssl.truststore.location");
    }

    private static String messageOf(Map<String, Object> config) {
        try {
            SchemaRegistryClient.create(config).close();
            return "created";
        } catch (WeirException e) {
            return e.getMessage();
        }
    }

    @Test
    void invalidOrUnknownValuesFailNamingTheKey() {
        assertThatThrownBy(() -> SchemaRegistryClient.create(Map.of()))
                .hasMessageContaining("'schema.registry.url' is required");
        assertThatThrownBy(
                        () ->
                                SchemaRegistryClient.create(
                                        Map.of(
                                                "schema.registry.url",
                                                fake.url(),
                                                "basic.auth.credentials.source",
                                                "SASL_INHERIT")))
                .hasMessageContaining("'basic.auth.credentials.source'")
                .hasMessageContaining("URL or USER_INFO");
        assertThatThrownBy(
                        () ->
                                SchemaRegistryClient.create(
                                        Map.of(
                                                "schema.registry.url",
                                                fake.url(),
                                                "max.retries",
                                                -1)))
                .hasMessageContaining("'max.retries'");
        assertThatThrownBy(
                        () ->
                                SchemaRegistryClient.create(
                                        Map.of(
                                                "schema.registry.url",
                                                fake.url(),
                                                "schema.registry.ssl.truststore.locaton",
                                                "x")))
                .hasMessageContaining(
                        "unknown config key 'schema.registry.ssl.truststore.locaton'");
        assertThatThrownBy(
                        () ->
                                SchemaRegistryClient.create(
                                        Map.of("schema.registry.url", "ftp://host/x")))
                .hasMessageContaining("'schema.registry.url'");
        // keys of the serializers that share the map are left to them
        SchemaRegistryClient.create(
                        Map.of("schema.registry.url", fake.url(), "auto.register.schemas", true))
                .close();
    }
}
