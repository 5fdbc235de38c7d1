package dev.weir.internal;

import dev.weir.WeirException;
import dev.weir.internal.metrics.OwnedCounter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Write-back cache of state values in front of RocksDB: list states' values as objects, value
 * states' as their serialized bytes ({@link #putSerialized}). Dirty entries reach RocksDB when
 * evicted, in a WriteBatch whenever {@code maxDirty} of them have accumulated, and at {@link
 * #flush}; at a barrier they go into the snapshot's batch (below), so a snapshot holds exactly the
 * state at the barrier while the batch stays bounded by {@code maxDirty}.
 *
 * <p>Built for the per-record path: an open-addressing table (linear probing) whose probes compare
 * the hashes in an {@code int[]} before touching any entry, with the hash the caller already has
 * (the key's murmur3, computed for its key group), and CLOCK eviction — a hit sets a bit instead of
 * relinking a list. A record usually reads its key's value and then writes it: the entry of the
 * last lookup is remembered, so the write does not probe again.
 *
 * <p>At a barrier the dirty entries are {@linkplain #freeze set aside} at once, and then
 * {@linkplain #capture captured} into a batch a few at a time while records go on being processed —
 * an entry that a record touches before its turn is captured first, so the batch holds each entry
 * as it was at the barrier. The snapshot writes the batch off the task thread, while RocksDB writes
 * are suspended; the synchronous pause at the barrier does not grow with the number of dirty
 * entries. Until then, neither those entries nor dirty ones can be evicted: the table evicts other
 * clean ones only, and grows if it has none. When {@code maxDirty} entries turn dirty while writes
 * are suspended, they are detached ahead, into a batch that is written as soon as writes resume (or
 * with the next snapshot): a barrier's batch stays bounded by {@code maxDirty} however long the
 * previous snapshot took.
 *
 * <p>The cache holds at most {@code maxEntries} entries, and fewer when their values are large: at
 * most {@code maxBytes} of entries, each counted as the serialized size of an average entry (as
 * last observed in a batch written to RocksDB, or in values read from it) plus {@link
 * #ENTRY_OVERHEAD_BYTES}. Without that bound 100,000 cached values of 10 KiB would take a gigabyte
 * of heap.
 *
 * <p>Detached entries stay cached until their batch is in RocksDB ("pinned"): batches are numbered,
 * each entry carries the number of the last batch it went into, and everything up to {@code
 * durableSeq} has been written.
 */
final class StateCache {
    private static final int MIN_SLOTS = 16;

    /** Heap an entry takes besides its key and value bytes: objects, headers, its table slot. */
    static final int ENTRY_OVERHEAD_BYTES = 96;

    /** How many entries the cache may hold, and how much; when dirty entries are written. */
    record Limits(int maxEntries, long maxBytes, int maxDirty) {}

    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final int capacity;
    private final long maxBytes;
    private final int maxDirty;
    private final BooleanSupplier writesSuspended;
    private final Runnable awaitWritable;
    private List<Entry> dirty = new ArrayList<>();
    private final WriteBatchBuilder batch = new WriteBatchBuilder();

    /** Batches detached while writes were suspended, in order, not yet written. */
    private final List<WriteBatchBuilder> ahead = new ArrayList<>();

    /**
     * The entries dirty at the last barrier, captured from {@code frozenNext} on into {@code
     * frozenBatch}; the list that was {@code dirty} until then (the two take turns).
     */
    private List<Entry> frozen = new ArrayList<>();

    private int frozenNext;

    /** The barrier's batch while its entries are being captured; null otherwise. */
    private WriteBatchBuilder frozenBatch;

    /** The barrier's batches: those detached ahead before it, then its own. */
    private List<WriteBatchBuilder> barrierBatches;

    /** Set when the capture is complete, until {@link #capture} hands the batches out. */
    private List<WriteBatchBuilder> captured;

    /** {@code hashes[i]} is the hash of {@code slots[i]}, valid where the slot is not null. */
    private int[] hashes;

    private Entry[] slots;
    private int mask;
    private int size;
    private int dirtyEntries;

    /** Counts detached batches; an entry carries the number of the last one it went into. */
    private int detachSeq;

    /** The last batch detached at a barrier; written by the time writes resume. */
    private int barrierSeq;

    /** Batches up to this one are in RocksDB. */
    private int durableSeq;

    /** Entries pinned now: in batches after {@code durableSeq}. */
    private int pinnedEntries;

    /** Entries pinned by batches detached ahead: after {@code barrierSeq}. */
    private int pinnedAhead;

    private int hand;

    /** Set at the first eviction: from then on a key the cache lacks may be in RocksDB. */
    private boolean evicted;

    /**
     * The entry of the last lookup, and the array its caller passed as the key: the backend makes
     * one array per current key and never changes it, so the same array is the same key. (The
     * entry's own key array is the one of the record that first loaded it.)
     */
    private Entry last;

    private byte[] lastKey;

    /** Reads through {@link #get}, and those that went to RocksDB: for the metrics. */
    final OwnedCounter lookups = new OwnedCounter();

    final OwnedCounter misses = new OwnedCounter();

    /** Serialized bytes of an average entry, key and value, as last observed; 0: none yet. */
    private volatile int entryBytes;

    StateCache(
            RocksDB db,
            WriteOptions writeOptions,
            Limits limits,
            BooleanSupplier writesSuspended,
            Runnable awaitWritable) {
        this.db = db;
        this.writesSuspended = writesSuspended;
        this.awaitWritable = awaitWritable;
        this.writeOptions = writeOptions;
        this.capacity = limits.maxEntries();
        this.maxBytes = limits.maxBytes();
        this.maxDirty = Math.max(1, limits.maxDirty());
        // At most half full at capacity; starts small and doubles as entries come.
        allocate(MIN_SLOTS);
    }

    private void allocate(int n) {
        hashes = new int[n];
        slots = new Entry[n];
        mask = n - 1;
    }

    /**
     * The value of {@code key} in {@code table}, loading it with {@code reader} on a miss. {@code
     * hash} must be the same for equal keys (the backend passes the key's murmur3).
     */
    Object get(
            RocksKeyedBackend.StateTable table,
            byte[] key,
            int hash,
            Function<byte[], Object> reader) {
        lookups.increment();
        if (capacity == 0) {
            misses.increment();
            return readFromDb(table, key, reader);
        }
        Entry e = lastLookup(table, key);
        if (e == null) {
            int h = mix(hash, table);
            e = find(table, key, h);
            if (e == null) {
                Object value = null;
                if (!holdsAllOf(table)) {
                    misses.increment();
                    value = readFromDb(table, key, reader);
                }
                e = new Entry(table, key, value);
                insert(e, h);
            }
            remember(e, key);
        }
        captureIfFrozen(e);
        e.referenced = true;
        return e.value;
    }

    /**
     * Sets {@code key} to {@code value} ({@code null} deletes it); serialized later by {@code
     * writer}.
     */
    void put(
            RocksKeyedBackend.StateTable table,
            byte[] key,
            int hash,
            Object value,
            Function<Object, byte[]> writer) {
        if (capacity == 0) {
            Entry e = new Entry(table, key, value);
            e.writer = writer;
            awaitWritable.run();
            writeThrough(e);
            return;
        }
        Entry e = entryToWrite(table, key, hash);
        e.value = value;
        e.writer = writer;
        markDirty(e);
    }

    /**
     * Sets {@code key} to {@code bytes} ({@code null} deletes it), for a state whose cached values
     * are their serialized form (read with {@link #AS_IS}). Copies into the cached array when it
     * has the same length and no batch still to be written refers to it: the update then stores no
     * new object into the entry, which lives long — every such store is a reference from old to
     * young objects that the garbage collector tracks, and a value it copies and promotes. An array
     * that {@code callers} keeps is copied before it is cached.
     */
    void putSerialized(
            RocksKeyedBackend.StateTable table,
            byte[] key,
            int hash,
            byte[] bytes,
            boolean callers) {
        if (capacity == 0) {
            put(table, key, hash, bytes, SERIALIZED);
            return;
        }
        Entry e = entryToWrite(table, key, hash);
        if (bytes != null
                && e.value instanceof byte[] cached
                && cached.length == bytes.length
                && e.detachedIn <= durableSeq) {
            System.arraycopy(bytes, 0, cached, 0, bytes.length);
        } else {
            e.value = callers && bytes != null ? bytes.clone() : bytes;
        }
        // Only when it changes: any reference store into the entry dirties a card for the GC.
        if (e.writer != SERIALIZED) {
            e.writer = SERIALIZED;
        }
        markDirty(e);
    }

    /** Reads a stored value as its bytes. */
    static final Function<byte[], Object> AS_IS = b -> b;

    private static final Function<Object, byte[]> SERIALIZED = v -> (byte[]) v;

    /** The entry of {@code key}, created without a value if the cache has none. */
    private Entry entryToWrite(RocksKeyedBackend.StateTable table, byte[] key, int hash) {
        Entry e = lastLookup(table, key);
        if (e == null) {
            int h = mix(hash, table);
            e = find(table, key, h);
            if (e == null) {
                e = new Entry(table, key, null);
                insert(e, h);
            }
            remember(e, key);
        }
        captureIfFrozen(e);
        return e;
    }

    private void markDirty(Entry e) {
        e.referenced = true;
        if (!e.dirty) {
            e.dirty = true;
            e.dirtySeq = detachSeq + 1;
            dirtyEntries++;
            dirty.add(e);
            if (dirty.size() >= maxDirty) {
                if (writesSuspended.getAsBoolean()) {
                    detachAhead();
                } else {
                    flush();
                }
            }
        }
    }

    /** Entries cached now; for tests. */
    int size() {
        return size;
    }

    /** Entries the cache may hold with values of the size observed last. */
    int entryLimit() {
        int observed = entryBytes;
        if (observed == 0) {
            return capacity;
        }
        return (int) Math.max(1, Math.min(capacity, maxBytes / (observed + ENTRY_OVERHEAD_BYTES)));
    }

    /** A batch of the cache's entries was built: their average size. Any thread. */
    void observe(WriteBatchBuilder built) {
        long average = built.averageEntryBytes();
        if (average > 0) {
            entryBytes = (int) Math.min(average, Integer.MAX_VALUE - ENTRY_OVERHEAD_BYTES);
        }
    }

    /**
     * Whether every key of {@code table} in RocksDB is in the cache too, so that a key the cache
     * lacks is absent: the table was created empty and written only through the cache (the
     * backend's {@link RocksKeyedBackend.StateTable#fresh}), and no entry has been evicted yet. A
     * job whose keys fit in the cache then never reads RocksDB, not even for a key seen first.
     */
    private boolean holdsAllOf(RocksKeyedBackend.StateTable table) {
        return table.fresh && !evicted;
    }

    /** The entry of the last lookup if {@code key} is the same array, else null. */
    private Entry lastLookup(RocksKeyedBackend.StateTable table, byte[] key) {
        Entry e = last;
        return e != null && lastKey == key && e.table == table ? e : null;
    }

    private void remember(Entry e, byte[] key) {
        last = e;
        lastKey = key;
    }

    private static int mix(int hash, RocksKeyedBackend.StateTable table) {
        int h = hash ^ (table.id * 0x9E3779B9);
        return h ^ (h >>> 16);
    }

    private Entry find(RocksKeyedBackend.StateTable table, byte[] key, int h) {
        int[] hs = hashes;
        Entry[] ss = slots;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            Entry e = ss[i];
            if (e == null) {
                return null;
            }
            if (hs[i] == h && e.table == table && Arrays.equals(e.key, key)) {
                return e;
            }
        }
    }

    private void insert(Entry e, int h) {
        evictDownTo(entryLimit() - 1);
        if ((size + 1) * 2 > slots.length) {
            resize(slots.length * 2);
        }
        place(e, h);
        size++;
    }

    private void place(Entry e, int h) {
        int i = h & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = e;
        hashes[i] = h;
    }

    private void resize(int n) {
        int[] oldHashes = hashes;
        Entry[] oldSlots = slots;
        allocate(n);
        for (int i = 0; i < oldSlots.length; i++) {
            if (oldSlots[i] != null) {
                place(oldSlots[i], oldHashes[i]);
            }
        }
        hand = 0;
    }

    /**
     * CLOCK: the hand passes over entries, clearing their referenced bit; the first one found
     * without it goes. Dirty entries are written to RocksDB as they go — or, while RocksDB writes
     * are suspended, skipped; if then no clean entry turns up within a short stretch the table
     * grows instead, so a record never waits for a long sweep.
     */
    private void evictDownTo(int target) {
        if (size <= target) {
            return;
        }
        boolean suspended = writesSuspended.getAsBoolean();
        if (!suspended) {
            catchUp();
        } else if (dirtyEntries + pinnedEntries >= size) {
            return;
        }
        int budget = suspended ? 256 : 2 * slots.length;
        while (size > target && budget-- > 0) {
            int i = hand;
            hand = (hand + 1) & mask;
            Entry e = slots[i];
            if (e == null) {
                continue;
            }
            if (e.referenced) {
                e.referenced = false;
                continue;
            }
            if (e.detachedIn > durableSeq) {
                continue;
            }
            if (e.dirty) {
                if (suspended) {
                    continue;
                }
                writeThrough(e);
                e.dirty = false;
                dirtyEntries--;
            }
            if (e == last) {
                remember(null, null);
            }
            evicted = true;
            remove(i);
            // The entry shifted into slot i has not been looked at yet.
            hand = i;
        }
    }

    /** Removes slot {@code i}, moving later entries of its probe run back (no tombstones). */
    private void remove(int i) {
        slots[i] = null;
        size--;
        int gap = i;
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            // Entry j may move into the gap if its home is not in the cyclic range (gap, j].
            boolean homeAfterGap = gap <= j ? (home > gap && home <= j) : (home > gap || home <= j);
            if (!homeAfterGap) {
                slots[gap] = slots[j];
                hashes[gap] = hashes[j];
                slots[j] = null;
                gap = j;
            }
        }
    }

    private Object readFromDb(
            RocksKeyedBackend.StateTable table, byte[] key, Function<byte[], Object> reader) {
        try {
            byte[] bytes = db.get(table.family, key);
            if (bytes == null) {
                return null;
            }
            int seen = entryBytes;
            entryBytes =
                    seen == 0
                            ? key.length + bytes.length
                            : (7 * seen + key.length + bytes.length) >>> 3;
            return reader.apply(bytes);
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

    /**
     * At a barrier: sets the entries dirty now aside for {@link #capture}, without looking at them
     * — the work at the barrier does not grow with their number. The batches detached ahead since
     * the last barrier go first. Call only while writes are not suspended, and suspend them until
     * the batches are written (a snapshot writes them before the RocksDB checkpoint): captured
     * entries are clean, but stay cached until writes resume, so that no read goes to RocksDB
     * before the batch is there. If the batches are not written the cache no longer matches
     * RocksDB: the caller must then fail the task.
     */
    void freeze() {
        if (frozenBatch != null || captured != null) {
            throw new IllegalStateException("the last barrier's batches were not taken yet");
        }
        // The previous barrier's batch is written; what was detached ahead since goes with this
        // one.
        markBarrierWritten();
        barrierBatches = new ArrayList<>(ahead);
        ahead.clear();
        detachSeq++;
        barrierSeq = detachSeq;
        pinnedAhead = 0;
        List<Entry> set = dirty;
        dirty = frozen;
        frozen = set;
        frozenNext = 0;
        frozenBatch = WriteBatchBuilder.forEntries(Math.min(set.size(), maxDirty));
    }

    /**
     * Captures up to {@code max} of the entries set aside at the last barrier. Returns the
     * barrier's batches, in order, once all are captured (once), else null.
     */
    List<WriteBatchBuilder> capture(int max) {
        captureUpTo(max);
        List<WriteBatchBuilder> out = captured;
        captured = null;
        return out;
    }

    /**
     * Captures up to {@code max} more set-aside entries; when none are left, the batches are due.
     */
    private void captureUpTo(int max) {
        if (frozenBatch == null) {
            return;
        }
        List<Entry> set = frozen;
        int end = (int) Math.min(set.size(), (long) frozenNext + max);
        for (int i = frozenNext; i < end; i++) {
            captureIfFrozen(set.get(i));
        }
        frozenNext = end;
        if (end == set.size()) {
            barrierBatches.add(frozenBatch);
            captured = barrierBatches;
            barrierBatches = null;
            frozenBatch = null;
            set.clear();
            frozenNext = 0;
        }
    }

    /**
     * Captures {@code e} into the barrier's batch if it was dirty at the barrier and has not been
     * captured yet: before a record reads or changes it (a list state's value is changed in place),
     * so the batch holds its value at the barrier.
     */
    private void captureIfFrozen(Entry e) {
        if (frozenBatch != null && e.dirty && e.dirtySeq == barrierSeq) {
            addTo(frozenBatch, e);
            dirtyEntries--;
            if (e.detachedIn <= durableSeq) {
                pinnedEntries++;
            }
            e.detachedIn = barrierSeq;
        }
    }

    /** Writes are suspended and {@code maxDirty} entries are dirty: detach them for later. */
    private void detachAhead() {
        // After the barrier's own batch, which must be complete first.
        captureUpTo(Integer.MAX_VALUE);
        ahead.add(detach());
    }

    private WriteBatchBuilder detach() {
        detachSeq++;
        WriteBatchBuilder detached = WriteBatchBuilder.forEntries(dirtyEntries);
        for (Entry e : dirty) {
            if (e.dirty) {
                addTo(detached, e);
                if (e.detachedIn <= durableSeq) {
                    pinnedEntries++;
                }
                if (e.detachedIn <= barrierSeq) {
                    pinnedAhead++;
                }
                e.detachedIn = detachSeq;
            }
        }
        dirtyEntries = 0;
        dirty.clear();
        return detached;
    }

    private void markBarrierWritten() {
        if (durableSeq < barrierSeq) {
            durableSeq = barrierSeq;
            pinnedEntries = pinnedAhead;
        }
    }

    /**
     * Writes are not suspended: the last barrier's batch is in RocksDB, and what was detached ahead
     * goes there now, before any other write, so that RocksDB receives each key's values in order.
     */
    private void catchUp() {
        markBarrierWritten();
        if (ahead.isEmpty()) {
            return;
        }
        for (WriteBatchBuilder b : ahead) {
            try {
                writeAll(db, writeOptions, b.build());
                observe(b);
            } catch (RocksDBException ex) {
                throw new WeirException(
                        "RocksDB batch write of " + b.count() + " state entries failed: " + ex, ex);
            }
        }
        ahead.clear();
        durableSeq = detachSeq;
        barrierSeq = detachSeq;
        pinnedEntries = 0;
        pinnedAhead = 0;
    }

    /** Writes {@code batches} in order, closing each. */
    static void writeAll(RocksDB db, WriteOptions options, List<WriteBatch> batches)
            throws RocksDBException {
        try {
            for (WriteBatch b : batches) {
                db.write(options, b);
            }
        } finally {
            batches.forEach(WriteBatch::close);
        }
    }

    private static void addTo(WriteBatchBuilder batch, Entry e) {
        Object value = e.value;
        if (value == null || e.writer == SERIALIZED) {
            // Already bytes: passed on without a look at them (a cache miss per entry at a
            // barrier).
            batch.addUnchecked(e.table.family, e.table.familyId, e.key, value);
        } else {
            batch.add(e.table.family, e.table.familyId, e.key, e.writer.apply(value));
        }
        e.dirty = false;
    }

    /**
     * Writes every dirty entry to RocksDB in one batch. Call only while writes are not suspended.
     */
    void flush() {
        catchUp();
        if (!dirty.isEmpty()) {
            try {
                for (Entry e : dirty) {
                    if (e.dirty) {
                        addTo(batch, e);
                    }
                }
                writeAll(db, writeOptions, batch.build());
                observe(batch);
            } catch (RocksDBException ex) {
                throw new WeirException(
                        "RocksDB batch write of " + batch.count() + " state entries failed: " + ex,
                        ex);
            } finally {
                batch.clear();
            }
            dirtyEntries = 0;
            dirty.clear();
        }
        // Entries evicted while writes were suspended are due now.
        evictDownTo(entryLimit());
    }

    private static final class Entry {
        final RocksKeyedBackend.StateTable table;
        final byte[] key;
        Object value;
        Function<Object, byte[]> writer;
        boolean dirty;
        boolean referenced;

        /** While dirty: the number the batch it goes into will have. */
        int dirtySeq;

        int detachedIn = -1;

        Entry(RocksKeyedBackend.StateTable table, byte[] key, Object value) {
            this.table = table;
            this.key = key;
            this.value = value;
        }
    }
}
