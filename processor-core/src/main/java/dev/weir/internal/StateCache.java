package dev.weir.internal;

import dev.weir.WeirException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Write-back cache of deserialized state values in front of RocksDB, least recently used first out.
 * Dirty entries reach RocksDB when evicted, in a WriteBatch whenever {@code maxDirty} of them have
 * accumulated, and at {@link #flush} — which each barrier calls, so a snapshot holds exactly the
 * state at the barrier while the work at the barrier stays bounded by {@code maxDirty}.
 *
 * <p>A record usually reads its key's value and then writes it: the entry of the last lookup is
 * remembered, so the write finds it without hashing the key again.
 */
final class StateCache {
    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final int capacity;
    private final LinkedHashMap<Key, Entry> entries;
    private final List<Entry> dirty = new ArrayList<>();
    private final int maxDirty;
    private final BooleanSupplier writesSuspended;
    private final Runnable awaitWritable;
    private Entry last;

    StateCache(
            RocksDB db,
            WriteOptions writeOptions,
            int capacity,
            int maxDirty,
            BooleanSupplier writesSuspended,
            Runnable awaitWritable) {
        this.db = db;
        this.writesSuspended = writesSuspended;
        this.awaitWritable = awaitWritable;
        this.writeOptions = writeOptions;
        this.capacity = capacity;
        this.maxDirty = Math.max(1, maxDirty);
        this.entries =
                new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 2, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                        // While RocksDB checkpoints, nothing may reach it: the cache grows instead.
                        if (size() <= StateCache.this.capacity || writesSuspended.getAsBoolean()) {
                            return false;
                        }
                        Entry e = eldest.getValue();
                        if (e.dirty) {
                            writeThrough(e);
                            e.dirty = false;
                        }
                        if (e == last) {
                            last = null;
                        }
                        return true;
                    }
                };
    }

    /** The value of {@code key} in {@code table}, loading it with {@code reader} on a miss. */
    Object get(RocksKeyedBackend.StateTable table, byte[] key, Function<byte[], Object> reader) {
        if (capacity == 0) {
            return readFromDb(table, key, reader);
        }
        Entry e = last;
        if (e == null || e.key != key || e.table != table) {
            Key k = new Key(table, key);
            e = entries.get(k);
            if (e == null) {
                e = new Entry(table, key, readFromDb(table, key, reader));
                entries.put(k, e);
                trim();
            }
            last = e;
        }
        return e.value;
    }

    /**
     * Sets {@code key} to {@code value} ({@code null} deletes it); serialized later by {@code
     * writer}.
     */
    void put(
            RocksKeyedBackend.StateTable table,
            byte[] key,
            Object value,
            Function<Object, byte[]> writer) {
        if (capacity == 0) {
            Entry e = new Entry(table, key, value);
            e.writer = writer;
            awaitWritable.run();
            writeThrough(e);
            return;
        }
        Entry e = last;
        if (e == null || e.key != key || e.table != table) {
            Key k = new Key(table, key);
            e = entries.get(k);
            if (e == null) {
                e = new Entry(table, key, value);
                entries.put(k, e);
            }
            last = e;
        }
        e.value = value;
        e.writer = writer;
        if (!e.dirty) {
            e.dirty = true;
            dirty.add(e);
            if (dirty.size() >= maxDirty && !writesSuspended.getAsBoolean()) {
                flush();
            }
        }
    }

    /** Evicts down to capacity what grew beyond it while RocksDB writes were suspended. */
    private void trim() {
        if (entries.size() <= capacity + 1 || writesSuspended.getAsBoolean()) {
            return;
        }
        var it = entries.values().iterator();
        while (entries.size() > capacity && it.hasNext()) {
            Entry e = it.next();
            if (e.dirty) {
                writeThrough(e);
                e.dirty = false;
            }
            if (e == last) {
                last = null;
            }
            it.remove();
        }
    }

    private Object readFromDb(
            RocksKeyedBackend.StateTable table, byte[] key, Function<byte[], Object> reader) {
        try {
            byte[] bytes = db.get(table.family, key);
            return bytes == null ? null : reader.apply(bytes);
        } catch (RocksDBException e) {
            throw new WeirException("RocksDB read of state '" + table.name + "' failed: " + e, e);
        }
    }

    private void writeThrough(Entry e) {
        try {
            if (e.value == null) {
                db.delete(e.table.family, writeOptions, e.key);
            } else {
                db.put(e.table.family, writeOptions, e.key, e.writer.apply(e.value));
            }
        } catch (RocksDBException ex) {
            throw new WeirException(
                    "RocksDB write of state '" + e.table.name + "' failed: " + ex, ex);
        }
    }

    /** Writes every dirty entry to RocksDB in one batch. */
    void flush() {
        if (dirty.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (Entry e : dirty) {
                if (!e.dirty) {
                    continue;
                }
                if (e.value == null) {
                    batch.delete(e.table.family, e.key);
                } else {
                    batch.put(e.table.family, e.key, e.writer.apply(e.value));
                }
                e.dirty = false;
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException ex) {
            throw new WeirException(
                    "RocksDB batch write of " + dirty.size() + " state entries failed: " + ex, ex);
        }
        dirty.clear();
    }

    private static final class Key {
        final RocksKeyedBackend.StateTable table;
        final byte[] key;
        final int hash;

        Key(RocksKeyedBackend.StateTable table, byte[] key) {
            this.table = table;
            this.key = key;
            this.hash = 31 * table.id + Arrays.hashCode(key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.table == table && Arrays.equals(k.key, key);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Entry {
        final RocksKeyedBackend.StateTable table;
        final byte[] key;
        Object value;
        Function<Object, byte[]> writer;
        boolean dirty;

        Entry(RocksKeyedBackend.StateTable table, byte[] key, Object value) {
            this.table = table;
            this.key = key;
            this.value = value;
        }
    }
}
