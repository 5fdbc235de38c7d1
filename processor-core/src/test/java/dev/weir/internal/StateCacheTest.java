package dev.weir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.format.StateInfo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The state cache against a plain map, on a real RocksDB: random reads, writes and deletes over two
 * states — one cached as objects, one as bytes updated in place — flushes, and stretches in which
 * RocksDB writes are suspended (as during a RocksDB checkpoint). Hashes are deliberately poor so
 * that probe runs are long and removals shift them.
 */
class StateCacheTest {
    static {
        RocksDB.loadLibrary();
    }

    @TempDir Path tmp;

    private static final Function<byte[], Object> READ = b -> ByteBuffer.wrap(b).getLong();

    /**
     * Table "a" caches mutable holders that a write changes in place before putting them back, as a
     * list state changes its cached list.
     */
    private static final Function<byte[], Object> READ_HOLDER =
            b -> new long[] {ByteBuffer.wrap(b).getLong()};

    private static final Function<Object, byte[]> WRITE_HOLDER =
            v -> ByteBuffer.allocate(8).putLong(((long[]) v)[0]).array();

    private static final Function<Object, byte[]> WRITE =
            v -> ByteBuffer.allocate(8).putLong((Long) v).array();

    @ParameterizedTest(
            name = "capacity {0}, max bytes {1}, max dirty {2}, distinct hashes {3}, seed {4}")
    @CsvSource({
        "0, 1000000, 1, 1000, 1",
        "1, 1000000, 1, 1000, 2",
        "8, 1000000, 3, 4, 3",
        "64, 1000000, 16, 7, 4",
        "64, 1000000, 1000, 1000, 5",
        "500, 1000000, 100, 1000, 6",
        "100000, 1000000, 4096, 1, 7",
        // Entries of 13-15 bytes and the overhead: the byte bound holds 20 of 500.
        "500, 2200, 16, 1000, 8"
    })
    void behavesLikeAMapWhoseFlushedStateIsInRocksDb(
            int capacity, long maxBytes, int maxDirty, int distinctHashes, long seed)
            throws Exception {
        List<ColumnFamilyDescriptor> descriptors =
                List.of(
                        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                        new ColumnFamilyDescriptor("a".getBytes()),
                        new ColumnFamilyDescriptor("b".getBytes()));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options =
                        new DBOptions()
                                .setCreateIfMissing(true)
                                .setCreateMissingColumnFamilies(true);
                WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
                RocksDB db = RocksDB.open(options, tmp.toString(), descriptors, handles)) {
            // "a" as a new job's table, whose keys the cache holds all of until it evicts one:
            // a miss before then answers "absent" without reading RocksDB. "b" as a restored one.
            RocksKeyedBackend.StateTable[] tables = {
                new RocksKeyedBackend.StateTable(
                        0, StateInfo.of("a", "value", "long"), handles.get(1), true),
                new RocksKeyedBackend.StateTable(
                        1, StateInfo.of("b", "value", "long"), handles.get(2), false)
            };
            boolean[] suspended = {false};
            InFlight f = new InFlight();
            StateCache[] self = {null};
            StateCache cache =
                    new StateCache(
                            db,
                            writeOptions,
                            new StateCache.Limits(capacity, maxBytes, maxDirty),
                            () -> suspended[0],
                            // A write straight to RocksDB waits for the snapshot to end, which
                            // writes the barrier's batches first.
                            () -> {
                                f.writeTo(db, writeOptions, self[0]);
                                suspended[0] = false;
                            });
            self[0] = cache;
            List<Map<String, Long>> model = List.of(new HashMap<>(), new HashMap<>());
            SplittableRandom random = new SplittableRandom(seed);
            Map<String, Long>[] frozen = null;
            List<Map<String, Long>> atBarrier = null;

            for (int step = 0; step < 30_000; step++) {
                int sizeBefore = cache.size();
                int t = random.nextInt(2);
                int k = random.nextInt(300);
                // A fresh array each time, as the backend builds one per record.
                byte[] key = ("key-" + k).getBytes();
                int hash = k % distinctHashes;
                int op = random.nextInt(100);
                if (f.capturing && random.nextInt(4) == 0) {
                    // The next record captures a few of the barrier's entries.
                    List<WriteBatchBuilder> done = cache.capture(1 + random.nextInt(8));
                    if (done != null) {
                        f.detached = done;
                        f.capturing = false;
                        assertThat(f.detached.get(f.detached.size() - 1).count())
                                .as("step %d: entries detached at the barrier itself", step)
                                .isLessThanOrEqualTo(Math.max(1, maxDirty));
                    }
                }
                if (op < 45) {
                    assertThat(read(cache, tables[t], key, hash))
                            .as("step %d: get of %s in %s", step, "key-" + k, tables[t].name)
                            .isEqualTo(model.get(t).get("key-" + k));
                } else if (op < 90) {
                    long v = random.nextLong();
                    // Read-then-write, as a process function does.
                    read(cache, tables[t], key, hash);
                    write(cache, tables[t], key, hash, v);
                    model.get(t).put("key-" + k, v);
                } else if (op < 95) {
                    write(cache, tables[t], key, hash, null);
                    model.get(t).remove("key-" + k);
                } else if (op < 97 && !suspended[0]) {
                    // A barrier: either everything dirty is written now, or it is detached
                    // into a batch that is written later, while writes are suspended.
                    if (random.nextBoolean()) {
                        cache.flush();
                        f.detached = null;
                        assertDbHolds(db, tables, model);
                        assertThat(cache.size()).isLessThanOrEqualTo(cache.entryLimit());
                    } else {
                        // Set aside now, captured by the following steps.
                        cache.freeze();
                        f.capturing = true;
                        f.detached = null;
                        atBarrier =
                                List.of(new HashMap<>(model.get(0)), new HashMap<>(model.get(1)));
                    }
                    suspended[0] = true;
                    frozen = contents(db, tables);
                } else if (op < 99 && suspended[0]) {
                    assertThat(contents(db, tables))
                            .as("RocksDB unchanged while writes are suspended")
                            .isEqualTo(frozen);
                    if (f.capturing) {
                        // The snapshot cannot start before its entries are all captured.
                        f.detached = cache.capture(Integer.MAX_VALUE);
                        assertThat(f.detached)
                                .as("step %d: batches of the capture", step)
                                .isNotNull();
                        f.capturing = false;
                    }
                    writeDetached(db, writeOptions, f.detached);
                    if (f.detached != null) {
                        // What a snapshot's RocksDB checkpoint holds: the state at the barrier.
                        assertDbHolds(db, tables, atBarrier);
                    }
                    f.detached = null;
                    suspended[0] = false;
                }
                if (!suspended[0] && capacity > 0) {
                    // Beyond capacity only after a suspension, and then shrinking back.
                    assertThat(cache.size())
                            .as("step %d: entries", step)
                            .isLessThanOrEqualTo(Math.max(cache.entryLimit(), sizeBefore));
                }
            }
            if (f.capturing) {
                f.detached = cache.capture(Integer.MAX_VALUE);
            }
            writeDetached(db, writeOptions, f.detached);
            suspended[0] = false;
            cache.flush();
            assertDbHolds(db, tables, model);
            if (capacity > 0) {
                // Keys "key-0" to "key-299", 8-byte values.
                long smallest = 5 + 8 + StateCache.ENTRY_OVERHEAD_BYTES;
                long largest = 7 + 8 + StateCache.ENTRY_OVERHEAD_BYTES;
                assertThat(cache.entryLimit())
                        .as("entries within %d bytes", maxBytes)
                        .isBetween(
                                (int) Math.min(capacity, maxBytes / largest),
                                (int) Math.min(capacity, maxBytes / smallest));
            }
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    /** A barrier's batches: set aside and being captured, or captured and not yet written. */
    private static final class InFlight {
        boolean capturing;
        List<WriteBatchBuilder> detached;

        /** What a snapshot does before writes resume: the rest of the capture, then the write. */
        void writeTo(RocksDB db, WriteOptions options, StateCache cache) {
            if (capturing) {
                detached = cache.capture(Integer.MAX_VALUE);
                capturing = false;
            }
            try {
                writeDetached(db, options, detached);
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
            detached = null;
        }
    }

    /** Table "a" caches mutable holders; table "b" values' bytes, as value states do. */
    private static Long read(
            StateCache cache, RocksKeyedBackend.StateTable table, byte[] key, int hash) {
        if (table.id == 0) {
            long[] holder = (long[]) cache.get(table, key, hash, READ_HOLDER);
            return holder == null ? null : holder[0];
        }
        byte[] bytes = (byte[]) cache.get(table, key, hash, StateCache.AS_IS);
        return bytes == null ? null : (Long) READ.apply(bytes);
    }

    private static void write(
            StateCache cache, RocksKeyedBackend.StateTable table, byte[] key, int hash, Long v) {
        if (table.id == 0) {
            long[] holder = (long[]) cache.get(table, key, hash, READ_HOLDER);
            if (v == null) {
                cache.put(table, key, hash, null, WRITE_HOLDER);
            } else if (holder != null) {
                holder[0] = v;
                cache.put(table, key, hash, holder, WRITE_HOLDER);
            } else {
                cache.put(table, key, hash, new long[] {v}, WRITE_HOLDER);
            }
        } else {
            cache.putSerialized(table, key, hash, v == null ? null : WRITE.apply(v), false);
        }
    }

    private static void writeDetached(
            RocksDB db, WriteOptions options, List<WriteBatchBuilder> batches)
            throws RocksDBException {
        if (batches != null) {
            for (WriteBatchBuilder b : batches) {
                StateCache.writeAll(db, options, b.build());
            }
        }
    }

    private static void assertDbHolds(
            RocksDB db, RocksKeyedBackend.StateTable[] tables, List<Map<String, Long>> model) {
        Map<String, Long>[] actual = contents(db, tables);
        for (int t = 0; t < tables.length; t++) {
            assertThat(actual[t])
                    .as("RocksDB content of %s", tables[t].name)
                    .isEqualTo(model.get(t));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long>[] contents(RocksDB db, RocksKeyedBackend.StateTable[] tables) {
        Map<String, Long>[] out = new Map[tables.length];
        for (int t = 0; t < tables.length; t++) {
            out[t] = new HashMap<>();
            try (RocksIterator it = db.newIterator(tables[t].family)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    out[t].put(new String(it.key()), (Long) READ.apply(it.value()));
                }
            }
        }
        return out;
    }
}
