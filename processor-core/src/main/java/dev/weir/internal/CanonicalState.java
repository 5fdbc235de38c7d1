package dev.weir.internal;

import dev.weir.WeirException;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.format.StateKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * Moves keyed state between RocksDB directories and the canonical key-group files of savepoints,
 * key group by key group — the step under savepoints and under restoring at another parallelism.
 * RocksDB keys are the 2-byte key group followed by the canonical key.
 */
final class CanonicalState {
    private CanonicalState() {}

    /** Receives the entries of a key group, state by state. */
    @FunctionalInterface
    interface EntryConsumer {
        void accept(int keyGroup, String state, byte[] key, byte[] value);
    }

    /** Writes the key groups of {@code range} held in a RocksDB directory to a key-group file. */
    static void export(Path rocksDir, KeyGroupRange range, Path file) {
        try (OutputStream out = Files.newOutputStream(file);
                KeyGroupStateFile.Writer writer = new KeyGroupStateFile.Writer(out)) {
            @SuppressWarnings("unchecked")
            Map<String, List<byte[][]>>[] current = new Map[1];
            int[] group = {-1};
            forEachNative(
                    rocksDir,
                    range,
                    (kg, state, key, value) -> {
                        if (kg != group[0]) {
                            try {
                                writeSection(writer, group[0], current[0]);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                            group[0] = kg;
                            current[0] = new LinkedHashMap<>();
                        }
                        current[0]
                                .computeIfAbsent(state, s -> new ArrayList<>())
                                .add(new byte[][] {key, value});
                    });
            writeSection(writer, group[0], current[0]);
        } catch (IOException | UncheckedIOException e) {
            throw new WeirException("cannot write key-group state file " + file + ": " + e, e);
        }
    }

    private static void writeSection(
            KeyGroupStateFile.Writer writer, int kg, Map<String, List<byte[][]>> entries)
            throws IOException {
        if (kg >= 0 && entries != null) {
            writer.writeSection(kg, entries);
        }
    }

    /**
     * Calls {@code consumer} for every entry of the key groups in {@code wanted} held in a RocksDB
     * directory, in key-group order and, within a key group, state by state.
     */
    static void forEachNative(Path rocksDir, KeyGroupRange wanted, EntryConsumer consumer) {
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
                        it.seek(prefix(wanted.start()));
                        iterators.add(it);
                    }
                    for (int kg = wanted.start(); kg <= wanted.end(); kg++) {
                        for (int s = 0; s < states.size(); s++) {
                            RocksIterator it = iterators.get(s);
                            while (it.isValid() && keyGroupOf(it.key()) == kg) {
                                byte[] k = it.key();
                                consumer.accept(
                                        kg, states.get(s), StateKeys.canonicalKey(k), it.value());
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
            throw new WeirException("cannot read RocksDB state in " + rocksDir + ": " + e, e);
        }
    }

    /** As {@link #forEachNative}, for a canonical key-group file. */
    static void forEachCanonical(Path file, KeyGroupRange wanted, EntryConsumer consumer) {
        try (KeyGroupStateFile.Reader reader = new KeyGroupStateFile.Reader(file)) {
            for (KeyGroupStateFile.Section s : reader.sections()) {
                if (!wanted.contains(s.keyGroup())) {
                    continue;
                }
                for (KeyGroupStateFile.Entry e : reader.entries(s)) {
                    consumer.accept(s.keyGroup(), e.state(), e.key(), e.value());
                }
            }
        }
    }

    static byte[] prefix(int keyGroup) {
        return StateKeys.keyGroupPrefix(keyGroup);
    }

    static int keyGroupOf(byte[] key) {
        return StateKeys.keyGroupOf(key);
    }
}
