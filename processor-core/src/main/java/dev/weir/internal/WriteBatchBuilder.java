package dev.weir.internal;

import dev.weir.WeirException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Collects state writes and turns them into RocksDB write batches built in their serialized form in
 * Java, so that thousands of entries cross into RocksDB in one call instead of one JNI call (and
 * two array copies) per entry. The format is RocksDB's stable write-batch representation (also its
 * WAL record format, see {@code db/write_batch.cc}): a fixed64 sequence number and a fixed32 count,
 * little-endian, then per entry a tag byte, the column family id as varint32 unless it is the
 * default family, and length-prefixed (varint32) key and value.
 *
 * <p>{@link #build} orders the entries by column family and key prefix (two writes of the same key
 * keep their order): RocksDB inserts a batch into its skiplist memtable entry by entry, and in key
 * order each insert lands next to the previous one, in cache, instead of at a random spot. Adding
 * is cheap and {@code build} does the rest, so a snapshot adds on the task thread and builds on
 * another.
 *
 * <p>Entries are cut into batches of at most {@link #CHUNK_BYTES} (unless one entry alone is
 * larger): arrays of half a G1 region or more are "humongous", allocated straight into the old
 * generation, and one per flush made G1 start concurrent cycles and grow the heap. Large entries
 * (on average {@link #LARGE_ENTRY_BYTES} or more) go through RocksDB's own batch instead, one JNI
 * call each: the call costs little next to copying them, and the copy then lands in native memory
 * rather than in Java arrays that the garbage collector has to clear — with 1 KiB values a
 * snapshot's batch is tens of megabytes.
 */
final class WriteBatchBuilder {
    static final int CHUNK_BYTES = 192 * 1024;
    private static final int HEADER = 12;
    private static final byte TYPE_DELETION = 0x0;
    private static final byte TYPE_VALUE = 0x1;
    private static final byte TYPE_CF_DELETION = 0x4;
    private static final byte TYPE_CF_VALUE = 0x5;

    static final int LARGE_ENTRY_BYTES = 256;

    /** Native batches of large entries are cut here, to bound RocksDB's copy of them. */
    private static final long NATIVE_BATCH_BYTES = 4L << 20;

    /** Entries are ordered through a long per entry whose low bits are the entry's index. */
    private static final int INDEX_BITS = 24;

    private final int chunkBytes;
    private ColumnFamilyHandle[] handles;
    private int[] families;
    private byte[][] keys;

    /**
     * Each a {@code byte[]} or null, held as objects: storing an array into a {@code byte[][]}
     * checks its type, which reads the array's header — on a snapshot's task thread, one cache miss
     * per entry. {@link #build} casts them, off that thread.
     */
    private Object[] values;

    private int size;
    private long averageEntryBytes;

    private final List<byte[]> sealed = new ArrayList<>();
    private byte[] buf;
    private int length = HEADER;
    private int count;

    WriteBatchBuilder() {
        this(CHUNK_BYTES, 64);
    }

    /** For about {@code entries} entries: no growing on the way there. */
    static WriteBatchBuilder forEntries(int entries) {
        return new WriteBatchBuilder(CHUNK_BYTES, Math.max(1, entries));
    }

    WriteBatchBuilder(int chunkBytes, int capacity) {
        this.chunkBytes = chunkBytes;
        this.handles = new ColumnFamilyHandle[capacity];
        this.families = new int[capacity];
        this.keys = new byte[capacity][];
        this.values = new Object[capacity];
    }

    /**
     * Adds a write of {@code key}: {@code value}, or its deletion if {@code value} is null, in
     * {@code family}, whose {@link ColumnFamilyHandle#getID()} is {@code familyId} (a JNI call,
     * which the caller has cached).
     */
    void add(ColumnFamilyHandle family, int familyId, byte[] key, byte[] value) {
        addUnchecked(family, familyId, key, value);
    }

    /**
     * {@link #add} of a value known to be a {@code byte[]} or null without touching it: the caller
     * does not pay a cache miss for a value it only passes on.
     */
    void addUnchecked(ColumnFamilyHandle family, int familyId, byte[] key, Object value) {
        if (size == keys.length) {
            int n = size * 2;
            handles = Arrays.copyOf(handles, n);
            families = Arrays.copyOf(families, n);
            keys = Arrays.copyOf(keys, n);
            values = Arrays.copyOf(values, n);
        }
        handles[size] = family;
        families[size] = familyId;
        keys[size] = key;
        values[size] = value;
        size++;
    }

    /** Entries added since the last {@link #clear}. */
    int count() {
        return size;
    }

    /**
     * Summed when building, not as entries are added: a snapshot adds on the task thread, where
     * reading each key's and value's length would be two more cache misses per entry.
     */
    private static long averageEntryBytes(byte[][] keys, Object[] values, int size) {
        long bytes = 0;
        for (int i = 0; i < size; i++) {
            bytes += keys[i].length + (values[i] == null ? 0 : ((byte[]) values[i]).length);
        }
        return bytes / size;
    }

    /** The average size of an entry, key and value, in the last {@link #build}; 0 before. */
    long averageEntryBytes() {
        return averageEntryBytes;
    }

    /** The batches, in order; the caller writes them one after the other and closes them. */
    List<WriteBatch> build() {
        if (size == 0) {
            return List.of();
        }
        averageEntryBytes = averageEntryBytes(keys, values, size);
        if (averageEntryBytes >= LARGE_ENTRY_BYTES) {
            return buildThroughRocksDb();
        }
        if (buf == null) {
            buf = new byte[chunkBytes];
        }
        for (int i : order()) {
            if (values[i] == null) {
                delete(families[i], keys[i]);
            } else {
                put(families[i], keys[i], (byte[]) values[i]);
            }
        }
        seal();
        List<WriteBatch> batches = new ArrayList<>(sealed.size());
        for (byte[] rep : sealed) {
            batches.add(new WriteBatch(rep));
        }
        sealed.clear();
        return batches;
    }

    private List<WriteBatch> buildThroughRocksDb() {
        List<WriteBatch> batches = new ArrayList<>();
        WriteBatch batch = null;
        long inBatch = 0;
        try {
            for (int i : order()) {
                if (batch == null || inBatch >= NATIVE_BATCH_BYTES) {
                    batch = new WriteBatch();
                    batches.add(batch);
                    inBatch = 0;
                }
                if (values[i] == null) {
                    batch.delete(handles[i], keys[i]);
                } else {
                    byte[] value = (byte[]) values[i];
                    batch.put(handles[i], keys[i], value);
                    inBatch += value.length;
                }
                inBatch += keys[i].length;
            }
            return batches;
        } catch (RocksDBException | RuntimeException e) {
            batches.forEach(WriteBatch::close);
            throw new WeirException("building a RocksDB write batch failed: " + e, e);
        }
    }

    /** Forgets the entries, keeping the buffers for the next round. */
    void clear() {
        Arrays.fill(handles, 0, size, null);
        Arrays.fill(keys, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
        if (buf != null && buf.length > chunkBytes) {
            buf = new byte[chunkBytes];
        }
    }

    /**
     * Indexes by column family and the first four key bytes (the key group and the start of the
     * key), then by index: stable for equal keys, and only a sort of primitives.
     */
    private int[] order() {
        int[] order = new int[size];
        if (size >= 1 << INDEX_BITS) {
            Arrays.setAll(order, i -> i);
            return order;
        }
        long[] packed = new long[size];
        for (int i = 0; i < size; i++) {
            byte[] k = keys[i];
            long prefix = 0;
            for (int b = 0; b < 4; b++) {
                prefix = prefix << 8 | (b < k.length ? k[b] & 0xff : 0);
            }
            packed[i] = (long) (families[i] & 0xff) << 56 | prefix << INDEX_BITS | i;
        }
        Arrays.sort(packed);
        for (int i = 0; i < size; i++) {
            order[i] = (int) (packed[i] & ((1 << INDEX_BITS) - 1));
        }
        return order;
    }

    private void put(int familyId, byte[] key, byte[] value) {
        room(1 + 5 + 5 + key.length + 5 + value.length);
        tag(familyId, TYPE_VALUE, TYPE_CF_VALUE);
        bytes(key);
        bytes(value);
        count++;
    }

    private void delete(int familyId, byte[] key) {
        room(1 + 5 + 5 + key.length);
        tag(familyId, TYPE_DELETION, TYPE_CF_DELETION);
        bytes(key);
        count++;
    }

    /** The entry's type, and its column family unless it is the default one. */
    private void tag(int familyId, byte inDefaultFamily, byte inOtherFamily) {
        if (familyId == 0) {
            buf[length++] = inDefaultFamily;
        } else {
            buf[length++] = inOtherFamily;
            varint(familyId);
        }
    }

    /** Makes room for an entry of up to {@code bytes}, sealing the current batch if it is full. */
    private void room(int bytes) {
        if (count > 0 && length + bytes > chunkBytes) {
            seal();
        }
        if (length + bytes > buf.length) {
            // One entry larger than a chunk: a batch of its own.
            buf = Arrays.copyOf(buf, length + bytes);
        }
    }

    private void seal() {
        if (count == 0) {
            return;
        }
        Arrays.fill(buf, 0, 8, (byte) 0);
        buf[8] = (byte) count;
        buf[9] = (byte) (count >>> 8);
        buf[10] = (byte) (count >>> 16);
        buf[11] = (byte) (count >>> 24);
        sealed.add(Arrays.copyOf(buf, length));
        length = HEADER;
        count = 0;
    }

    private void bytes(byte[] b) {
        varint(b.length);
        System.arraycopy(b, 0, buf, length, b.length);
        length += b.length;
    }

    private void varint(int v) {
        while ((v & ~0x7F) != 0) {
            buf[length++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[length++] = (byte) v;
    }
}
