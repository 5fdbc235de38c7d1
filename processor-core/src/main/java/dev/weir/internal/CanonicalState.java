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
import java.util.List;

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

    /**
     * Writes the key groups of {@code range} held in a RocksDB directory to a key-group file,
     * streaming: each state of a key group is read once to count it and once to write it, so no key
     * group is held in memory.
     */
    static void export(Path rocksDir, KeyGroupRange range, Path file) {
        try (OutputStream out =
                        new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                KeyGroupStateFile.Writer writer = new KeyGroupStateFile.Writer(out);
                NativeState.Database db = NativeState.Database.open(rocksDir)) {
            for (int kg = range.start(); kg <= range.end(); kg++) {
                List<KeyGroupStateFile.Writer.StateEntries> states = new ArrayList<>();
                for (String state : db.states()) {
                    int group = kg;
                    int count = db.count(kg, state);
                    states.add(
                            new KeyGroupStateFile.Writer.StateEntries() {
                                @Override
                                public String state() {
                                    return state;
                                }

                                @Override
                                public int count() {
                                    return count;
                                }

                                @Override
                                public void forEach(KeyGroupStateFile.Writer.EntrySink sink) {
                                    db.forEach(
                                            group,
                                            state,
                                            (k, v) -> {
                                                try {
                                                    sink.accept(k, v);
                                                } catch (IOException e) {
                                                    throw new UncheckedIOException(e);
                                                }
                                            });
                                }
                            });
                }
                writer.writeSection(kg, states);
            }
        } catch (IOException | UncheckedIOException | dev.weir.format.MetadataFormatException e) {
            throw new WeirException("cannot write key-group state file " + file + ": " + e, e);
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
                reader.forEachEntry(
                        s, e -> consumer.accept(s.keyGroup(), e.state(), e.key(), e.value()));
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
