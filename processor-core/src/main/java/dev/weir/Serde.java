package dev.weir;

/**
 * Turns values into bytes and back: keys for routing and state, state values, and the records of
 * connectors. Implementations must be deterministic (equal values give equal bytes: key groups are
 * computed from them) and thread-safe or stateless, since every subtask shares one instance. A
 * value that cannot be read throws an unchecked exception with the reason.
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
}
