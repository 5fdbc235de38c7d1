package dev.weir.serdes.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The negative and TTL caches and the LRU bound, which the real server cannot show. */
@Timeout(30)
class SchemaRegistryClientCacheTest {
    private static final String NOT_FOUND =
            "{\"error_code\":40403,\"message\":\"No content with ID was found.\"}";
    private static final String SCHEMA_BODY = "{\"schema\":\"\\\"string\\\"\"}";
    private static final String LATEST =
            "{\"subject\":\"s\",\"version\":1,\"id\":5,\"schema\":\"\\\"string\\\"\"}";

    private final FakeTime time = new FakeTime();
    private final FakeRegistry fake;

    SchemaRegistryClientCacheTest() throws IOException {
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
        return SchemaRegistryClient.builder(config).time(time).build();
    }

    @Test
    void aMissingIdIsAnsweredFromTheNegativeCacheUntilItsTtlPasses() {
        fake.then(404, NOT_FOUND);
        try (SchemaRegistryClient client = client(Map.of("missing.id.cache.ttl.sec", 10))) {
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> client.schemaById(42))
                        .isInstanceOf(SchemaNotFoundException.class);
            }
            assertThat(fake.requests()).hasSize(1);
            time.advance(Duration.ofSeconds(10));
            assertThatThrownBy(() -> client.schemaById(42))
                    .isInstanceOf(SchemaNotFoundException.class);
            assertThat(fake.requests()).hasSize(2);
        }
    }

    @Test
    void aNegativeCacheTtlOfZeroAsksEveryTime() {
        fake.then(404, NOT_FOUND);
        try (SchemaRegistryClient client = client(Map.of("missing.id.cache.ttl.sec", "0"))) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> client.schemaById(42))
                        .isInstanceOf(SchemaNotFoundException.class);
            }
        }
        assertThat(fake.requests()).hasSize(3);
    }

    @Test
    void theSchemaCacheEvictsTheLeastRecentlyUsedBeyondItsBound() {
        fake.then(200, SCHEMA_BODY);
        try (SchemaRegistryClient client = client(Map.of("max.schemas.per.subject", 2))) {
            client.schemaById(1);
            client.schemaById(2);
            client.schemaById(1); // 2 is now the least recently used
            client.schemaById(3); // evicts 2
            assertThat(fake.requests()).hasSize(3);
            client.schemaById(1);
            client.schemaById(3);
            assertThat(fake.requests()).hasSize(3);
            client.schemaById(2);
            assertThat(fake.requests()).hasSize(4);
        }
    }

    @Test
    void theLatestVersionIsReusedForItsTtl() {
        fake.then(200, LATEST);
        try (SchemaRegistryClient client = client(Map.of("latest.cache.ttl.sec", 5))) {
            assertThat(client.latest("s").id()).isEqualTo(5);
            client.latest("s");
            assertThat(fake.requests()).hasSize(1);
            time.advance(Duration.ofSeconds(5));
            client.latest("s");
            assertThat(fake.requests()).hasSize(2);
        }
    }

    @Test
    void aParsedAvroSchemaIsParsedOnceAndReturnedAsTheSameObject() {
        fake.then(
                200,
                "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\","
                        + "\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"int\\\"}]}\"}");
        try (SchemaRegistryClient client = client(Map.of())) {
            org.apache.avro.Schema first = client.avroSchemaById(9);
            assertThat(first.getField("a")).isNotNull();
            assertThat(client.avroSchemaById(9)).isSameAs(first);
        }
        assertThat(fake.requests()).hasSize(1);
    }
}
