package dev.weir.serdes.avro.internal;

import dev.weir.RetriableSerdeException;
import dev.weir.WeirException;
import dev.weir.serdes.registry.IncompatibleSchemaException;
import dev.weir.serdes.registry.InvalidSchemaException;
import dev.weir.serdes.registry.RegisteredSchema;
import dev.weir.serdes.registry.RegistrySchema;
import dev.weir.serdes.registry.SchemaNotFoundException;
import dev.weir.serdes.registry.SchemaRegistryClient;
import dev.weir.serdes.registry.SchemaRegistryException;
import dev.weir.serdes.registry.TransientRegistryException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The serializer's side: for each (topic, value schema) the schema id to write and the {@link
 * DatumWriter} to write with, found once through the registry and then kept, so a warm serializer
 * sends no request and builds nothing per record. Thread-safe; two threads that miss on the same
 * schema at once may both ask the registry (the client's own cache then answers the second).
 */
public final class SchemaWriters {
    /** What a value of one schema is written as: the id in its header and the writer. */
    public record Target(byte[] header, DatumWriter<Object> writer) {}

    private final SchemaRegistryClient client;
    private final SerdeSettings settings;
    private final Map<String, Map<Schema, Target>> byTopic = new ConcurrentHashMap<>();

    public SchemaWriters(SchemaRegistryClient client, SerdeSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /**
     * How to write a value of {@code schema} to {@code topic}; {@code specific} is the value's
     * generated class if it has one.
     *
     * @throws RetriableSerdeException if the registry is unavailable now
     * @throws WeirException if the registry refuses the schema or does not have it, naming the
     *     subject and the registry's reason
     */
    public Target target(String topic, Schema schema, Optional<Class<?>> specific) {
        Map<Schema, Target> targets =
                byTopic.computeIfAbsent(topic, t -> new ConcurrentHashMap<>());
        Target target = targets.get(schema);
        if (target == null) {
            target = resolve(topic, schema, specific);
            targets.putIfAbsent(schema, target);
        }
        return target;
    }

    private Target resolve(String topic, Schema schema, Optional<Class<?>> specific) {
        String subject = settings.strategy().subject(topic, settings.isKey(), schema);
        RegistrySchema registrySchema = RegistrySchema.avro(schema.toString());
        GenericData data =
                specific.<GenericData>map(SpecificData::getForClass).orElse(GenericData.get());
        try {
            if (settings.autoRegister()) {
                int id = client.register(subject, registrySchema, settings.normalize());
                return new Target(WireFormat.header(id), ownWriter(schema, specific));
            }
            if (settings.useLatestVersion()) {
                return latest(subject, schema, data, specific);
            }
            int id = client.idOf(subject, registrySchema, settings.normalize());
            return new Target(WireFormat.header(id), ownWriter(schema, specific));
        } catch (TransientRegistryException e) {
            throw new RetriableSerdeException(
                    "cannot write "
                            + schema.getFullName()
                            + " to topic '"
                            + topic
                            + "' now: the schema registry is unavailable for subject '"
                            + subject
                            + "': "
                            + e.getMessage(),
                    e);
        } catch (SchemaNotFoundException e) {
            throw new WeirException(
                    "the schema of "
                            + schema.getFullName()
                            + " is not registered under subject '"
                            + subject
                            + "' and auto.register.schemas=false"
                            + (settings.useLatestVersion()
                                    ? " (use.latest.version=true: the subject has no version)"
                                    : "")
                            + ": register it, or set auto.register.schemas=true ("
                            + e.getMessage()
                            + ")",
                    e);
        } catch (IncompatibleSchemaException | InvalidSchemaException e) {
            throw new WeirException(
                    "the schema registry refused the schema of "
                            + schema.getFullName()
                            + " under subject '"
                            + subject
                            + "': "
                            + e.getMessage(),
                    e);
        } catch (SchemaRegistryException e) {
            throw new WeirException(
                    "cannot find the schema id of "
                            + schema.getFullName()
                            + " under subject '"
                            + subject
                            + "': "
                            + e.getMessage(),
                    e);
        }
    }

    private Target latest(
            String subject, Schema schema, GenericData data, Optional<Class<?>> specific) {
        RegisteredSchema latest = client.latest(subject);
        Schema latestSchema = client.avroSchemaById(latest.id());
        byte[] header = WireFormat.header(latest.id());
        if (latestSchema.equals(schema)) {
            return new Target(header, ownWriter(schema, specific));
        }
        if (settings.latestCompatibilityStrict()) {
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(latestSchema, schema);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new WeirException(
                        "use.latest.version=true: version "
                                + latest.version()
                                + " (id "
                                + latest.id()
                                + ") of subject '"
                                + subject
                                + "' cannot read values of "
                                + schema.getFullName()
                                + " as this serializer has them: "
                                + compatibility.getResult().getIncompatibilities()
                                + "; change the value's schema, register a compatible version,"
                                + " or set latest.compatibility.strict=false");
            }
        }
        return new Target(header, new ByNameDatumWriter(latestSchema, data));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static DatumWriter<Object> ownWriter(Schema schema, Optional<Class<?>> specific) {
        // The class's own SpecificData, not SpecificData.getForSchema: that loads the class by
        // name, which Avro refuses for classes it does not trust (TrustedClasses).
        return specific.isPresent()
                ? (DatumWriter)
                        new SpecificDatumWriter<>(schema, SpecificData.getForClass(specific.get()))
                : new GenericDatumWriter<>(schema);
    }
}
