package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SchemaRegistryExtension.class)
@Timeout(180)
class SchemaRegistryServerTest {
    private static final String SCHEMA =
            "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"T\\\",\\\"fields\\\":"
                    + "[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"int\\\"}]}\"}";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theSharedRegistryServesTheConfluentApiAndCountsRequests(SchemaRegistryServer registry)
            throws Exception {
        assertThat(registry).isSameAs(SchemaRegistryServer.shared());
        assertThat(registry.url()).matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7");
        assertThat(registry.clientConfig()).containsEntry("schema.registry.url", registry.url());
        int before = registry.requests().size();

        HttpResponse<String> registered = post(registry.url() + "/subjects/srv-a-value/versions");
        assertThat(registered.statusCode()).isEqualTo(200);
        assertThat(registered.body()).matches("\\{\"id\":\\d+}");
        HttpResponse<String> unknown = get(registry.url() + "/schemas/ids/987654");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"error_code\":40403");

        awaitRequests(registry, before + 2);
        assertThat(registry.requests().subList(before, before + 2))
                .containsExactly(
                        "POST /apis/ccompat/v7/subjects/srv-a-value/versions",
                        "GET /apis/ccompat/v7/schemas/ids/987654");
        assertThat(registry.logFile()).exists().startsWith(Path.of("target").toAbsolutePath());
    }

    @Test
    void theSharedRegistryCannotBeStoppedOrClosedByOneTest(SchemaRegistryServer registry) {
        assertThatThrownBy(registry::stop).hasMessageContaining("startPrivate");
        registry.close();
        assertThat(registry.isRunning()).isTrue();
    }

    @Test
    void aPrivateRegistryComesBackOnTheSamePortWithItsSchemasAfterAnOutage() throws Exception {
        try (SchemaRegistryServer registry = SchemaRegistryServer.startPrivate()) {
            HttpResponse<String> registered =
                    post(registry.url() + "/subjects/outage-value/versions");
            assertThat(registered.statusCode()).isEqualTo(200);
            String id = registered.body().replaceAll("\\D", "");

            registry.stop();
            assertThat(registry.isRunning()).isFalse();
            assertThatThrownBy(() -> get(registry.url() + "/subjects"))
                    .isInstanceOf(ConnectException.class);

            registry.start();
            HttpResponse<String> fetched = get(registry.url() + "/schemas/ids/" + id);
            assertThat(fetched.statusCode()).isEqualTo(200);
            assertThat(fetched.body()).contains("\\\"name\\\":\\\"T\\\"");
        }
    }

    @Test
    void aMissingDistributionFailsWithTheWayToGetIt() {
        assertThatThrownBy(() -> SchemaRegistryServer.startPrivate(Path.of("target", "nowhere")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("weir.schema-registry.home")
                .hasMessageContaining("io.apicurio:apicurio-registry-app:3.0.9:zip:all");
    }

    private HttpResponse<String> post(String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .POST(HttpRequest.BodyPublishers.ofString(SCHEMA))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitRequests(SchemaRegistryServer registry, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (registry.requests().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
