package dev.weir;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Turns keys and state values into bytes and back, for what Weir stores and routes itself: the key
 * of a {@code keyBy} (its bytes pick the key group, docs/architecture.md §7), the keys of keyed
 * state, and the values of value, list and map states. Kafka records are read and written by a
 * {@link RecordSerde} instead; {@link Serde} is both, for formats that need nothing else.
 *
 * <p>A state serializer must be:
 *
 * <ul>
 *   <li><b>deterministic</b>: equal values give equal bytes, in every process and every run of the
 *       same version of the job — key groups and state lookups are computed from them;
 *   <li><b>self-describing</b>: {@link #schema()} names the byte format, and is stored with each
 *       state in checkpoint and savepoint metadata; a later version of the job is asked through
 *       {@link #migrationFrom} how to read bytes of an older schema. Restoring state never needs
 *       anything outside the job (no schema registry);
 *   <li><b>thread-safe or stateless</b>: every subtask shares one instance.
 * </ul>
 *
 * <p>{@link #serialize} returns an array of its own, which the caller may keep (keyed state caches
 * it); {@link #deserialize} may return the array it is given, but no other object that shares it
 * (keyed state updates its cached arrays in place). Neither is called with {@code null}. A value
 * that cannot be written or read throws an unchecked exception with the reason; in a keyed operator
 * that fails the job into its restart strategy.
 */
public interface StateSerializer<T> {
    byte[] serialize(T value);

    T deserialize(byte[] bytes);

    /**
     * Describes the byte format; stored with state descriptors in checkpoint metadata so a later
     * version of the job can tell whether it still reads the state. Two serializers with the same
     * schema must read each other's bytes. The default, the class name, suits a format that never
     * changes.
     */
    default String schema() {
        return getClass().getName();
    }

    /**
     * How to turn bytes written by an earlier version of this serializer — whose {@link #schema()}
     * was {@code writerSchema}, as a checkpoint or savepoint recorded it — into bytes of the
     * current version. Called once per state at restore, when the schemas differ; the returned
     * function is applied to every stored value. Empty means the bytes are read as they are (the
     * default: a serializer that cannot tell says nothing).
     *
     * @throws RuntimeException with the reason, if the old bytes cannot be read (an incompatible
     *     change); the restore then fails naming the operator and the state
     */
    default Optional<UnaryOperator<byte[]>> migrationFrom(String writerSchema) {
        return Optional.empty();
    }
}
