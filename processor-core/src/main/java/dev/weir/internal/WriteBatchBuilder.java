package dev.weir.internal;

import java.util.Arrays;
import org.rocksdb.WriteBatch;

/**
 * Builds a RocksDB write batch in its serialized form in Java, so that thousands of state entries
 * cross into RocksDB in one call instead of one JNI call (and two array copies) per entry. The
 * format is RocksDB's stable write-batch representation (also its WAL record format, see {@code
 * db/write_batch.cc}): a fixed64 sequence number and a fixed32 count, little-endian, then per entry
 * a tag byte, the column family id as varint32 unless it is the default family, and length-prefixed
 * (varint32) key and value.
 */
final class WriteBatchBuilder {
    private static final int HEADER = 12;

    /** A buffer grown beyond this by large values is dropped after use. */
    private static final int RETAINED_BYTES = 1 << 20;

    private static final byte TYPE_DELETION = 0x0;
    private static final byte TYPE_VALUE = 0x1;
    private static final byte TYPE_CF_DELETION = 0x4;
    private static final byte TYPE_CF_VALUE = 0x5;

    private byte[] buf = new byte[4096];
    private int length = HEADER;
    private int count;

    /** {@code familyId}: {@link org.rocksdb.ColumnFamilyHandle#getID()}, 0 for the default. */
    void put(int familyId, byte[] key, byte[] value) {
        int id = familyId;
        ensure(1 + 5 + 5 + key.length + 5 + value.length);
        if (id == 0) {
            buf[length++] = TYPE_VALUE;
        } else {
            buf[length++] = TYPE_CF_VALUE;
            varint(id);
        }
        bytes(key);
        bytes(value);
        count++;
    }

    void delete(int familyId, byte[] key) {
        int id = familyId;
        ensure(1 + 5 + 5 + key.length);
        if (id == 0) {
            buf[length++] = TYPE_DELETION;
        } else {
            buf[length++] = TYPE_CF_DELETION;
            varint(id);
        }
        bytes(key);
        count++;
    }

    int count() {
        return count;
    }

    /** The batch; the caller closes it. The builder can be used again after {@link #clear}. */
    WriteBatch build() {
        buf[8] = (byte) count;
        buf[9] = (byte) (count >>> 8);
        buf[10] = (byte) (count >>> 16);
        buf[11] = (byte) (count >>> 24);
        return new WriteBatch(Arrays.copyOf(buf, length));
    }

    void clear() {
        if (buf.length > RETAINED_BYTES) {
            buf = new byte[4096];
        }
        Arrays.fill(buf, 0, HEADER, (byte) 0);
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

    private void ensure(int more) {
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }
}
