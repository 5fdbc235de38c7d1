package dev.weir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** The Java-built write batch is byte for byte what RocksDB's own builder makes, and applies. */
class WriteBatchBuilderTest {
    static {
        RocksDB.loadLibrary();
    }

    @TempDir Path tmp;

    @Test
    void oneChunkIsByteForByteRocksDbsOwnBatch() throws Exception {
        check(64 << 20, true);
    }

    @Test
    void smallChunksApplyTheSameEntriesInOrder() throws Exception {
        check(1024, false);
    }

    private void check(int chunkBytes, boolean oneChunk) throws Exception {
        WriteBatchBuilder builder = new WriteBatchBuilder(chunkBytes);
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
            for (int round = 0; round < 3; round++) {
                List<Object[]> ops = new ArrayList<>();
                try (WriteBatch expected = new WriteBatch()) {
                    for (int i = 0; i < 2_000; i++) {
                        ColumnFamilyHandle cf = families.get(random.nextInt(families.size()));
                        // Lengths across the one-, two- and three-byte varint boundaries.
                        byte[] key =
                                bytes(
                                        random,
                                        1 + random.nextInt(random.nextInt(4) == 0 ? 300 : 20));
                        if (random.nextInt(5) == 0) {
                            expected.delete(cf, key);
                            builder.delete(cf.getID(), key);
                            ops.add(new Object[] {cf, key, null});
                        } else {
                            int n = random.nextInt(10) == 0 ? 20_000 : random.nextInt(200);
                            byte[] value = bytes(random, n);
                            expected.put(cf, key, value);
                            builder.put(cf.getID(), key, value);
                            ops.add(new Object[] {cf, key, value});
                        }
                    }
                    assertThat(builder.count()).isEqualTo(2_000);
                    List<WriteBatch> built = builder.build();
                    int entries = 0;
                    for (WriteBatch b : built) {
                        entries += b.count();
                        // Only an entry larger than a chunk makes a larger batch, of its own.
                        if (b.count() > 1) {
                            assertThat(b.data().length).isLessThanOrEqualTo(chunkBytes);
                        }
                    }
                    assertThat(entries).isEqualTo(2_000);
                    if (oneChunk) {
                        assertThat(built).hasSize(1);
                        assertThat(built.get(0).data()).isEqualTo(expected.data());
                    } else {
                        assertThat(built.size()).isGreaterThan(100);
                    }
                    StateCache.writeAll(db, writeOptions, built);
                    builder.clear();
                }
                // Last write of each key wins.
                for (int i = ops.size() - 1; i >= 0; i--) {
                    Object[] op = ops.get(i);
                    boolean later = false;
                    for (int j = i + 1; j < ops.size() && !later; j++) {
                        later =
                                ops.get(j)[0] == op[0]
                                        && Arrays.equals((byte[]) ops.get(j)[1], (byte[]) op[1]);
                    }
                    if (!later) {
                        assertThat(db.get((ColumnFamilyHandle) op[0], (byte[]) op[1]))
                                .isEqualTo(op[2]);
                    }
                }
            }
            families.forEach(ColumnFamilyHandle::close);
        }
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }
}
