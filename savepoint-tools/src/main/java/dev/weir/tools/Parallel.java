package dev.weir.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The tool's worker threads: one per core (at most four), shared by the steps of a run. Reading old
 * files in parallel is what lets a rescale keep up with the disk; a local disk here reads two
 * streams about 1.6× as fast as one (docs/benchmarks.md, "Offline savepoint rescale").
 */
final class Parallel implements AutoCloseable {
    private final ExecutorService pool;

    Parallel() {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "weir-savepoint-worker");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Runs every task and returns their results in order. The first failure is thrown as it is (an
     * {@link IOException} wrapped as unchecked) once the other tasks have stopped.
     */
    <T> List<T> all(List<? extends Callable<T>> tasks) {
        List<Future<T>> futures = new ArrayList<>();
        tasks.forEach(t -> futures.add(pool.submit(t)));
        List<T> results = new ArrayList<>();
        Throwable failure = null;
        for (Future<T> f : futures) {
            try {
                if (failure == null) {
                    results.add(f.get());
                } else {
                    f.cancel(true);
                    try {
                        f.get();
                    } catch (Exception ignored) {
                        // the first failure is the one reported
                    }
                }
            } catch (ExecutionException e) {
                failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            }
        }
        if (failure != null) {
            throw rethrow(failure);
        }
        return results;
    }

    private static RuntimeException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure instanceof IOException io) {
            throw new UncheckedIOException(io);
        }
        throw new IllegalStateException(failure);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
