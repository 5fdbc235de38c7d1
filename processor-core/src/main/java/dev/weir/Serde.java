package dev.weir;

/**
 * Turns values into bytes and back: keys for routing and state, state values, and the records of
 * connectors. Implementations must be deterministic (equal values give equal bytes: key groups are
 * computed from them) and thread-safe or stateless, since every subtask shares one instance. A
 * value that cannot be read throws an unchecked exception with the reason. {@link #serialize}
 * returns an array of its own, which the caller may keep (keyed state caches it); {@link
 * #deserialize} may return the array it is given, but no other object that shares it (keyed state
 * updates its cached arrays in place).
 */
public interface Serde<T> {
    byte[] serialize(T value);

    T deserialize(byte[] bytes);

    /**
     * Describes the byte format; stored with state descriptors in checkpoint metadata so a later
     * version of the job can tell whether it still reads the state.
     */
    default String schema() {
        return getClass().getName();
    }

    /**
     * How to turn bytes written by an earlier version of this serde — whose {@link #schema()} was
     * {@code writerSchema}, as a checkpoint or savepoint recorded it — into bytes of the current
     * version. Called once per state at restore, when the schemas differ; the returned function is
     * applied to every stored value. Empty means the bytes are read as they are (the default: a
     * serde that cannot tell says nothing).
     *
     * @throws RuntimeException with the reason, if the old bytes cannot be read (an incompatible
     *     change); the restore then fails naming the operator and the state
     */
    default java.util.Optional<java.util.function.UnaryOperator<byte[]>> migrationFrom(
            String writerSchema) {
        return java.util.Optional.empty();
    }
}
