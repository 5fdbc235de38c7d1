package dev.weir.state;

import java.util.Optional;

/**
 * Names a keyed state and fixes how its values are serialized. The name identifies the state within
 * its operator across checkpoints and savepoints, so it must stay stable.
 */
public sealed interface StateDescriptor
        permits ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor {
    String name();

    /** {@code value}, {@code list} or {@code map}. */
    String kind();

    /**
     * The {@link dev.weir.StateSerializer#schema()} of the serde of its values (of a list state:
     * its elements; of a map state: its map values), recorded in checkpoint metadata.
     */
    String valueSchema();

    /**
     * For a map state, the {@link dev.weir.StateSerializer#schema()} of the serde of its map keys,
     * recorded in checkpoint metadata apart from {@link #valueSchema()}; empty for value and list
     * states.
     */
    default Optional<String> keySchema() {
        return Optional.empty();
    }

    static void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException(
                    "state name must be 1..200 characters, got '" + name + "'");
        }
    }
}
