package dev.weir.tools;

import dev.weir.format.FileRef;
import dev.weir.spi.CheckpointStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A data file of a savepoint being written, filled by positional writes (from several threads at
 * once): in its final place when the output storage is a local directory, else in a scratch file of
 * the work directory that {@link #finish} uploads. Its size and CRC-32 are computed by the writer
 * (see {@link Crc32s}), and {@link #finish} makes it durable before {@code _metadata} can name it.
 */
final class NewFile implements AutoCloseable {
    private final CheckpointStorage storage;
    private final String path;
    private final Path local;
    private final boolean scratch;
    private final FileChannel channel;

    private NewFile(
            CheckpointStorage storage,
            String path,
            Path local,
            boolean scratch,
            FileChannel channel) {
        this.storage = storage;
        this.path = path;
        this.local = local;
        this.scratch = scratch;
        this.channel = channel;
    }

    /** Creates {@code path} of {@code storage} (which must not exist yet). */
    static NewFile create(CheckpointStorage storage, String path, Path workDir) {
        Optional<Path> inPlace = storage.localPath(path);
        Path local =
                inPlace.orElseGet(
                        () -> workDir.resolve("new-" + System.nanoTime() + "-" + path.hashCode()));
        try {
            Files.createDirectories(local.getParent());
            FileChannel ch =
                    FileChannel.open(
                            local, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new NewFile(storage, path, local, inPlace.isEmpty(), ch);
        } catch (FileAlreadyExistsException e) {
            throw ToolException.problem(storage.describe(path) + " exists already", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + storage.describe(path), e);
        }
    }

    /** The file's path in the output, relative to its root. */
    String path() {
        return path;
    }

    /** Writes all of {@code bytes} at {@code position}. Thread-safe. */
    void write(ByteBuffer bytes, long position) throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
    }

    /**
     * Makes the file durable (and uploads it, if written to scratch) and returns its reference.
     *
     * @throws ToolException if what reached the storage is not {@code size} bytes with {@code crc}
     */
    FileRef finish(long size, int crc) {
        try {
            channel.force(true);
            channel.close();
            if (!scratch) {
                return new FileRef(path, size, crc);
            }
            FileRef stored = storage.upload(local, path);
            Files.delete(local);
            if (stored.size() != size || stored.crc32() != crc) {
                throw ToolException.problem(
                        storage.describe(path)
                                + " was stored as "
                                + stored.size()
                                + " bytes with CRC-32 "
                                + Integer.toHexString(stored.crc32())
                                + ", written as "
                                + size
                                + " bytes with CRC-32 "
                                + Integer.toHexString(crc),
                        null);
            }
            return new FileRef(path, size, crc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + storage.describe(path), e);
        }
    }

    /** Closes the file if {@link #finish} did not; a scratch copy is deleted. */
    @Override
    public void close() {
        try {
            channel.close();
            if (scratch) {
                Files.deleteIfExists(local);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fsyncs a local output directory, so the files created in it stay there after a crash. */
    static void syncDirectory(CheckpointStorage storage, String dir) {
        Optional<Path> local = storage.localPath(dir);
        if (local.isEmpty() || !Files.isDirectory(local.get())) {
            return;
        }
        try (FileChannel ch = FileChannel.open(local.get(), StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory to sync it; the metadata's own rename is
            // still atomic (LocalCheckpointStorage.writeAtomically).
        }
    }
}
