package dev.weir.serdes.registry;

import java.util.Objects;

/** A version of a subject: the schema registered as {@code version} of {@code subject}. */
public record RegisteredSchema(String subject, int version, int id, RegistrySchema schema) {
    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
