package dev.weir.tools;

import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.format.NativeState;
import dev.weir.format.SubtaskSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The keyed state of one subtask of a snapshot, fetched to a local work directory (checked against
 * size and CRC-32): a canonical key-group file of a savepoint, or the RocksDB files of a
 * checkpoint, read read-only.
 */
final class SubtaskState implements AutoCloseable {
    private final KeyGroupRange keyGroups;
    private final Path dir;
    private final KeyGroupStateFile.Reader reader;
    private final Path file;
    private final FileRef ref;
    private final boolean checked;

    private SubtaskState(
            KeyGroupRange keyGroups,
            Path dir,
            KeyGroupStateFile.Reader reader,
            Path file,
            FileRef ref,
            boolean checked) {
        this.keyGroups = keyGroups;
        this.dir = dir;
        this.reader = reader;
        this.file = file;
        this.ref = ref;
        this.checked = checked;
    }

    /**
     * Like {@link #fetch}, but a savepoint's key-group file on a local file system is read where it
     * lies: only its existence and size are checked here, its CRC-32 is left to the caller's pass
     * over it ({@link #checked()} is false). Anything else is fetched.
     */
    static SubtaskState open(Snapshot snapshot, String uid, SubtaskSnapshot s, Path workDir) {
        KeyGroupRange range = range(uid, s);
        if (!snapshot.isSavepoint() || s.files().size() != 1) {
            return fetch(snapshot, uid, s, workDir);
        }
        FileRef f = s.files().get(0);
        Optional<Path> local = snapshot.localPath(f);
        if (local.isEmpty()) {
            return fetch(snapshot, uid, s, workDir);
        }
        Path file = local.get();
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw ToolException.problem(snapshot.describe(f) + " is missing", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (size != f.size()) {
            throw ToolException.problem(
                    snapshot.describe(f)
                            + " is damaged: "
                            + size
                            + " bytes, the metadata says "
                            + f.size(),
                    null);
        }
        return new SubtaskState(range, null, new KeyGroupStateFile.Reader(file), file, f, false);
    }

    private static KeyGroupRange range(String uid, SubtaskSnapshot s) {
        return s.keyGroups()
                .orElseThrow(
                        () ->
                                ToolException.problem(
                                        uid + " subtask " + s.subtask() + " has no key groups",
                                        null));
    }

    static SubtaskState fetch(Snapshot snapshot, String uid, SubtaskSnapshot s, Path workDir) {
        KeyGroupRange range = range(uid, s);
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
            return new SubtaskState(range, dir, null, null, null, true);
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
        return new SubtaskState(range, dir, new KeyGroupStateFile.Reader(file), file, f, true);
    }

    KeyGroupRange keyGroups() {
        return keyGroups;
    }

    /** True for a savepoint's canonical file, whose sections can be copied as they are. */
    boolean canonical() {
        return reader != null;
    }

    /** The directory of a checkpoint's fetched RocksDB files; only when not canonical. */
    Path dir() {
        return dir;
    }

    /** The canonical file on the local file system; only when {@link #canonical()}. */
    Path file() {
        return file;
    }

    /** The canonical file's reference in the metadata (size, CRC-32); only when canonical. */
    FileRef ref() {
        return ref;
    }

    /** False if the canonical file is read in place and its CRC-32 is not checked yet. */
    boolean checked() {
        return checked;
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
        if (dir != null) {
            WorkDir.delete(dir);
        }
    }
}
