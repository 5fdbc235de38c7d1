package dev.weir.state;

/**
 * Names a keyed state and fixes how its values are serialized. The name identifies the state within
 * its operator across checkpoints and savepoints, so it must stay stable.
 */
public sealed interface StateDescriptor
        permits ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor {
    String name();

    /** {@code value}, {@code list} or {@code map}. */
    String kind();

    /** The serializer schema recorded in checkpoint metadata. */
    String serializerSchema();

    static void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException(
                    "state name must be 1..200 characters, got '" + name + "'");
        }
    }
}
