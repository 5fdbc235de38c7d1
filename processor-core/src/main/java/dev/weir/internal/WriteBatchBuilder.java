package dev.weir.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.WriteBatch;

/**
 * Builds RocksDB write batches in their serialized form in Java, so that thousands of state entries
 * cross into RocksDB in one call instead of one JNI call (and two array copies) per entry. The
 * format is RocksDB's stable write-batch representation (also its WAL record format, see {@code
 * db/write_batch.cc}): a fixed64 sequence number and a fixed32 count, little-endian, then per entry
 * a tag byte, the column family id as varint32 unless it is the default family, and length-prefixed
 * (varint32) key and value.
 *
 * <p>Entries are cut into batches of at most {@link #CHUNK_BYTES} (unless one entry alone is
 * larger): arrays of half a G1 region or more are "humongous", allocated straight into the old
 * generation, and one per flush made G1 start concurrent cycles and grow the heap.
 */
final class WriteBatchBuilder {
    static final int CHUNK_BYTES = 192 * 1024;
    private static final int HEADER = 12;
    private static final byte TYPE_DELETION = 0x0;
    private static final byte TYPE_VALUE = 0x1;
    private static final byte TYPE_CF_DELETION = 0x4;
    private static final byte TYPE_CF_VALUE = 0x5;

    private final int chunkBytes;
    private final List<byte[]> sealed = new ArrayList<>();
    private byte[] buf;
    private int length = HEADER;
    private int count;
    private int total;

    WriteBatchBuilder() {
        this(CHUNK_BYTES);
    }

    WriteBatchBuilder(int chunkBytes) {
        this.chunkBytes = chunkBytes;
        this.buf = new byte[chunkBytes];
    }

    /** {@code familyId}: {@link org.rocksdb.ColumnFamilyHandle#getID()}, 0 for the default. */
    void put(int familyId, byte[] key, byte[] value) {
        room(1 + 5 + 5 + key.length + 5 + value.length);
        if (familyId == 0) {
            buf[length++] = TYPE_VALUE;
        } else {
            buf[length++] = TYPE_CF_VALUE;
            varint(familyId);
        }
        bytes(key);
        bytes(value);
        count++;
        total++;
    }

    void delete(int familyId, byte[] key) {
        room(1 + 5 + 5 + key.length);
        if (familyId == 0) {
            buf[length++] = TYPE_DELETION;
        } else {
            buf[length++] = TYPE_CF_DELETION;
            varint(familyId);
        }
        bytes(key);
        count++;
        total++;
    }

    /** Entries added since the last {@link #clear}. */
    int count() {
        return total;
    }

    /**
     * The batches, in order; the caller writes them one after the other and closes them. Call
     * {@link #clear} before adding again.
     */
    List<WriteBatch> build() {
        seal();
        List<WriteBatch> batches = new ArrayList<>(sealed.size());
        for (byte[] rep : sealed) {
            batches.add(new WriteBatch(rep));
        }
        sealed.clear();
        return batches;
    }

    void clear() {
        sealed.clear();
        if (buf.length > chunkBytes) {
            buf = new byte[chunkBytes];
        }
        length = HEADER;
        count = 0;
        total = 0;
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
