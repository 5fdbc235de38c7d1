package dev.weir.serdes.avro;

import dev.weir.WeirException;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * How a serializer names the registry subject of a schema: Confluent's three strategies, chosen
 * with {@code key.subject.name.strategy} / {@code value.subject.name.strategy}.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} or {@code <topic>-value}: one schema history per topic (default). */
    TOPIC_NAME("TopicNameStrategy"),
    /** The record's full name: one history per record type, across topics. */
    RECORD_NAME("RecordNameStrategy"),
    /** {@code <topic>-<full name>}: one history per record type and topic. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String shortName;

    SubjectNameStrategy(String shortName) {
        this.shortName = shortName;
    }

    /** The name in configuration, e.g. {@code TopicNameStrategy}. */
    public String shortName() {
        return shortName;
    }

    /** Confluent's class name of this strategy, which configuration may give instead. */
    public String confluentClassName() {
        return CONFLUENT_PACKAGE + shortName;
    }

    /**
     * The subject of {@code schema} written to {@code topic} as a key ({@code isKey}) or value.
     *
     * @throws WeirException if the strategy needs a record name and {@code schema} has none (a
     *     primitive)
     */
    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
            case RECORD_NAME -> recordName(schema);
            case TOPIC_RECORD_NAME -> topic + "-" + recordName(schema);
        };
    }

    private String recordName(Schema schema) {
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> schema.getFullName();
            default ->
                    throw new WeirException(
                            shortName
                                    + " names subjects after a record, but the value's schema is '"
                                    + schema.getType().getName()
                                    + "'; use TopicNameStrategy for primitive keys or values");
        };
    }

    /**
     * The strategy named {@code value} — a short name ({@code RecordNameStrategy}) or Confluent's
     * class name — read from config key {@code key}.
     *
     * @throws WeirException naming the key and the accepted names for anything else
     */
    public static SubjectNameStrategy parse(String key, String value) {
        String name = value.trim();
        for (SubjectNameStrategy s : values()) {
            if (s.shortName.equals(name) || s.confluentClassName().equals(name)) {
                return s;
            }
        }
        throw new WeirException(
                "invalid value '"
                        + value
                        + "' for config key '"
                        + key
                        + "': must be one of "
                        + Arrays.stream(values())
                                .map(s -> s.shortName + " (" + s.confluentClassName() + ")")
                                .collect(Collectors.joining(", ")));
    }
}
