package dev.weir.serdes.registry;

import java.util.List;
import java.util.Objects;

/**
 * A schema as the registry stores it: its language, its text and the schemas it references. Two
 * schemas are equal when all three are, which is what the client's caches compare: keep one
 * instance per schema rather than building one per record.
 */
public record RegistrySchema(SchemaType type, String text, List<SchemaReference> references) {
    public RegistrySchema {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("schema text must not be blank");
        }
        references = List.copyOf(references);
    }

    /** An Avro schema without references. */
    public static RegistrySchema avro(String text) {
        return new RegistrySchema(SchemaType.AVRO, text, List.of());
    }

    @Override
    public String toString() {
        String shown = text.length() <= 80 ? text : text.substring(0, 77) + "...";
        return type + " " + shown + (references.isEmpty() ? "" : " references " + references);
    }
}
