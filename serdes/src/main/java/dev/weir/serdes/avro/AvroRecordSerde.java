package dev.weir.serdes.avro;

import dev.weir.Header;
import dev.weir.OutgoingHeaders;
import dev.weir.RecordSerde;
import dev.weir.WeirException;
import dev.weir.serdes.avro.internal.SchemaReaders;
import dev.weir.serdes.avro.internal.SchemaWriters;
import dev.weir.serdes.avro.internal.SerdeSettings;
import dev.weir.serdes.avro.internal.TrustedClasses;
import dev.weir.serdes.avro.internal.WireFormat;
import dev.weir.serdes.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.Utf8;

/**
 * Avro keys or values of Kafka records in the Confluent Schema Registry wire format — magic byte
 * {@code 0}, the schema id as 4 bytes big-endian, Avro binary — compatible byte for byte with
 * Confluent's {@code KafkaAvroSerializer}/{@code KafkaAvroDeserializer} and configured with their
 * keys ({@link AvroSerdeOptions}, and the registry client's {@link
 * dev.weir.serdes.registry.SchemaRegistryOptions}).
 *
 * <pre>{@code
 * KafkaSource.of(List.of("orders"), Serdes.string(), AvroRecordSerde.generic())
 * KafkaSink.of("totals", Serdes.string(), AvroRecordSerde.specific(Totals.class))
 * }</pre>
 *
 * <p><b>Life cycle.</b> The connector calls {@link #configure} with the job's settings (which must
 * hold {@code schema.registry.url}) before the first record; {@link #configured} does it for use
 * outside a connector. {@code configure} creates the registry client (unless one was given with
 * {@link #withRegistryClient}) and empty caches; {@link #close} closes that client and leaves the
 * serde configurable again. Calling (de)serialize before {@code configure} fails.
 *
 * <p><b>Serializing.</b> The subject comes from {@code key.subject.name.strategy} / {@code
 * value.subject.name.strategy}. With {@code auto.register.schemas=true} (the default) the value's
 * schema is registered; otherwise, with {@code use.latest.version=true}, the subject's latest
 * version is written (by field name; {@code latest.compatibility.strict} refuses a value it cannot
 * read), else the id of the value's own schema is looked up. Once per (topic, schema): after that
 * no request, no schema parsing, no writer construction per record. A schema the registry refuses
 * (409, 422) or does not have fails the write with the registry's reason.
 *
 * <p><b>Deserializing.</b> The writer schema is fetched by the record's id, once per id; the reader
 * schema is the generated class's for {@link #specific} (or with {@code specific.avro.reader=true},
 * the class the writer schema names), else the writer schema. The {@code DatumReader} is kept per
 * id. A record that is not in the format (wrong magic byte, too short), names an id the registry
 * does not have, or is not decodable throws a {@link WeirException} naming the topic and what is
 * wrong: a poison record for the source's {@code deserialization.error.policy}. When the registry
 * is unavailable (after the client's retries) for an id not yet cached, it throws {@link
 * dev.weir.RetriableSerdeException}: the source waits and retries the record. Cached ids keep being
 * read during an outage.
 *
 * <p><b>Threads.</b> Thread-safe: one instance serves every subtask of its connector. Configure it
 * for one connector and one role (key or value).
 *
 * @param <T> {@link GenericRecord}, a generated class, or for {@link #objects()} any Avro value
 */
public final class AvroRecordSerde<T> implements RecordSerde<T> {
    private static final Map<Schema.Type, Schema> PRIMITIVES =
            Map.of(
                    Schema.Type.STRING, Schema.create(Schema.Type.STRING),
                    Schema.Type.INT, Schema.create(Schema.Type.INT),
                    Schema.Type.LONG, Schema.create(Schema.Type.LONG),
                    Schema.Type.BOOLEAN, Schema.create(Schema.Type.BOOLEAN),
                    Schema.Type.DOUBLE, Schema.create(Schema.Type.DOUBLE),
                    Schema.Type.FLOAT, Schema.create(Schema.Type.FLOAT),
                    Schema.Type.BYTES, Schema.create(Schema.Type.BYTES));

