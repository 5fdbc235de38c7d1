package dev.weir.internal;

import dev.weir.WeirException;
import dev.weir.format.FileRef;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CorruptCheckpointException;
import dev.weir.spi.StoredFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checkpoint storage on a local (or mounted) file system. */
public final class LocalCheckpointStorage implements CheckpointStorage {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCheckpointStorage.class);

    private final Path root;

    public LocalCheckpointStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path resolve(String path) {
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root)) {
            throw new WeirException("path '" + path + "' leaves the checkpoint directory " + root);
        }
        return p;
    }

    @Override
    public Optional<Path> localPath(String path) {
        return Optional.of(resolve(path));
    }

    @Override
    public FileRef upload(Path localFile, String path) {
        Path target = resolve(path);
        try {
            Files.createDirectories(target.getParent());
            FileRef copied = copy(localFile, target, path);
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            return copied;
        } catch (IOException e) {
            throw new WeirException("cannot write checkpoint file " + target + ": " + e, e);
        }
    }

    @Override
    public void download(String baseDir, FileRef file, Path localTarget) {
        Path source = resolve(baseDir.isEmpty() ? file.path() : baseDir + "/" + file.path());
        try {
            Files.createDirectories(localTarget.getParent());
            FileRef found =
                    file.path().endsWith(".sst")
                            ? linkOrCopy(source, localTarget, file.path())
                            : copy(source, localTarget, file.path());
            long size = found.size();
            if (size != file.size() || found.crc32() != file.crc32()) {
                throw new CorruptCheckpointException(
                        "checkpoint file "
                                + source
                                + " is damaged: expected "
                                + file.size()
                                + " bytes with CRC-32 "
                                + Integer.toHexString(file.crc32())
                                + ", found "
                                + size
                                + " bytes with CRC-32 "
                                + Integer.toHexString(found.crc32()));
            }
        } catch (NoSuchFileException e) {
            throw new CorruptCheckpointException("checkpoint file " + source + " is missing", e);
        } catch (IOException e) {
            throw new CorruptCheckpointException(
                    "cannot read checkpoint file " + source + ": " + e, e);
        }
    }

    /**
     * RocksDB never changes an SST file once written, so restoring one from a checkpoint on the
     * same file system can hard-link it instead of copying: recovery of a large state reads each
     * file once (for its checksum) and writes nothing. Falls back to a copy across file systems.
     */
    private static FileRef linkOrCopy(Path from, Path to, String name) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | IOException e) {
            if (e instanceof NoSuchFileException) {
                throw (NoSuchFileException) e;
            }
            return copy(from, to, name);
        }
        CRC32 crc = new CRC32();
        long size = 0;
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(to, StandardOpenOption.READ)) {
            int n;
            while ((n = ch.read(buf)) > 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
                size += n;
            }
        }
        return new FileRef(name, size, (int) crc.getValue());
    }

    /** Copies {@code from} to {@code to}, returning the size and CRC-32 of what was copied. */
    private static FileRef copy(Path from, Path to, String name) throws IOException {
        CRC32 crc = new CRC32();
        long size = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(from);
                OutputStream out = Files.newOutputStream(to)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                crc.update(buf, 0, n);
                out.write(buf, 0, n);
                size += n;
            }
        }
        return new FileRef(name, size, (int) crc.getValue());
    }

    @Override
    public void writeAtomically(String path, byte[] data) {
        Path target = resolve(path);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".inprogress");
            try (FileChannel ch =
                    FileChannel.open(
                            tmp,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(data));
                ch.force(true);
            }
            try {
                Files.move(
                        tmp,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new WeirException(
                        "the file system of " + target + " cannot rename atomically", e);
            }
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw new WeirException("cannot write " + target + ": " + e, e);
        }
    }

    @Override
    public boolean writeAtomicallyIfAbsent(String path, byte[] data) {
        Path target = resolve(path);
        Path tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".new");
        try {
            Files.createDirectories(target.getParent());
            try (FileChannel ch =
                    FileChannel.open(
                            tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(data));
                ch.force(true);
            }
            try {
                // link(2) fails if the target exists, where rename(2) would replace it.
                Files.createLink(target, tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
            fsyncDirectory(target.getParent());
            return true;
        } catch (IOException e) {
            throw new WeirException("cannot write " + target + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                LOG.warn("cannot delete the temporary file {}: {}", tmp, e.toString());
            }
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot open directories for fsync; the rename itself is still
            // atomic.
            org.slf4j.LoggerFactory.getLogger(LocalCheckpointStorage.class)
                    .debug("fsync of directory {} not supported: {}", dir, e.toString());
        }
    }

    @Override
    public Optional<byte[]> read(String path) {
        Path p = resolve(path);
        try {
            return Optional.of(Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new WeirException("cannot read " + p + ": " + e, e);
        }
    }

    @Override
    public List<String> list(String dir) {
        Path p = resolve(dir);
        if (!Files.isDirectory(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new WeirException("cannot list " + p + ": " + e, e);
        }
    }

    @Override
    public List<String> listFiles(String dir) {
        Path p = resolve(dir);
        if (!Files.isDirectory(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile)
                    .map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new WeirException("cannot list " + p + ": " + e, e);
        }
    }

    @Override
    public List<StoredFile> listFilesWithTimes(String dir) {
        Path p = resolve(dir);
        if (!Files.isDirectory(p)) {
            return List.of();
        }
        List<StoredFile> files = new ArrayList<>();
        try {
            Files.walkFileTree(
                    p,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile()) {
                                files.add(
                                        new StoredFile(
                                                root.relativize(f).toString().replace('\\', '/'),
                                                attrs.size(),
                                                attrs.lastModifiedTime().toInstant()));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new WeirException("cannot list " + p + ": " + e, e);
        }
        files.sort(java.util.Comparator.comparing(StoredFile::path));
        return files;
    }

    @Override
    public void deleteRecursively(String dir) {
        deleteTree(resolve(dir));
    }

    /** Deletes a local directory tree; missing is fine. */
    public static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try {
            Files.walkFileTree(
                    p,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                                throws IOException {
                            Files.deleteIfExists(file);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path d, IOException e)
                                throws IOException {
                            Files.deleteIfExists(d);
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new WeirException("cannot delete " + p + ": " + e, e);
        }
    }

    @Override
    public String describe(String path) {
        return resolve(path).toUri().toString();
    }

    @Override
    public void close() {}
}
