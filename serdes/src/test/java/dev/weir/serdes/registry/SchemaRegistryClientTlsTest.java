package dev.weir.serdes.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.OutgoingHeaders;
import dev.weir.UnrecoverableJobException;
import dev.weir.serdes.avro.AvroRecordSerde;
import dev.weir.testkit.SchemaRegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client over HTTPS with {@code schema.registry.ssl.*}: against the real registry (Apicurio
 * serving TLS only, its certificate signed by a CA made here with keytool), and for mutual TLS
 * against the in-JVM fake over the JDK's {@code HttpsServer}, since this Apicurio build cannot ask
 * for client certificates ({@code quarkus.http.ssl.client-auth} is fixed at its build time).
 */
@Timeout(240)
class SchemaRegistryClientTlsTest {
    private static final Schema ORDER =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"tls\","
                                    + "\"fields\":[{\"name\":\"amount\",\"type\":\"long\"}]}");

    @TempDir static Path dir;
    private static TestCertificates certs;
    private static SchemaRegistryServer registry;

    @BeforeAll
    static void startRegistryWithTls() {
        certs = TestCertificates.create(dir);
        registry =
                SchemaRegistryServer.startPrivate(
                        new SchemaRegistryServer.Tls(
                                certs.serverKeyStore, TestCertificates.PASSWORD));
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void theClientAndTheAvroSerdeWorkOverHttpsWithTheConfiguredTrustStore() {
        assertThat(registry.url()).startsWith("https://127.0.0.1:");
        Map<String, Object> config = trusting(registry.url(), certs.trustStore);
        int id;
        try (SchemaRegistryClient client = SchemaRegistryClient.create(config)) {
            id = client.register("tls-orders-value", RegistrySchema.avro(ORDER.toString()));
        }
        try (SchemaRegistryClient other = SchemaRegistryClient.create(config)) {
            assertThat(other.avroSchemaById(id)).isEqualTo(ORDER);
            assertThat(other.requestCount()).isEqualTo(1);
        }

        GenericRecord order = new GenericData.Record(ORDER);
        order.put("amount", 12L);
        byte[] bytes =
                AvroRecordSerde.generic()
                        .configured(config, false)
                        .serialize("tls-orders", OutgoingHeaders.of(List.of()), order);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(
                        AvroRecordSerde.generic()
                                .configured(config, false)
                                .deserialize("tls-orders", List.of(), bytes))
                .isEqualTo(order);
    }

    @Test
    void anUntrustedServerCertificateFailsAtOnceNamingTheUrlAndTheTrustStoreKeys() {
        Map<String, Object> otherCa = trusting(registry.url(), certs.otherCaTrustStore);
        Map<String, Object> jvmTrust = withRetries(Map.of("schema.registry.url", registry.url()));

        for (Map<String, Object> config : List.of(otherCa, jvmTrust)) {
            try (SchemaRegistryClient client = SchemaRegistryClient.create(config)) {
                assertThatThrownBy(() -> client.schemaById(1))
                        .isInstanceOfSatisfying(
                                RegistryRequestException.class,
                                e -> {
                                    assertThat(e.status()).isZero();
                                    assertThat(e.refusesTheClient()).isTrue();
                                })
                        .hasMessageContaining(
                                "TLS handshake with schema registry " + registry.url())
                        .hasMessageContaining("GET /schemas/ids/1")
                        .hasMessageContaining("schema.registry.ssl.truststore.location")
                        .hasMessageContaining("not retried");
                // max.retries=3: a handshake failure taken for transient would send 4 requests.
                assertThat(client.requestCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void aRecordReadThroughAnUntrustedRegistryStopsTheJobRatherThanCountingAsPoison() {
        AvroRecordSerde<GenericRecord> serde =
                AvroRecordSerde.generic()
                        .configured(trusting(registry.url(), certs.otherCaTrustStore), false);
        byte[] record = {0, 0, 0, 0, 1, 2};

        assertThatThrownBy(() -> serde.deserialize("tls-orders", List.of(), record))
                .isInstanceOf(UnrecoverableJobException.class)
                .hasMessageContaining("(TLS)")
                .hasMessageContaining("schema.registry.ssl.truststore.location");
    }

    @Test
    void anHttpsUrlOnTheRegistrysPlainHttpPortFailsAtOnce() {
        String https = SchemaRegistryServer.shared().url().replace("http://", "https://");
        try (SchemaRegistryClient client =
                SchemaRegistryClient.create(trusting(https, certs.trustStore))) {
            assertThatThrownBy(() -> client.schemaById(1))
                    .isInstanceOf(RegistryRequestException.class)
                    .hasMessageContaining("TLS handshake with schema registry " + https);
            assertThat(client.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void mutualTlsPresentsTheKeyStoresCertificate() throws Exception {
        try (FakeRegistry mtls = FakeRegistry.https(serverContext(), true, "TLSv1.3")) {
            mtls.then(200, "{\"schema\":\"\\\"string\\\"\"}");
            Map<String, Object> withKey = new HashMap<>(trusting(mtls.url(), certs.trustStore));
            withKey.put("schema.registry.ssl.keystore.location", certs.clientKeyStore.toString());
            withKey.put("schema.registry.ssl.keystore.password", TestCertificates.PASSWORD);
            withKey.put("schema.registry.ssl.keystore.type", "PKCS12");

            try (SchemaRegistryClient client = SchemaRegistryClient.create(withKey)) {
                assertThat(client.schemaById(5).text()).isEqualTo("\"string\"");
            }
            assertThat(mtls.requests()).hasSize(1);
        }
    }

    /**
     * Without a client key the server refuses the handshake. Over TLS 1.2 the refusal is a
     * handshake alert: not retried. (Over TLS 1.3 the client's side of the handshake completes
     * first, and a server that then drops the connection without an alert, as the JDK's does, looks
     * like any reset connection: retried as transient.)
     */
    @Test
    void aRefusedClientCertificateFailsAtOnceNamingTheKeyStoreKeys() throws Exception {
        try (FakeRegistry mtls = FakeRegistry.https(serverContext(), true, "TLSv1.2")) {
            mtls.then(200, "{\"schema\":\"\\\"string\\\"\"}");
            try (SchemaRegistryClient noKey =
                    SchemaRegistryClient.create(trusting(mtls.url(), certs.trustStore))) {
                assertThatThrownBy(() -> noKey.schemaById(6))
                        .isInstanceOf(RegistryRequestException.class)
                        .hasMessageContaining("TLS handshake with schema registry " + mtls.url())
                        .hasMessageContaining("schema.registry.ssl.keystore");
                assertThat(noKey.requestCount()).isEqualTo(1);
            }
            assertThat(mtls.requests()).isEmpty();
        }
    }

    private static Map<String, Object> trusting(String url, Path trustStore) {
        Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", url);
        config.put("schema.registry.ssl.truststore.location", trustStore.toString());
        config.put("schema.registry.ssl.truststore.password", TestCertificates.PASSWORD);
        config.put("schema.registry.ssl.truststore.type", "PKCS12");
        return withRetries(config);
    }

    /** Retries that a transient classification would use: 3 more rounds, 50 ms base. */
    private static Map<String, Object> withRetries(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        c.put("max.retries", 3);
        c.put("retries.wait.ms", 50);
        return c;
    }

    /** The fake's side: the server key, and trust in the CA for client certificates. */
    private static SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(certs.serverKeyStore), TestCertificates.PASSWORD.toCharArray());
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(certs.trustStore));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        return store;
    }
}
