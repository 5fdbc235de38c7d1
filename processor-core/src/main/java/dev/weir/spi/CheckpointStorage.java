package dev.weir.spi;

import dev.weir.format.FileRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where checkpoints of one job live: a root directory (local or remote) under which paths are
 * relative and use {@code /}. Called from the coordinator thread and from upload threads
 * concurrently, so implementations must be thread-safe. I/O failures throw {@link
 * dev.weir.WeirException} with the location in the message.
 */
public interface CheckpointStorage extends AutoCloseable {
    /** Copies a local file to {@code path}, returning its size and CRC-32. */
    FileRef upload(Path localFile, String path);

    /**
     * Copies {@code file} (relative to {@code baseDir}) to a local file, checking its size and
     * CRC-32 against the reference.
     *
     * @throws CorruptCheckpointException if it is missing, of another size or checksum
     */
    void download(String baseDir, FileRef file, Path localTarget);

    /**
     * Writes a small file so that readers see either nothing or all of it; on a local disk:
     * temporary file, fsync, rename.
     */
    void writeAtomically(String path, byte[] data);

    /**
     * Like {@link #writeAtomically}, but only if nothing exists at {@code path} yet, decided
     * atomically by the store (a hard link locally, a conditional PUT with {@code If-None-Match: *}
     * on S3). A checkpoint's {@code _metadata} is written this way, so a paused process that
     * resumes after a successor took over cannot replace the successor's file of the same id.
     *
     * @return false if a file already existed there (nothing was written)
     */
    boolean writeAtomicallyIfAbsent(String path, byte[] data);

    /** The whole content of a small file, or empty if it does not exist. */
    Optional<byte[]> read(String path);

    /** Names of the direct children (files and directories) of {@code dir}; empty if none. */
    List<String> list(String dir);

    /** Paths of every file under {@code dir}, at any depth, relative to the root; empty if none. */
    List<String> listFiles(String dir);

    /**
     * Like {@link #listFiles}, with each file's size and last modification time. Only the offline
     * garbage collection ({@code weir savepoint gc}) calls it, to leave files younger than its
     * window alone — those a running job may still be writing or about to reference.
     *
     * @throws dev.weir.WeirException if this storage cannot tell when its files were written (the
     *     default); nothing may then be judged old
     */
    default List<StoredFile> listFilesWithTimes(String dir) {
        throw new dev.weir.WeirException(
                describe(dir)
                        + ": "
                        + getClass().getSimpleName()
                        + " cannot report when its files were last modified");
    }

    /**
     * Where {@code path} lies on the local file system, if this storage is a directory there. The
     * offline savepoint tools read a snapshot's files in place (checking size and CRC-32 as they
     * read) and write a new savepoint's files straight to their place, instead of copying each file
     * through a work directory. Empty (the default) for remote storage: callers then use {@link
     * #download} and {@link #upload}.
     */
    default Optional<Path> localPath(String path) {
        return Optional.empty();
    }

    /** Deletes {@code dir} and everything under it; nothing happens if it does not exist. */
    void deleteRecursively(String dir);

    /** The absolute location of {@code path}, for messages and logs. */
    String describe(String path);

    @Override
    void close();
}
