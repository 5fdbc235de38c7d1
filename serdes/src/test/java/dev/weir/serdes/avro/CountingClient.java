package dev.weir.serdes.avro;

import dev.weir.serdes.registry.CompatibilityResult;
import dev.weir.serdes.registry.RegisteredSchema;
import dev.weir.serdes.registry.RegistrySchema;
import dev.weir.serdes.registry.SchemaRegistryClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;

/**
 * A client that counts the calls a serde makes, so a test sees that a warm serde does not even ask
 * the client's caches per record (no reader or writer built per record), not only that no HTTP
 * request is sent.
 */
final class CountingClient implements SchemaRegistryClient {
    private final SchemaRegistryClient delegate;
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

    CountingClient(SchemaRegistryClient delegate) {
        this.delegate = delegate;
    }

    long calls() {
        return calls.values().stream().mapToLong(AtomicLong::get).sum();
    }

    Map<String, AtomicLong> byMethod() {
        return calls;
    }

    private void count(String method) {
        calls.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public int register(String subject, RegistrySchema schema, boolean normalize) {
        count("register");
        return delegate.register(subject, schema, normalize);
    }

    @Override
    public int idOf(String subject, RegistrySchema schema, boolean normalize) {
        count("idOf");
        return delegate.idOf(subject, schema, normalize);
    }

    @Override
    public RegistrySchema schemaById(int id) {
        count("schemaById");
        return delegate.schemaById(id);
    }

    @Override
    public Schema avroSchemaById(int id) {
        count("avroSchemaById");
        return delegate.avroSchemaById(id);
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        count("version");
        return delegate.version(subject, version);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        count("latest");
        return delegate.latest(subject);
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, RegistrySchema schema) {
        count("testCompatibility");
        return delegate.testCompatibility(subject, schema);
    }

    @Override
    public long requestCount() {
        return delegate.requestCount();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
