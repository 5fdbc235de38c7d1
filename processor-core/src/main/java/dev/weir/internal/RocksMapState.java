package dev.weir.internal;

import dev.weir.StateSerializer;
import dev.weir.WeirException;
import dev.weir.state.MapState;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * {@link MapState} with one RocksDB entry per map entry: key group, key length, key, user key.
 * Bypasses the cache; RocksDB's memtable absorbs the writes. A write waits while the backend takes
 * a RocksDB checkpoint (it would otherwise leak into it).
 */
final class RocksMapState<UK, UV> implements MapState<UK, UV> {
    private final RocksKeyedBackend backend;
    private final RocksKeyedBackend.StateTable table;
    private final StateSerializer<UK> keySerde;
    private final StateSerializer<UV> valueSerde;

    RocksMapState(
            RocksKeyedBackend backend,
            RocksKeyedBackend.StateTable table,
            StateSerializer<UK> keySerde,
            StateSerializer<UV> valueSerde) {
        this.backend = backend;
        this.table = table;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    private byte[] prefix() {
        return dev.weir.format.StateKeys.mapPrefix(backend.currentStateKey());
    }

    private byte[] entryKey(UK userKey) {
        byte[] p = prefix();
        byte[] uk = keySerde.serialize(userKey);
        byte[] k = Arrays.copyOf(p, p.length + uk.length);
        System.arraycopy(uk, 0, k, p.length, uk.length);
        return k;
    }

    @Override
    public Optional<UV> get(UK userKey) {
        try {
            byte[] v = backend.db().get(table.family, entryKey(userKey));
            return v == null ? Optional.empty() : Optional.of(valueSerde.deserialize(v));
        } catch (RocksDBException e) {
            throw new WeirException(
                    "RocksDB read of map state '" + table.name + "' failed: " + e, e);
        }
    }

    @Override
    public void put(UK userKey, UV value) {
        backend.awaitWritable();
        try {
            backend.db()
                    .put(
                            table.family,
                            backend.writeOptions(),
                            entryKey(userKey),
                            valueSerde.serialize(value));
        } catch (RocksDBException e) {
            throw new WeirException(
                    "RocksDB write of map state '" + table.name + "' failed: " + e, e);
        }
    }

    @Override
    public void remove(UK userKey) {
        backend.awaitWritable();
        try {
            backend.db().delete(table.family, backend.writeOptions(), entryKey(userKey));
        } catch (RocksDBException e) {
            throw new WeirException(
                    "RocksDB delete in map state '" + table.name + "' failed: " + e, e);
        }
    }

    @Override
    public boolean contains(UK userKey) {
        return get(userKey).isPresent();
    }

    @Override
    public Iterable<Map.Entry<UK, UV>> entries() {
        byte[] p = prefix();
        List<Map.Entry<UK, UV>> result = new ArrayList<>();
        try (RocksIterator it = backend.db().newIterator(table.family)) {
            for (it.seek(p); it.isValid() && startsWith(it.key(), p); it.next()) {
                byte[] k = it.key();
                UK uk = keySerde.deserialize(Arrays.copyOfRange(k, p.length, k.length));
                result.add(
                        new AbstractMap.SimpleImmutableEntry<>(
                                uk, valueSerde.deserialize(it.value())));
            }
        }
        return result;
    }

    @Override
    public boolean isEmpty() {
        byte[] p = prefix();
        try (RocksIterator it = backend.db().newIterator(table.family)) {
            it.seek(p);
            return !(it.isValid() && startsWith(it.key(), p));
        }
    }

    @Override
    public void clear() {
        backend.awaitWritable();
        byte[] p = prefix();
        try (RocksIterator it = backend.db().newIterator(table.family)) {
            for (it.seek(p); it.isValid() && startsWith(it.key(), p); it.next()) {
                backend.db().delete(table.family, backend.writeOptions(), it.key());
            }
        } catch (RocksDBException e) {
            throw new WeirException(
                    "RocksDB clear of map state '" + table.name + "' failed: " + e, e);
        }
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length
                && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }
}