    /** What the deserializer returns; the serializer writes any of them. */
    private enum Kind {
        GENERIC_RECORDS,
        OBJECTS,
        SPECIFIC
    }

    /** Everything {@link #configure} set up; replaced as a whole, read without locks. */
    private record Configured(
            SchemaRegistryClient client,
            boolean ownsClient,
            SchemaWriters writers,
            SchemaReaders readers) {}

    private final Kind kind;
    private final Optional<Class<? extends SpecificRecord>> specificClass;
    private final Optional<SchemaRegistryClient> suppliedClient;
    private volatile Configured configured;

    private AvroRecordSerde(
            Kind kind,
            Optional<Class<? extends SpecificRecord>> specificClass,
            Optional<SchemaRegistryClient> suppliedClient) {
        this.kind = kind;
        this.specificClass = specificClass;
        this.suppliedClient = suppliedClient;
    }

    /**
     * Generic records ({@code GenericData.Record}, or a generated class with {@code
     * specific.avro.reader=true}); a record whose schema is not a record type is refused as poison.
     * Writes any {@link GenericRecord}, generated classes included.
     */
    public static AvroRecordSerde<GenericRecord> generic() {
        return new AvroRecordSerde<>(Kind.GENERIC_RECORDS, Optional.empty(), Optional.empty());
    }

    /**
     * Any Avro value, as Confluent's {@code KafkaAvroSerializer} takes it: records (generic, or
     * specific with {@code specific.avro.reader=true}), enums, and the primitives {@code Boolean},
     * {@code Integer}, {@code Long}, {@code Float}, {@code Double}, {@code String} (any {@code
     * CharSequence} is written; a top-level string is read as {@code String}) and {@code
     * byte[]}/{@code ByteBuffer} (read as {@code ByteBuffer}).
     */
    public static AvroRecordSerde<Object> objects() {
        return new AvroRecordSerde<>(Kind.OBJECTS, Optional.empty(), Optional.empty());
    }

    /**
     * Instances of {@code type}, a class generated by the Avro compiler, read with its schema as
     * reader schema (Avro schema resolution from the writer's), whatever {@code
     * specific.avro.reader} says. A writer schema that {@code type} cannot read is a poison record.
     *
     * <p>Avro loads generated classes only if they are trusted (system property {@code
     * org.apache.avro.SERIALIZABLE_PACKAGES}); naming {@code type} here trusts it and the generated
     * classes of its own schema, JVM-wide, since Avro has no per-reader setting.
     */
    public static <T extends SpecificRecord> AvroRecordSerde<T> specific(Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (SpecificData.get().getSchema(type).getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(
                    "type must be a generated Avro record class, got " + type.getName());
        }
        TrustedClasses.trust(type);
        return new AvroRecordSerde<>(Kind.SPECIFIC, Optional.of(type), Optional.empty());
    }

    /**
     * This serde using {@code client} instead of creating one in {@link #configure}: to share one
     * client (and its caches and connections) between serdes, or to watch its {@link
     * SchemaRegistryClient#requestCount()}. The serde never closes it.
     */
    public AvroRecordSerde<T> withRegistryClient(SchemaRegistryClient client) {
        return new AvroRecordSerde<>(kind, specificClass, Optional.of(client));
    }

    /**
     * This serde, configured with {@code configs} as a connector would ({@link #configure}): for
     * use outside a connector, e.g. {@code AvroRecordSerde.generic().configured(settings, false)}.
     */
    public AvroRecordSerde<T> configured(Map<String, ?> configs, boolean isKey) {
        configure(configs, isKey);
        return this;
    }

