package dev.weir.internal;

import dev.weir.StateSerializer;
import dev.weir.state.ValueState;
import java.util.Optional;

/**
 * {@link ValueState} through the backend's write-back cache, which holds the serialized value:
 * reads deserialize it, updates serialize into it. A value object therefore lives only as long as
 * the code that uses it — a cached object would be updated with a new young object on every record,
 * references from the long-lived cache that every young collection has to track, copy and
 * eventually promote.
 */
final class RocksValueState<T> implements ValueState<T> {
    private final RocksKeyedBackend backend;
    private final RocksKeyedBackend.StateTable table;
    private final StateSerializer<T> serde;

    RocksValueState(
            RocksKeyedBackend backend,
            RocksKeyedBackend.StateTable table,
            StateSerializer<T> serde) {
        this.backend = backend;
        this.table = table;
        this.serde = serde;
    }

    @Override
    public Optional<T> value() {
        return Optional.ofNullable(valueOrElse(null));
    }

    @Override
    @SuppressWarnings("unchecked")
    public T valueOrElse(T fallback) {
        byte[] bytes =
                (byte[])
                        backend.cache()
                                .get(
                                        table,
                                        backend.currentStateKey(),
                                        backend.currentKeyHash(),
                                        StateCache.AS_IS);
        if (bytes == null) {
            return fallback;
        }
        T value = serde.deserialize(bytes);
        // A serde that returns the array itself (Serdes.bytes()) would hand out the cached array,
        // which a later update overwrites in place.
        return value == (Object) bytes ? (T) bytes.clone() : value;
    }

    @Override
    public void update(T value) {
        if (value == null) {
            throw new IllegalArgumentException(
                    "state '" + table.name + "': update(null) is not allowed; use clear()");
        }
        byte[] bytes = serde.serialize(value);
        backend.cache()
                .putSerialized(
                        table,
                        backend.currentStateKey(),
                        backend.currentKeyHash(),
                        bytes,
                        // The caller's own array (Serdes.bytes()) is theirs to change afterwards.
                        bytes == (Object) value);
    }

    @Override
    public void clear() {
        backend.cache()
                .putSerialized(
                        table, backend.currentStateKey(), backend.currentKeyHash(), null, false);
    }
}
