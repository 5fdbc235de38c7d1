package dev.weir.kafka;

import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.format.FileRef;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CheckpointStorageFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only checkpoint storage {@code slowfile:///absolute/path}: the local file storage, except
 * that while armed with {@link #slowNext} the first upload into each new checkpoint directory
 * {@code chk-<n>/} sleeps — the checkpoint is acknowledged late, as with a slow object store, with
 * no mock of S3 or RocksDB. One sleep per checkpoint whatever the parallelism: the other subtasks'
 * uploads go on meanwhile, and the checkpoint completes when the slowest one acknowledged.
 * Registered in {@code META-INF/services} of the test resources; the switch is static, so tests
 * that arm it must not run concurrently.
 */
public final class SlowUploadStorageFactory implements CheckpointStorageFactory {
    private static final Pattern CHECKPOINT_DIR = Pattern.compile("chk-(\\d+)/.*");
    private static final AtomicInteger remaining = new AtomicInteger();
    private static volatile long delayMillis;
    private static final Map<Long, Boolean> seen = new ConcurrentHashMap<>();
    private static final List<Long> slowed = new CopyOnWriteArrayList<>();

    /** Slows the next {@code checkpoints} checkpoints' uploads by {@code millis} each. */
    static void slowNext(int checkpoints, long millis) {
        delayMillis = millis;
        seen.clear();
        slowed.clear();
        remaining.set(checkpoints);
    }

    /** The checkpoints slowed since the last {@link #slowNext}, in the order they were. */
    static List<Long> slowedCheckpoints() {
        return List.copyOf(slowed);
    }

    /** Uploads run at full speed again. */
    static void reset() {
        remaining.set(0);
    }

    @Override
    public String scheme() {
        return "slowfile";
    }

    @Override
    public CheckpointStorage create(URI root, WeirConfig config) {
        URI file;
        try {
            file = new URI("file", null, root.getPath(), null);
        } catch (URISyntaxException e) {
            throw new WeirException("invalid slowfile URI " + root + ": " + e.getMessage(), e);
        }
        for (CheckpointStorageFactory f : ServiceLoader.load(CheckpointStorageFactory.class)) {
            if (f.scheme().equals("file")) {
                return new Slow(f.create(file, config));
            }
        }
        throw new WeirException("no file checkpoint storage on the class path");
    }

    private static void maybeSleep(String path) {
        Matcher m = CHECKPOINT_DIR.matcher(path);
        if (!m.matches()) {
            return;
        }
        long id = Long.parseLong(m.group(1));
        if (seen.putIfAbsent(id, Boolean.TRUE) != null
                || remaining.getAndUpdate(r -> Math.max(0, r - 1)) == 0) {
            return;
        }
        slowed.add(id);
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("interrupted while slowing the upload of " + path, e);
        }
    }

    /** Delegates everything; sleeps in {@link #upload} as described above. */
    private record Slow(CheckpointStorage delegate) implements CheckpointStorage {
        @Override
        public FileRef upload(Path localFile, String path) {
            maybeSleep(path);
            return delegate.upload(localFile, path);
        }

        @Override
        public void download(String baseDir, FileRef file, Path localTarget) {
            delegate.download(baseDir, file, localTarget);
        }

        @Override
        public void writeAtomically(String path, byte[] data) {
            delegate.writeAtomically(path, data);
        }

        @Override
        public boolean writeAtomicallyIfAbsent(String path, byte[] data) {
            return delegate.writeAtomicallyIfAbsent(path, data);
        }

        @Override
        public Optional<byte[]> read(String path) {
            return delegate.read(path);
        }

        @Override
        public List<String> list(String dir) {
            return delegate.list(dir);
        }

        @Override
        public List<String> listFiles(String dir) {
            return delegate.listFiles(dir);
        }

        @Override
        public List<dev.weir.spi.StoredFile> listFilesWithTimes(String dir) {
            return delegate.listFilesWithTimes(dir);
        }

        @Override
        public void deleteRecursively(String dir) {
            delegate.deleteRecursively(dir);
        }

        @Override
        public String describe(String path) {
            return delegate.describe(path);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
