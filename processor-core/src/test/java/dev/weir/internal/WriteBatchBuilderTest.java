package dev.weir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The Java-built write batches parse as RocksDB batches (RocksDB's own iterator reads them back),
 * hold every entry once, keep the order of writes to the same key, stay within their size and
 * apply.
 */
class WriteBatchBuilderTest {
    static {
        RocksDB.loadLibrary();
    }

    @TempDir Path tmp;

    /** One operation as RocksDB's batch iterator reports it. */
    record Op(int family, String key, byte[] value) {}

    @ParameterizedTest(name = "chunks of {0} bytes, large values {1}")
    @CsvSource({"1024, false", "67108864, false", "1024, true"})
    void batchesHoldTheEntriesInAnOrderThatKeepsEachKeysWrites(int chunkBytes, boolean large)
            throws Exception {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (int i = 1; i <= 3; i++) {
            descriptors.add(new ColumnFamilyDescriptor(("state-" + i).getBytes()));
        }
        List<ColumnFamilyHandle> families = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(11);
        try (DBOptions options =
                        new DBOptions()
                                .setCreateIfMissing(true)
                                .setCreateMissingColumnFamilies(true);
                WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
                RocksDB db = RocksDB.open(options, tmp.toString(), descriptors, families)) {
            WriteBatchBuilder builder = new WriteBatchBuilder(chunkBytes, 64);
            for (int round = 0; round < 3; round++) {
                List<Op> added = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    ColumnFamilyHandle cf = families.get(random.nextInt(families.size()));
                    // Few distinct keys, so keys repeat; lengths across varint boundaries.
                    int len = random.nextInt(4) == 0 ? 130 + random.nextInt(200) : 1;
                    byte[] key = new byte[len];
                    key[0] = (byte) random.nextInt(40);
                    byte[] value = null;
                    if (random.nextInt(5) != 0) {
                        // Large values make the builder hand entries to RocksDB's own batch.
                        value =
                                bytes(
                                        random,
                                        large && random.nextInt(10) == 0
                                                ? 20_000
                                                : random.nextInt(200));
                    }
                    builder.add(cf, cf.getID(), key, value);
                    added.add(new Op(cf.getID(), Arrays.toString(key), value));
                }
                assertThat(builder.count()).isEqualTo(2_000);
                List<WriteBatch> built = builder.build();
                List<Op> read = new ArrayList<>();
                for (WriteBatch b : built) {
                    if (!large && b.count() > 1) {
                        // Only an entry larger than a chunk makes a larger batch, of its own.
                        assertThat(b.data().length).isLessThanOrEqualTo(chunkBytes);
                    }
                    b.iterate(new Recorder(read));
                }
                assertThat(read).hasSize(added.size());
                assertThat(ops(read)).isEqualTo(ops(added));
                if (!large && chunkBytes > 1 << 20) {
                    assertThat(built).hasSize(1);
                }
                StateCache.writeAll(db, writeOptions, built);
                builder.clear();
                // The last write of each key is what RocksDB holds.
                Map<String, Op> last = new HashMap<>();
                added.forEach(op -> last.put(op.family() + "/" + op.key(), op));
                for (Op op : last.values()) {
                    ColumnFamilyHandle cf =
                            families.stream()
                                    .filter(f -> f.getID() == op.family())
                                    .findFirst()
                                    .orElseThrow();
                    byte[] key = parseKey(op.key());
                    assertThat(db.get(cf, key)).isEqualTo(op.value());
                }
            }
            families.forEach(ColumnFamilyHandle::close);
        }
    }

    /** Per family and key, the sequence of values written (null: deleted). */
    private static Map<String, List<String>> ops(List<Op> ops) {
        Map<String, List<String>> out = new HashMap<>();
        for (Op op : ops) {
            out.computeIfAbsent(op.family() + "/" + op.key(), k -> new ArrayList<>())
                    .add(op.value() == null ? "deleted" : Arrays.toString(op.value()));
        }
        return out;
    }

    private static byte[] parseKey(String s) {
        String[] parts = s.substring(1, s.length() - 1).split(", ");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = Byte.parseByte(parts[i]);
        }
        return b;
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    /** Records puts and deletes; any other kind of entry fails the test. */
    private static final class Recorder extends WriteBatch.Handler {
        private final List<Op> ops;

        Recorder(List<Op> ops) {
            this.ops = ops;
        }

        @Override
        public void put(int cf, byte[] key, byte[] value) {
            ops.add(new Op(cf, Arrays.toString(key), value));
        }

        @Override
        public void put(byte[] key, byte[] value) {
            put(0, key, value);
        }

        @Override
        public void delete(int cf, byte[] key) {
            ops.add(new Op(cf, Arrays.toString(key), null));
        }

        @Override
        public void delete(byte[] key) {
            delete(0, key);
        }

        private static AssertionError unexpected() {
            return new AssertionError("unexpected kind of batch entry");
        }

        @Override
        public void merge(int cf, byte[] key, byte[] value) {
            throw unexpected();
        }

        @Override
        public void merge(byte[] key, byte[] value) {
            throw unexpected();
        }

        @Override
        public void singleDelete(int cf, byte[] key) {
            throw unexpected();
        }

        @Override
        public void singleDelete(byte[] key) {
            throw unexpected();
        }

        @Override
        public void deleteRange(int cf, byte[] begin, byte[] end) {
            throw unexpected();
        }

        @Override
        public void deleteRange(byte[] begin, byte[] end) {
            throw unexpected();
        }

        @Override
        public void logData(byte[] blob) {
            throw unexpected();
        }

        @Override
        public void putBlobIndex(int cf, byte[] key, byte[] value) {
            throw unexpected();
        }

        @Override
        public void markBeginPrepare() {
            throw unexpected();
        }

        @Override
        public void markEndPrepare(byte[] xid) {
            throw unexpected();
        }

        @Override
        public void markNoop(boolean emptyBatch) {
            throw unexpected();
        }

        @Override
        public void markRollback(byte[] xid) {
            throw unexpected();
        }

        @Override
        public void markCommit(byte[] xid) {
            throw unexpected();
        }

        @Override
        public void markCommitWithTimestamp(byte[] xid, byte[] ts) {
            throw unexpected();
        }
    }
}
