package dev.weir.format;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (Options listOptions = new Options();
                DBOptions options = new DBOptions()) {
            List<byte[]> names = RocksDB.listColumnFamilies(listOptions, rocksDir.toString());
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (byte[] n : names) {
                descriptors.add(new ColumnFamilyDescriptor(n));
            }
            try (RocksDB db =
                    RocksDB.openReadOnly(options, rocksDir.toString(), descriptors, handles)) {
                List<String> states = new ArrayList<>();
                List<RocksIterator> iterators = new ArrayList<>();
                try {
                    for (int i = 0; i < names.size(); i++) {
                        if (Arrays.equals(names.get(i), RocksDB.DEFAULT_COLUMN_FAMILY)) {
                            continue;
                        }
                        states.add(new String(names.get(i), StandardCharsets.UTF_8));
                        RocksIterator it = db.newIterator(handles.get(i));
                        it.seek(StateKeys.keyGroupPrefix(wanted.start()));
                        iterators.add(it);
                    }
                    for (int kg = wanted.start(); kg <= wanted.end(); kg++) {
                        for (int s = 0; s < states.size(); s++) {
                            RocksIterator it = iterators.get(s);
                            while (it.isValid() && StateKeys.keyGroupOf(it.key()) == kg) {
                                consumer.accept(
                                        kg,
                                        states.get(s),
                                        StateKeys.canonicalKey(it.key()),
                                        it.value());
                                it.next();
                            }
                        }
                    }
                } finally {
                    iterators.forEach(RocksIterator::close);
                }
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        } catch (RocksDBException e) {
            throw new MetadataFormatException(
                    "cannot read RocksDB state in " + rocksDir + ": " + e, e);
        }
    }
}
