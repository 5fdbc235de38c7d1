package dev.weir.serdes.registry;

import dev.weir.serdes.registry.internal.CachingSchemaRegistryClient;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.apache.avro.Schema;

/**
 * A caching client of the Confluent Schema Registry REST API (Confluent's registry, or a compatible
 * one such as Apicurio's {@code /apis/ccompat/v7}), configured with Confluent's keys ({@link
 * SchemaRegistryOptions}).
 *
 * <p><b>Caching.</b> Answers that cannot change are kept: schemas by id, ids by (subject, schema,
 * normalize) for both {@link #register} and {@link #idOf}, subject versions, and parsed Avro
 * schemas by id; each cache holds at most {@code max.schemas.per.subject} entries, least recently
 * used evicted first. A subject's latest version is kept for {@code latest.cache.ttl.sec}; an id
 * the registry did not find is answered "not found" for {@code missing.id.cache.ttl.sec} without a
 * request. Once warm, the calls a serializer makes per record send no request: {@link
 * #requestCount()} shows it.
 *
 * <p><b>Failures.</b> Every method throws a {@link SchemaRegistryException}: {@link
 * SchemaNotFoundException}, {@link IncompatibleSchemaException}, {@link InvalidSchemaException},
 * {@link RegistryRequestException}, or — after transient failures were retried over every URL
 * within the retry budget — {@link TransientRegistryException}, on which the caller should wait and
 * try again. A call blocks its thread for at most about {@code retries.budget.ms}.
 *
 * <p><b>Threads.</b> Thread-safe: one client may serve every subtask of a JVM. Methods may be
 * called from any thread; {@link #close()} once, after which calls fail.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /**
     * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions})
     * unless this client already did, and returns its id. Registering a schema the subject already
     * has returns the existing id; the registry assigns the same id to the same schema under every
     * subject.
     *
     * @param normalize let the registry normalize the schema first ({@code normalize.schemas})
     * @throws IncompatibleSchemaException if the subject's compatibility level refuses it
     * @throws InvalidSchemaException if the registry cannot parse it
     */
    int register(String subject, RegistrySchema schema, boolean normalize);

    /** {@link #register(String, RegistrySchema, boolean)} without normalization. */
    default int register(String subject, RegistrySchema schema) {
        return register(subject, schema, false);
    }

    /**
     * The id of {@code schema} if it is registered under {@code subject} ({@code POST
     * /subjects/{subject}}), without registering it: for serializers with {@code
     * auto.register.schemas=false}.
     *
     * @throws SchemaNotFoundException if the subject does not exist or has no such schema
     */
    int idOf(String subject, RegistrySchema schema, boolean normalize);

    /**
     * The schema with {@code id} ({@code GET /schemas/ids/{id}}): what a deserializer needs for the
     * id in a record.
     *
     * @throws SchemaNotFoundException if no schema has this id: for a record, a poison record
     */
    RegistrySchema schemaById(int id);

    /**
     * The schema with {@code id} parsed as Avro, its references resolved through the registry;
     * parsed once per id and kept, so a deserializer can call this for every record.
     *
     * @throws SchemaNotFoundException if no schema has this id, or a reference is missing
     * @throws InvalidSchemaException if it is not an Avro schema or Avro cannot parse it
     */
    Schema avroSchemaById(int id);

    /**
     * Version {@code version} of {@code subject} ({@code GET /subjects/{subject}/versions/{v}}).
     *
     * @throws SchemaNotFoundException if the subject or the version does not exist
     */
    RegisteredSchema version(String subject, int version);

    /**
     * The latest version of {@code subject} ({@code GET /subjects/{subject}/versions/latest}), for
     * serializers with {@code use.latest.version=true}; reused for {@code latest.cache.ttl.sec}.
     *
     * @throws SchemaNotFoundException if the subject does not exist
     */
    RegisteredSchema latest(String subject);

    /**
     * Whether {@code schema} may be registered under {@code subject} after its latest version
     * ({@code POST /compatibility/subjects/{subject}/versions/latest}); never cached.
     */
    CompatibilityResult testCompatibility(String subject, RegistrySchema schema);

    /** HTTP requests this client has sent, retries included: 0 more per call once warm. */
    long requestCount();

    /** Releases the client; later calls throw {@link IllegalStateException}. Idempotent. */
    @Override
    void close();

    /**
     * A client for the Confluent-style configuration {@code config} (values are strings, numbers,
     * booleans, or lists for {@code schema.registry.url}); keys other than the client's are ignored
     * except under {@link SchemaRegistryOptions#OWNED_PREFIXES}.
     *
     * @throws dev.weir.WeirException naming the key if a value is missing or not allowed
     */
    static SchemaRegistryClient create(Map<String, ?> config) {
        return builder(config).build();
    }

    static Builder builder(Map<String, ?> config) {
        return new Builder(config);
    }

    /** Creates clients; {@link #time} and {@link #jitter} exist for tests and the runtime. */
    final class Builder {
        private final Map<String, ?> config;
        private RegistryTime time = RegistryTime.system();
        private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();

        private Builder(Map<String, ?> config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The clock of cache TTLs and retry budgets, and what waits between retries. */
        public Builder time(RegistryTime time) {
            this.time = Objects.requireNonNull(time, "time");
            return this;
        }

        /** Source of the backoff's full jitter: values in {@code [0, 1)}. */
        public Builder jitter(DoubleSupplier jitter) {
            this.jitter = Objects.requireNonNull(jitter, "jitter");
            return this;
        }

        public SchemaRegistryClient build() {
            return new CachingSchemaRegistryClient(config, time, jitter);
        }
    }
}
