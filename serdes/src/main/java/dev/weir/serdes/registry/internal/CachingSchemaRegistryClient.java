package dev.weir.serdes.registry.internal;

import dev.weir.serdes.registry.CompatibilityResult;
import dev.weir.serdes.registry.InvalidSchemaException;
import dev.weir.serdes.registry.RegisteredSchema;
import dev.weir.serdes.registry.RegistryRequestException;
import dev.weir.serdes.registry.RegistrySchema;
import dev.weir.serdes.registry.RegistryTime;
import dev.weir.serdes.registry.SchemaNotFoundException;
import dev.weir.serdes.registry.SchemaReference;
import dev.weir.serdes.registry.SchemaRegistryClient;
import dev.weir.serdes.registry.SchemaType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The {@link SchemaRegistryClient} behind {@link SchemaRegistryClient#create}: caches in front of a
 * {@link RestTransport}. Reach it through that factory.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
    private record SubjectSchema(String subject, RegistrySchema schema, boolean normalize) {}

    private record SubjectVersion(String subject, int version) {}

    private final ClientSettings settings;
    private final RestTransport transport;
    private final BoundedCache<Integer, RegistrySchema> schemasById;
    private final BoundedCache<Integer, Schema> avroById;
    private final BoundedCache<SubjectSchema, Integer> idsBySchema;
    private final BoundedCache<SubjectVersion, RegisteredSchema> versions;
    private final BoundedCache<String, RegisteredSchema> latest;
    private final BoundedCache<Integer, Boolean> missingIds;
    private final BoundedCache<SubjectSchema, Boolean> missingSchemas;
    private volatile boolean closed;

    public CachingSchemaRegistryClient(
            Map<String, ?> config, RegistryTime time, DoubleSupplier jitter) {
        this.settings = ClientSettings.parse(config);
        this.transport =
                new RestTransport(
                        settings,
                        time,
                        new Backoff(settings.retryWait(), settings.retryMaxWait(), jitter));
        int size = settings.schemaCacheSize();
        this.schemasById = new BoundedCache<>(size, Optional.empty(), time::nanoTime);
        this.avroById = new BoundedCache<>(size, Optional.empty(), time::nanoTime);
        this.idsBySchema = new BoundedCache<>(size, Optional.empty(), time::nanoTime);
        this.versions = new BoundedCache<>(size, Optional.empty(), time::nanoTime);
        this.latest =
                new BoundedCache<>(
                        settings.latestCacheSize(), settings.latestTtl(), time::nanoTime);
        this.missingIds =
                new BoundedCache<>(
                        settings.missingCacheSize(),
                        Optional.of(settings.missingIdTtl()),
                        time::nanoTime);
        this.missingSchemas =
                new BoundedCache<>(
                        settings.missingCacheSize(),
                        Optional.of(settings.missingSchemaTtl()),
                        time::nanoTime);
    }

    @Override
    public int register(String subject, RegistrySchema schema, boolean normalize) {
        SubjectSchema key = key(subject, schema, normalize);
        Optional<Integer> cached = idsBySchema.get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        String path = subjectPath(subject) + "/versions" + (normalize ? "?normalize=true" : "");
        int id = call("POST", path, RegistryJson.schemaRequest(schema), RegistryJson::id);
        idsBySchema.put(key, id);
        missingSchemas.remove(key);
        return id;
    }

    @Override
    public int idOf(String subject, RegistrySchema schema, boolean normalize) {
        SubjectSchema key = key(subject, schema, normalize);
        Optional<Integer> cached = idsBySchema.get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        String path = subjectPath(subject) + (normalize ? "?normalize=true" : "");
        if (missingSchemas.get(key).isPresent()) {
            throw cachedMissing("POST " + path, "missing.schema.cache.ttl.sec", 40403);
        }
        try {
            RegisteredSchema found =
                    call(
                            "POST",
                            path,
                            RegistryJson.schemaRequest(schema),
                            body -> RegistryJson.registered(body, subject));
            idsBySchema.put(key, found.id());
            return found.id();
        } catch (SchemaNotFoundException e) {
            if (!settings.missingSchemaTtl().isZero()) {
                missingSchemas.put(key, Boolean.TRUE);
            }
            throw e;
        }
    }

    @Override
    public RegistrySchema schemaById(int id) {
        checkOpen();
        Optional<RegistrySchema> cached = schemasById.get(id);
        if (cached.isPresent()) {
            return cached.get();
        }
        String path = "/schemas/ids/" + id;
        if (missingIds.get(id).isPresent()) {
            throw cachedMissing("GET " + path, "missing.id.cache.ttl.sec", 40403);
        }
        try {
            RegistrySchema schema = call("GET", path, null, RegistryJson::schema);
            schemasById.put(id, schema);
            return schema;
        } catch (SchemaNotFoundException e) {
            if (!settings.missingIdTtl().isZero()) {
                missingIds.put(id, Boolean.TRUE);
            }
            throw e;
        }
    }

    @Override
    public Schema avroSchemaById(int id) {
        Optional<Schema> cached = avroById.get(id);
        if (cached.isPresent()) {
            return cached.get();
        }
        RegistrySchema schema = schemaById(id);
        if (schema.type() != SchemaType.AVRO) {
            throw new InvalidSchemaException(
                    "schema id " + id + " is a " + schema.type() + " schema, not Avro", 0, 0);
        }
        Schema.Parser parser = new Schema.Parser();
        Set<SubjectVersion> parsed = new HashSet<>();
        try {
            for (SchemaReference ref : schema.references()) {
                parseReference(parser, ref, parsed, 0);
            }
            Schema avro = parser.parse(schema.text());
            avroById.put(id, avro);
            return avro;
        } catch (SchemaParseException e) {
            throw new InvalidSchemaException(
                    "schema id " + id + " is not a valid Avro schema: " + e.getMessage(), 0, 0);
        }
    }

    private void parseReference(
            Schema.Parser parser, SchemaReference ref, Set<SubjectVersion> parsed, int depth) {
        if (depth > 32) {
            throw new InvalidSchemaException(
                    "schema references nest deeper than 32 at " + ref, 0, 0);
        }
        if (!parsed.add(new SubjectVersion(ref.subject(), ref.version()))) {
            return;
        }
        RegisteredSchema referenced = version(ref.subject(), ref.version());
        for (SchemaReference inner : referenced.schema().references()) {
            parseReference(parser, inner, parsed, depth + 1);
        }
        parser.parse(referenced.schema().text());
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        SubjectVersion key =
                new SubjectVersion(Objects.requireNonNull(subject, "subject"), version);
        Optional<RegisteredSchema> cached = versions.get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        RegisteredSchema found =
                call(
                        "GET",
                        subjectPath(subject) + "/versions/" + version,
                        null,
                        body -> RegistryJson.registered(body, subject));
        versions.put(key, found);
        return found;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        Objects.requireNonNull(subject, "subject");
        Optional<RegisteredSchema> cached = latest.get(subject);
        if (cached.isPresent()) {
            return cached.get();
        }
        RegisteredSchema found =
                call(
                        "GET",
                        subjectPath(subject) + "/versions/latest",
                        null,
                        body -> RegistryJson.registered(body, subject));
        latest.put(subject, found);
        return found;
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, RegistrySchema schema) {
        Objects.requireNonNull(schema, "schema");
        return call(
                "POST",
                "/compatibility" + subjectPath(subject) + "/versions/latest?verbose=true",
                RegistryJson.schemaRequest(schema),
                RegistryJson::compatibility);
    }

    @Override
    public long requestCount() {
        return transport.requestCount();
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "SchemaRegistryClient[" + settings + "]";
    }

    private <T> T call(String method, String path, String body, Function<String, T> reader) {
        checkOpen();
        RestTransport.Response response = transport.send(method, path, body);
        try {
            return reader.apply(response.body());
        } catch (RegistryJson.MalformedAnswer | IllegalArgumentException e) {
            throw new RegistryRequestException(
                    "schema registry "
                            + response.url()
                            + " answered "
                            + method
                            + " "
                            + path
                            + " with a body the client cannot read: "
                            + e.getMessage(),
                    200,
                    0);
        }
    }

    private SubjectSchema key(String subject, RegistrySchema schema, boolean normalize) {
        checkOpen();
        return new SubjectSchema(
                Objects.requireNonNull(subject, "subject"),
                Objects.requireNonNull(schema, "schema"),
                normalize);
    }

    private static SchemaNotFoundException cachedMissing(String request, String key, int code) {
        return new SchemaNotFoundException(
                "schema registry answered "
                        + request
                        + " with 'not found' recently (cached for "
                        + key
                        + ")",
                404,
                code);
    }

    private static String subjectPath(String subject) {
        if (subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        return "/subjects/"
                + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("schema registry client is closed");
        }
    }
}
