package dev.weir.serdes.registry;

import java.util.Objects;

/**
 * A schema that another one uses by {@code name} (an Avro full name, a JSON Schema URL or a
 * Protobuf import), registered as {@code version} of {@code subject}.
 */
public record SchemaReference(String name, String subject, int version) {
    public SchemaReference {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(subject, "subject");
        if (version < 1) {
            throw new IllegalArgumentException(
                    "version of reference " + name + " must be >= 1, got " + version);
        }
    }
}