    /**
     * Reads the settings ({@link AvroSerdeOptions}; all keys also go to the registry client) and
     * starts with empty caches. Called again after {@link #close} on a restart.
     *
     * @throws WeirException naming the key of a missing or invalid setting
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SerdeSettings settings = SerdeSettings.parse(configs, isKey);
        boolean owns = suppliedClient.isEmpty();
        SchemaRegistryClient client =
                suppliedClient.orElseGet(() -> SchemaRegistryClient.create(configs));
        Configured previous = configured;
        configured =
                new Configured(
                        client,
                        owns,
                        new SchemaWriters(client, settings),
                        new SchemaReaders(
                                client,
                                specificClass,
                                settings.specificReader(),
                                kind == Kind.GENERIC_RECORDS));
        if (previous != null && previous.ownsClient()) {
            previous.client().close();
        }
    }

    /**
     * The value in the wire format, its schema registered or looked up under the subject the
     * strategy gives for {@code topic} (once per topic and schema).
     *
     * @throws dev.weir.RetriableSerdeException if the registry is unavailable now
     * @throws WeirException if the registry refuses or does not have the schema, or the value
     *     cannot be written with it
     */
    @Override
    public byte[] serialize(String topic, OutgoingHeaders headers, T value) {
        Configured c = configured();
        Object datum = value instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : value;
        Schema schema = schemaOf(datum);
        SchemaWriters.Target target =
                c.writers()
                        .target(
                                topic,
                                schema,
                                datum instanceof SpecificRecord
                                        ? Optional.of(datum.getClass())
                                        : Optional.empty());
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.writeBytes(target.header());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            target.writer().write(datum, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new WeirException(
                    "cannot write " + schema.getFullName() + " to topic '" + topic + "': " + e, e);
        }
        return out.toByteArray();
    }

    /**
     * The value in {@code data}, in the wire format.
     *
     * @throws dev.weir.RetriableSerdeException if its schema id is not cached and the registry is
     *     unavailable: try again later
     * @throws WeirException for a poison record: not the wire format (names the magic byte found),
     *     an id the registry does not have (names the id), or bytes that are not Avro of that
     *     schema
     */
    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, List<Header> headers, byte[] data) {
        Configured c = configured();
        int id = WireFormat.schemaId(data, topic);
        SchemaReaders.Reader reader = c.readers().reader(id, topic);
        BinaryDecoder decoder =
                DecoderFactory.get()
                        .binaryDecoder(
                                data,
                                WireFormat.HEADER_LENGTH,
                                data.length - WireFormat.HEADER_LENGTH,
                                null);
        Object value;
        try {
            value = reader.datumReader().read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new WeirException(
                    "record of topic '"
                            + topic
                            + "' is not valid Avro of its schema id "
                            + id
                            + " ("
                            + reader.writer().getFullName()
                            + "): "
                            + e,
                    e);
        }
        return (T) (value instanceof Utf8 utf8 ? utf8.toString() : value);
    }

    /** Closes the registry client this serde created; the serde may be configured again. */
    @Override
    public void close() {
        Configured c = configured;
        configured = null;
        if (c != null && c.ownsClient()) {
            c.client().close();
        }
    }

    @Override
    public String toString() {
        return "AvroRecordSerde["
                + specificClass.map(Class::getName).orElse(kind.name().toLowerCase())
                + "]";
    }

    private Configured configured() {
        Configured c = configured;
        if (c == null) {
            throw new IllegalStateException(
                    this
                            + " is not configured: a connector calls configure(), or use configured()");
        }
        return c;
    }

    private static Schema schemaOf(Object value) {
        if (value instanceof GenericContainer container) {
            return container.getSchema();
        }
        Schema.Type type;
        if (value instanceof CharSequence) {
            type = Schema.Type.STRING;
        } else if (value instanceof Integer) {
            type = Schema.Type.INT;
        } else if (value instanceof Long) {
            type = Schema.Type.LONG;
        } else if (value instanceof Boolean) {
            type = Schema.Type.BOOLEAN;
        } else if (value instanceof Double) {
            type = Schema.Type.DOUBLE;
        } else if (value instanceof Float) {
            type = Schema.Type.FLOAT;
        } else if (value instanceof ByteBuffer) {
            type = Schema.Type.BYTES;
        } else {
            throw new WeirException(
                    "cannot write a "
                            + value.getClass().getName()
                            + " as Avro: not a record (GenericContainer) nor a primitive"
                            + " (Boolean, Integer, Long, Float, Double, CharSequence, byte[],"
                            + " ByteBuffer)");
        }
        return PRIMITIVES.get(type);
    }
}
