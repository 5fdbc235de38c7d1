package dev.weir.tools;

import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.format.NativeState;
import dev.weir.format.SubtaskSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The keyed state of one subtask of a snapshot, fetched to a local work directory (checked against
 * size and CRC-32): a canonical key-group file of a savepoint, or the RocksDB files of a
 * checkpoint, read read-only.
 */
final class SubtaskState implements AutoCloseable {
    private final KeyGroupRange keyGroups;
    private final Path dir;
    private final KeyGroupStateFile.Reader reader;

    private SubtaskState(KeyGroupRange keyGroups, Path dir, KeyGroupStateFile.Reader reader) {
        this.keyGroups = keyGroups;
        this.dir = dir;
        this.reader = reader;
    }

    static SubtaskState fetch(Snapshot snapshot, String uid, SubtaskSnapshot s, Path workDir) {
        KeyGroupRange range =
                s.keyGroups()
                        .orElseThrow(
                                () ->
                                        ToolException.problem(
                                                uid
                                                        + " subtask "
                                                        + s.subtask()
                                                        + " has no key groups",
                                                null));
        Path dir = workDir.resolve(uid + "-" + s.subtask() + "-" + System.nanoTime());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (FileRef f : s.files()) {
            snapshot.fetch(f, dir.resolve(f.path().substring(f.path().lastIndexOf('/') + 1)));
        }
        if (!snapshot.isSavepoint()) {
            return new SubtaskState(range, dir, null);
        }
        if (s.files().size() != 1) {
            throw ToolException.problem(
                    uid
                            + " subtask "
                            + s.subtask()
                            + " of a savepoint has "
                            + s.files().size()
                            + " files, expected one key-group file",
                    null);
        }
        FileRef f = s.files().get(0);
        Path file = dir.resolve(f.path().substring(f.path().lastIndexOf('/') + 1));
        return new SubtaskState(range, dir, new KeyGroupStateFile.Reader(file));
    }

    KeyGroupRange keyGroups() {
        return keyGroups;
    }

    /** True for a savepoint's canonical file, whose sections can be copied as they are. */
    boolean canonical() {
        return reader != null;
    }

    /** The canonical file's reader; only when {@link #canonical()}. */
    KeyGroupStateFile.Reader reader() {
        return reader;
    }

    /** Every entry of the key groups in {@code wanted}, in key-group order. */
    void forEach(KeyGroupRange wanted, NativeState.EntryConsumer consumer) {
        if (reader == null) {
            NativeState.forEach(dir, wanted, consumer);
            return;
        }
        for (KeyGroupStateFile.Section s : reader.sections()) {
            if (wanted.contains(s.keyGroup())) {
                reader.forEachEntry(
                        s, e -> consumer.accept(s.keyGroup(), e.state(), e.key(), e.value()));
            }
        }
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
        WorkDir.delete(dir);
    }
}
