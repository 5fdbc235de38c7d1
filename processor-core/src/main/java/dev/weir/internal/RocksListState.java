package dev.weir.internal;

import dev.weir.StateSerializer;
import dev.weir.WeirException;
import dev.weir.state.ListState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * {@link ListState} kept as one value per key (count, then length-prefixed elements), through the
 * backend's write-back cache.
 */
final class RocksListState<T> implements ListState<T> {
    private final RocksKeyedBackend backend;
    private final RocksKeyedBackend.StateTable table;
    private final Function<byte[], Object> reader;
    private final Function<Object, byte[]> writer;

    @SuppressWarnings("unchecked")
    RocksListState(
            RocksKeyedBackend backend,
            RocksKeyedBackend.StateTable table,
            StateSerializer<T> serde) {
        this.backend = backend;
        this.table = table;
        this.reader = bytes -> decode(bytes, serde, table.name);
        this.writer = v -> encode((List<T>) v, serde);
    }

    private static <T> ArrayList<T> decode(byte[] bytes, StateSerializer<T> serde, String name) {
        try {
            List<byte[]> elements = dev.weir.format.StateKeys.listElements(bytes);
            ArrayList<T> list = new ArrayList<>(elements.size());
            for (byte[] e : elements) {
                list.add(serde.deserialize(e));
            }
            return list;
        } catch (RuntimeException e) {
            throw new WeirException("list state '" + name + "' holds unreadable bytes: " + e, e);
        }
    }

    private static <T> byte[] encode(List<T> list, StateSerializer<T> serde) {
        List<byte[]> elements = new ArrayList<>(list.size());
        for (T t : list) {
            elements.add(serde.serialize(t));
        }
        return dev.weir.format.StateKeys.listValue(elements);
    }

    @SuppressWarnings("unchecked")
    private ArrayList<T> current() {
        return (ArrayList<T>)
                backend.cache()
                        .get(table, backend.currentStateKey(), backend.currentKeyHash(), reader);
    }

    @Override
    public List<T> get() {
        ArrayList<T> l = current();
        return l == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(l));
    }

    @Override
    public void add(T element) {
        ArrayList<T> l = current();
        ArrayList<T> next = l == null ? new ArrayList<>() : l;
        next.add(element);
        backend.cache()
                .put(table, backend.currentStateKey(), backend.currentKeyHash(), next, writer);
    }

    @Override
    public void update(List<T> elements) {
        backend.cache()
                .put(
                        table,
                        backend.currentStateKey(),
                        backend.currentKeyHash(),
                        elements.isEmpty() ? null : new ArrayList<>(elements),
                        writer);
    }

    @Override
    public void clear() {
        backend.cache()
                .put(table, backend.currentStateKey(), backend.currentKeyHash(), null, writer);
    }
}
