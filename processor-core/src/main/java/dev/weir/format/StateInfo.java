package dev.weir.format;

import java.util.Optional;

/**
 * A keyed state an operator declared: its name, its kind ({@code value}, {@code list} or {@code
 * map}) and the schemas of its serdes.
 *
 * @param keySchema for a map state, the schema of its map keys' serde. Empty for value and list
 *     states, and for a map state recorded by metadata format 1 or 2: those joined the key and
 *     value schemas into {@code valueSchema} as {@code key->value}; see {@link #splitJoined}
 * @param valueSchema the schema of the serde of its values (of a list state: its elements; of a map
 *     state: its map values)
 */
public record StateInfo(String name, String kind, Optional<String> keySchema, String valueSchema) {
    public StateInfo {
        if (keySchema.isPresent() && !kind.equals("map")) {
            throw new IllegalArgumentException(
                    "state '" + name + "' of kind " + kind + " cannot have a key schema");
        }
    }

    /** A value or list state. */
    public static StateInfo of(String name, String kind, String valueSchema) {
        return new StateInfo(name, kind, Optional.empty(), valueSchema);
    }

    /** A map state. */
    public static StateInfo map(String name, String keySchema, String valueSchema) {
        return new StateInfo(name, "map", Optional.of(keySchema), valueSchema);
    }

    /**
     * This state with the key and value schemas apart, for a map state recorded by format 1 or 2
     * that is restored with map keys of schema {@code keySchema}; any other state as it is. The
     * joined form {@code key->value} is ambiguous when a schema holds {@code ->} itself, but map
     * keys cannot change schema: it is split after {@code keySchema->} when it starts with that,
     * and otherwise at its first {@code ->} (the key schema then differs either way).
     */
    public StateInfo splitJoined(String keySchema) {
        if (!kind.equals("map") || this.keySchema.isPresent()) {
            return this;
        }
        String prefix = keySchema + "->";
        if (valueSchema.startsWith(prefix)) {
            return map(name, keySchema, valueSchema.substring(prefix.length()));
        }
        int arrow = valueSchema.indexOf("->");
        return arrow < 0
                ? map(name, "", valueSchema)
                : map(name, valueSchema.substring(0, arrow), valueSchema.substring(arrow + 2));
    }
}
