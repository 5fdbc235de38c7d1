package dev.weir;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A job started with {@link Weir#start}. Thread-safe: any thread may watch or stop it. */
public interface RunningJob extends AutoCloseable {
    String name();

    JobStatus status();

    /** Recent checkpoints, oldest first (bounded history). */
    List<CheckpointStats> checkpoints();

    Optional<CheckpointStats> lastCompletedCheckpoint();

    /**
     * The checkpoint the current attempt restored, if any: after a start with retained checkpoints,
     * or after a restart.
     */
    Optional<Long> restoredCheckpointId();

    /**
     * Starts a checkpoint now (or right after the one in flight) besides the periodic ones. The
     * future completes with its stats once it completed (and committed, with exactly-once output)
     * or fails with the reason.
     */
    CompletableFuture<CheckpointStats> triggerCheckpoint();

    /**
     * Takes a savepoint into a new directory {@code savepoint-<job>-<id>} under {@code directory}
     * (null or blank: {@code savepoint.dir}). The future completes with the savepoint's location
     * once it is complete — and, with exactly-once output, its transaction committed. Weir never
     * deletes it.
     *
     * <p>Returns at once. Asked while the job starts, restores or restarts, the savepoint is taken
     * once it runs; if the attempt taking it fails first, the next attempt takes it. The future
     * fails at once if the job is stopping, stopped or failed, or a stop-with-savepoint is under
     * way; later if the job stops or fails for good before the savepoint is complete.
     */
    CompletableFuture<String> triggerSavepoint(String directory);

    /**
     * As {@link #triggerSavepoint}, but sources read nothing after its barrier and the job stops
     * once the savepoint is complete; the future completes with its location after the job stopped.
     * Once asked, further savepoint requests are refused until it completes or fails (a failed
     * stop-with-savepoint restarts the job, which then runs on).
     */
    CompletableFuture<String> stopWithSavepoint(String directory);

    /** Restarts after failures so far. */
    int restarts();

    /** The failure that ended the job, when its status is {@link JobStatus#FAILED}. */
    Optional<Throwable> failure();

    /** Records read by all sources since the process started (replays count again). */
    long recordsIn();

    /** Records handed to all sinks since the process started. */
    long recordsOut();

    /**
     * The job's counters by name, since the process started — e.g. {@code
     * source.deserialization-errors.skipped} (docs/serdes.md, "Poison records").
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    /**
     * The registry holding the job's meters (docs/operations.md, "Metrics"), each tagged {@code
     * job}: what {@code GET /metrics} scrapes, and the registry passed to {@link Weir#start(Job,
     * dev.weir.config.WeirConfig, MeterRegistry)} if one was. Read it (e.g. {@code
     * meterRegistry().find("weir.job.restarts").functionCounter()}), do not close it. Empty once
     * the job stopped or failed for good.
     */
    MeterRegistry meterRegistry();

    /**
     * Waits until the job stopped or failed.
     *
     * @return false if it is still running after {@code timeout}
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * Stops the job: subtasks are cancelled and their resources closed. Output after the last
     * completed checkpoint will be replayed by the next run. Returns once stopped; idempotent.
     */
    void stop();

    @Override
    default void close() {
        stop();
    }
}
