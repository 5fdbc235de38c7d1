package dev.weir.internal;

import dev.weir.Serde;
import dev.weir.state.ValueState;
import java.util.Optional;
import java.util.function.Function;

/** {@link ValueState} through the backend's write-back cache. */
final class RocksValueState<T> implements ValueState<T> {
    private final RocksKeyedBackend backend;
    private final RocksKeyedBackend.StateTable table;
    private final Function<byte[], Object> reader;
    private final Function<Object, byte[]> writer;

    @SuppressWarnings("unchecked")
    RocksValueState(RocksKeyedBackend backend, RocksKeyedBackend.StateTable table, Serde<T> serde) {
        this.backend = backend;
        this.table = table;
        this.reader = serde::deserialize;
        this.writer = v -> serde.serialize((T) v);
    }

    @Override
    public Optional<T> value() {
        return Optional.ofNullable(valueOrElse(null));
    }

    @Override
    @SuppressWarnings("unchecked")
    public T valueOrElse(T fallback) {
        Object v =
                backend.cache()
                        .get(table, backend.currentStateKey(), backend.currentKeyHash(), reader);
        return v == null ? fallback : (T) v;
    }

    @Override
    public void update(T value) {
        if (value == null) {
            throw new IllegalArgumentException(
                    "state '" + table.name + "': update(null) is not allowed; use clear()");
        }
        backend.cache()
                .put(table, backend.currentStateKey(), backend.currentKeyHash(), value, writer);
    }

    @Override
    public void clear() {
        backend.cache()
                .put(table, backend.currentStateKey(), backend.currentKeyHash(), null, writer);
    }
}
