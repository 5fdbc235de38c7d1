package dev.weir.internal;

import dev.weir.WeirException;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.format.NativeState;
import dev.weir.format.StateKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        try {
            NativeState.forEach(rocksDir, wanted, consumer::accept);
        } catch (dev.weir.format.MetadataFormatException e) {
            throw new WeirException(e.getMessage(), e);
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
