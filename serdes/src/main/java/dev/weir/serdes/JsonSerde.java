package dev.weir.serdes;

import dev.weir.Serde;
import dev.weir.WeirException;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsonFormatVisitors.JsonFormatVisitorWrapper;
import tools.jackson.databind.jsonFormatVisitors.JsonObjectFormatVisitor;

/**
 * JSON (UTF-8) through Jackson, for POJOs, Java records, collections and {@link JsonNode} trees:
 * usable as a Kafka record serde and as a state serializer ({@link Serde}).
 *
 * <ul>
 *   <li><b>Deterministic</b>: properties are written in alphabetical order (also a record's, not in
 *       declaration order), map entries sorted by key, set elements sorted, a tree's object fields
 *       sorted — so equal values give equal bytes, and reordering a class's fields changes nothing.
 *       Sets and map keys must be of comparable types for that.
 *   <li><b>Evolves</b>: unknown properties are ignored and missing ones keep their defaults, so a
 *       property added to or removed from the type still reads old bytes. {@link #schema()} names
 *       the type and its properties with their types; when a restored state's schema differs, its
 *       values are read with the new type and written again ({@link #migrationFrom}), which fails
 *       the restore naming the state if one cannot be read.
 *   <li><b>Strict otherwise</b>: malformed JSON, trailing content, a JSON {@code null} or a value
 *       of the wrong shape throws a {@link WeirException} naming the type and Jackson's reason.
 * </ul>
 *
 * <p>Thread-safe and stateless; one instance may serve every subtask and both roles. As a {@code
 * keyBy} serializer, remember that key bytes pick key groups: a change to the key type's properties
 * moves keys to other key groups, so keep key types stable.
 */
public final class JsonSerde<T> implements Serde<T> {
    private static final String PREFIX = "json:";

    /** One configuration for every instance: the byte format must not depend on who made it. */
    private static final JsonMapper MAPPER =
            JsonMapper.builder()
                    .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                    .disable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
                    .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .enable(SerializationFeature.ORDER_SET_ELEMENTS)
                    .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
                    .disable(SerializationFeature.INDENT_OUTPUT)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    private final JavaType type;
    private final String schema;
    private final ObjectWriter writer;
    private final ObjectReader reader;

    private JsonSerde(JavaType type) {
        this.type = type;
        this.writer = MAPPER.writerFor(type);
        this.reader = MAPPER.readerFor(type);
        this.schema = PREFIX + describe(type);
    }

    /** Values of {@code type}: a POJO (with a no-argument constructor or a creator) or a record. */
    public static <T> JsonSerde<T> of(Class<T> type) {
        return new JsonSerde<>(MAPPER.constructType(type));
    }

    /** Values of a generic type, such as {@code new TypeReference<List<Order>>() {}}. */
    public static <T> JsonSerde<T> of(TypeReference<T> type) {
        return new JsonSerde<>(MAPPER.constructType(type));
    }

    /** Any JSON value as a Jackson tree. */
    public static JsonSerde<JsonNode> tree() {
        return of(JsonNode.class);
    }

    @Override
    public byte[] serialize(T value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new WeirException(
                    "cannot write " + type.toCanonical() + " as JSON: " + e.getOriginalMessage(),
                    e);
        }
    }

    @Override
    public T deserialize(byte[] bytes) {
        T value;
        try {
            value = reader.readValue(bytes);
        } catch (JacksonException e) {
            throw new WeirException(
                    "cannot read "
                            + type.toCanonical()
                            + " from JSON: "
                            + e.getOriginalMessage()
                            + where(e),
                    e);
        }
        if (value == null) {
            throw new WeirException(
                    "cannot read " + type.toCanonical() + " from JSON: the value is null or empty");
        }
        return value;
    }

    /**
     * {@code json:<type>{<property>:<type>,…}}, properties in alphabetical order; for a type
     * without properties (a string, a list, a tree) just the type.
     */
    @Override
    public String schema() {
        return schema;
    }

    /**
     * Reads each old value with this type (ignoring removed properties, defaulting added ones) and
     * writes it again, so state bytes are in the current format after restore.
     *
     * @throws WeirException if the state was not written as JSON
     */
    @Override
    public Optional<UnaryOperator<byte[]>> migrationFrom(String writerSchema) {
        if (writerSchema.equals(schema)) {
            return Optional.empty();
        }
        if (!writerSchema.startsWith(PREFIX)) {
            throw new WeirException(
                    "the state was written by a non-JSON serializer (schema '"
                            + abbreviate(writerSchema)
                            + "'), not as "
                            + type.toCanonical());
        }
        return Optional.of(
                bytes -> {
                    try {
                        return serialize(deserialize(bytes));
                    } catch (WeirException e) {
                        throw new WeirException(
                                "a value written as "
                                        + abbreviate(writerSchema.substring(PREFIX.length()))
                                        + " cannot be read: "
                                        + e.getMessage(),
                                e);
                    }
                });
    }

    private static String describe(JavaType type) {
        TreeMap<String, String> properties = new TreeMap<>();
        try {
            MAPPER.acceptJsonFormatVisitor(
                    type,
                    new JsonFormatVisitorWrapper.Base() {
                        @Override
                        public JsonObjectFormatVisitor expectObjectFormat(JavaType t) {
                            return new JsonObjectFormatVisitor.Base(getContext()) {
                                @Override
                                public void property(BeanProperty p) {
                                    properties.put(p.getName(), p.getType().toCanonical());
                                }

                                @Override
                                public void optionalProperty(BeanProperty p) {
                                    property(p);
                                }
                            };
                        }
                    });
        } catch (JacksonException e) {
            throw new WeirException(
                    "Jackson cannot write " + type.toCanonical() + ": " + e.getOriginalMessage(),
                    e);
        }
        if (properties.isEmpty()) {
            return type.toCanonical();
        }
        StringJoiner joined = new StringJoiner(",", type.toCanonical() + "{", "}");
        properties.forEach((name, t) -> joined.add(name + ":" + t));
        return joined.toString();
    }

    private static String where(JacksonException e) {
        TokenStreamLocation at = e.getLocation();
        return at == null || at.getByteOffset() < 0 ? "" : " (at byte " + at.getByteOffset() + ")";
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }

    @Override
    public String toString() {
        return "JsonSerde[" + type.toCanonical() + "]";
    }
}
