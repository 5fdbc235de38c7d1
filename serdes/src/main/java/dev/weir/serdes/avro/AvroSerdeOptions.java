package dev.weir.serdes.avro;

import dev.weir.config.ConfigOption;
import java.util.List;

/**
 * The configuration keys of {@link AvroRecordSerde}: Confluent's names, defaults and meanings
 * ({@code AbstractKafkaSchemaSerDeConfig}, {@code KafkaAvroDeserializerConfig}), so the settings of
 * a Confluent {@code KafkaAvroSerializer}/{@code KafkaAvroDeserializer} work unchanged. The serde
 * passes its whole configuration to its {@link dev.weir.serdes.registry.SchemaRegistryClient} as
 * well, which reads {@code schema.registry.url}, credentials, TLS, timeouts and cache settings
 * ({@link dev.weir.serdes.registry.SchemaRegistryOptions}).
 */
public final class AvroSerdeOptions {
    private AvroSerdeOptions() {}

    public static final ConfigOption<Boolean> AUTO_REGISTER_SCHEMAS =
            ConfigOption.bool(
                    "auto.register.schemas",
                    true,
                    "Serializer: register the value's schema under its subject (once per schema and"
                            + " subject, then cached) and write its id; false: look the id up"
                            + " (use.latest.version decides how) and fail if it is not registered");

    public static final ConfigOption<Boolean> USE_LATEST_VERSION =
            ConfigOption.bool(
                    "use.latest.version",
                    false,
                    "Serializer, with auto.register.schemas=false: write with the subject's latest"
                            + " version (its id in the record, the value's fields written by name)"
                            + " instead of the id of the value's own schema");

    public static final ConfigOption<Boolean> LATEST_COMPATIBILITY_STRICT =
            ConfigOption.bool(
                    "latest.compatibility.strict",
                    true,
                    "Serializer, with use.latest.version=true: refuse a value whose schema the"
                            + " latest version cannot read (Avro schema resolution); false: write"
                            + " it anyway, a field the value lacks takes the latest schema's"
                            + " default");

    public static final ConfigOption<Boolean> NORMALIZE_SCHEMAS =
            ConfigOption.bool(
                    "normalize.schemas",
                    false,
                    "Serializer: ask the registry to normalize the schema before registering or"
                            + " looking it up (?normalize=true)");

    public static final ConfigOption<String> KEY_SUBJECT_NAME_STRATEGY =
            ConfigOption.string(
                    "key.subject.name.strategy",
                    SubjectNameStrategy.TOPIC_NAME.shortName(),
                    "Subject of a record key's schema: TopicNameStrategy (<topic>-key),"
                            + " RecordNameStrategy (the record's full name) or"
                            + " TopicRecordNameStrategy (<topic>-<full name>); Confluent's class"
                            + " names (io.confluent.kafka.serializers.subject.*) are accepted too");

    public static final ConfigOption<String> VALUE_SUBJECT_NAME_STRATEGY =
            ConfigOption.string(
                    "value.subject.name.strategy",
                    SubjectNameStrategy.TOPIC_NAME.shortName(),
                    "Subject of a record value's schema: TopicNameStrategy (<topic>-value),"
                            + " RecordNameStrategy or TopicRecordNameStrategy, as for keys");

    public static final ConfigOption<Boolean> SPECIFIC_AVRO_READER =
            ConfigOption.bool(
                    "specific.avro.reader",
                    false,
                    "Deserializer of AvroRecordSerde.generic()/objects(): read records into the"
                            + " generated class named by the writer schema (which must be on the"
                            + " class path), with that class's schema as reader schema;"
                            + " AvroRecordSerde.specific(Class) always does");

    /** Every key of the Avro record serde (the registry client's are in SchemaRegistryOptions). */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    AUTO_REGISTER_SCHEMAS,
                    USE_LATEST_VERSION,
                    LATEST_COMPATIBILITY_STRICT,
                    NORMALIZE_SCHEMAS,
                    KEY_SUBJECT_NAME_STRATEGY,
                    VALUE_SUBJECT_NAME_STRATEGY,
                    SPECIFIC_AVRO_READER);

    /**
     * The registry and Avro serde keys, bare and under {@code source.} and {@code sink.} (for the
     * serdes of sources or sinks only): what {@code weir run} accepts besides its own keys, for
     * jobs whose serdes talk to a schema registry (docs/serdes.md).
     */
    public static List<ConfigOption<?>> bareAndPerSide() {
        List<ConfigOption<?>> bare =
                new java.util.ArrayList<>(dev.weir.serdes.registry.SchemaRegistryOptions.ALL);
        bare.addAll(ALL);
        List<ConfigOption<?>> all = new java.util.ArrayList<>(bare);
        for (String side : List.of("source.", "sink.")) {
            bare.forEach(o -> all.add(o.withKey(side + o.key())));
        }
        return all;
    }
}
