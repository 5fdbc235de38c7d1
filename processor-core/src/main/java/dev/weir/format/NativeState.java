package dev.weir.format;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Reads the keyed state of a checkpoint's native files — one RocksDB directory per subtask, one
 * column family per state, keys laid out as {@link StateKeys} says — read-only, key group by key
 * group. Used when restoring at another parallelism and by the offline tools.
 */
public final class NativeState {
    private NativeState() {}

    /** Receives the entries of a key group, state by state. */
    @FunctionalInterface
    public interface EntryConsumer {
        void accept(int keyGroup, String state, byte[] canonicalKey, byte[] value);
    }

    /**
     * Calls {@code consumer} for every entry of the key groups in {@code wanted} held in a RocksDB
     * directory, in key-group order and, within a key group, state by state.
     *
     * @throws MetadataFormatException if the directory is not a readable RocksDB database
     */
    public static void forEach(Path rocksDir, KeyGroupRange wanted, EntryConsumer consumer) {
        try (Database db = Database.open(rocksDir)) {
            for (int kg = wanted.start(); kg <= wanted.end(); kg++) {
                for (String state : db.states()) {
                    int group = kg;
                    db.forEach(kg, state, (k, v) -> consumer.accept(group, state, k, v));
                }
            }
        }
    }

    /** Receives the canonical key and value of one entry. */
    @FunctionalInterface
    public interface EntrySink {
        void accept(byte[] canonicalKey, byte[] value);
    }

    /** A RocksDB directory of one subtask, opened read-only; one state is one column family. */
    public static final class Database implements AutoCloseable {
        private final Path dir;
        private final DBOptions options;
        private final RocksDB db;
        private final List<ColumnFamilyHandle> handles;
        private final Map<String, ColumnFamilyHandle> byState = new LinkedHashMap<>();

        private Database(
                Path dir,
                DBOptions options,
                RocksDB db,
                List<byte[]> names,
                List<ColumnFamilyHandle> h) {
            this.dir = dir;
            this.options = options;
            this.db = db;
            this.handles = h;
            for (int i = 0; i < names.size(); i++) {
                if (!Arrays.equals(names.get(i), RocksDB.DEFAULT_COLUMN_FAMILY)) {
                    byState.put(new String(names.get(i), StandardCharsets.UTF_8), h.get(i));
                }
            }
        }

        /**
         * @throws MetadataFormatException if {@code dir} is not a readable RocksDB database
         */
        public static Database open(Path dir) {
            DBOptions options = new DBOptions();
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (Options listOptions = new Options()) {
                List<byte[]> names = RocksDB.listColumnFamilies(listOptions, dir.toString());
                List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
                for (byte[] n : names) {
                    descriptors.add(new ColumnFamilyDescriptor(n));
                }
                RocksDB db = RocksDB.openReadOnly(options, dir.toString(), descriptors, handles);
                return new Database(dir, options, db, names, handles);
            } catch (RocksDBException e) {
                handles.forEach(ColumnFamilyHandle::close);
                options.close();
                throw new MetadataFormatException(
                        "cannot read RocksDB state in " + dir + ": " + e, e);
            }
        }

        /** Its states, in the database's order. */
        public List<String> states() {
            return List.copyOf(byState.keySet());
        }

        /** Entries of {@code state} in key group {@code keyGroup}. */
        public int count(int keyGroup, String state) {
            int[] n = {0};
            forEach(keyGroup, state, (k, v) -> n[0]++);
            return n[0];
        }

        /** Every entry of {@code state} in key group {@code keyGroup}, in key order. */
        public void forEach(int keyGroup, String state, EntrySink sink) {
            ColumnFamilyHandle h = byState.get(state);
            if (h == null) {
                return;
            }
            try (RocksIterator it = db.newIterator(h)) {
                it.seek(StateKeys.keyGroupPrefix(keyGroup));
                while (it.isValid() && StateKeys.keyGroupOf(it.key()) == keyGroup) {
                    sink.accept(StateKeys.canonicalKey(it.key()), it.value());
                    it.next();
                }
            }
        }

        @Override
        public void close() {
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            options.close();
        }

        @Override
        public String toString() {
            return "RocksDB state in " + dir;
        }
    }
}
