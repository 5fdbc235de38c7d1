package dev.weir.benchmarks;

import dev.weir.internal.LocalCheckpointStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

/** Size and deletion of a run's working directory. */
final class WorkDir {
    private WorkDir() {}

    /**
     * The end of a run: its directory is deleted if the run was OK, unless {@code BENCH_KEEP} is
     * set; otherwise it is kept, with the children's logs, and its path printed.
     */
    static void finish(Path dir, boolean ok, PrintStream out) {
        if (ok && System.getenv("BENCH_KEEP") == null) {
            delete(dir);
        } else {
            out.println("work dir with the children's logs kept: " + dir);
        }
    }

    /** Deletes {@code dir} and everything under it; a missing directory is fine. */
    static void delete(Path dir) {
        LocalCheckpointStorage.deleteTree(dir);
    }

    /** Total bytes of the regular files under {@code dir} (0 if it does not exist). */
    static long size(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        AtomicLong total = new AtomicLong();
        try {
            Files.walkFileTree(
                    dir,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            total.addAndGet(attrs.size());
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            return FileVisitResult.CONTINUE; // deleted while we walked
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk " + dir, e);
        }
        return total.get();
    }
}
