package dev.weir.internal;

import dev.weir.CheckpointStats;
import dev.weir.WeirException;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.CheckpointPaths;
import dev.weir.format.FileRef;
import dev.weir.format.MetadataSerializer;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.StateInfo;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CommitOutcome;
import dev.weir.spi.CrashPoints;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a checkpoint every interval (one in flight at a time), collects every subtask's
 * acknowledgement, writes {@code chk-n/_metadata} last and atomically — which commits checkpoint n
 * — then tells the subtasks and deletes what is no longer retained. All its state is confined to
 * one thread; other threads hand it events.
 */
final class CheckpointCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointCoordinator.class);

    private final String jobName;
    private final CheckpointStorage storage;
    private final int maxParallelism;
    private final long intervalMillis;
    private final long timeoutMillis;
    private final int retained;
    private final int tolerableFailures;
    private final InstantSource clock;
    private final List<SourceTask> sources;
    private final List<Task> tasks;
    private final Consumer<Throwable> failJob;
    private final CheckpointHistory history;
    private final ScheduledThreadPoolExecutor executor;
    private final Optional<CheckpointCommitter> committer;
    private final TreeSet<Long> completed;
    private final Set<Long> preserved;
    private final String incarnation;

    /**
     * The shared files garbage collection may delete: those in storage when this attempt started,
     * and those its own checkpoints uploaded. A file that appeared otherwise belongs to another
     * process — a successor that took the job over while this one was paused — and is never touched
     * (docs/architecture.md §4).
     */
    private final Set<String> collectable = new HashSet<>();

    private final Map<Long, Set<String>> sharedFiles = new HashMap<>();
    private boolean keepAllShared;
    private long nextId;
    private Pending pending;
    private final List<CompletableFuture<CheckpointStats>> waiting = new ArrayList<>();
    private final java.util.ArrayDeque<PendingSavepoint.Request> waitingSavepoints =
            new java.util.ArrayDeque<>();
    private final Map<Long, CheckpointStorage> savepointTargets;
    private final java.util.function.Function<String, CheckpointStorage> storageOpener;
    private final Runnable stopJob;

    private int consecutiveFailures;

    /**
     * Exactly-once: a checkpoint failed or its commit did, and the job is restarting from the last
     * committed one. No later checkpoint may start or commit in this attempt: its commit would
     * carry offsets past the failed epoch's input, whose output is never committed.
     */
    private boolean halted;

    /** Set on the coordinator thread by {@link #stop}; a request after it fails at once. */
    private boolean stopped;

    CheckpointCoordinator(
            String jobName,
            CheckpointStorage storage,
            int maxParallelism,
            long intervalMillis,
            long timeoutMillis,
            int retained,
            int tolerableFailures,
            InstantSource clock,
            List<SourceTask> sources,
            List<Task> tasks,
            long nextId,
            List<Long> completed,
            List<Long> preserved,
            String incarnation,
            CheckpointHistory history,
            Optional<CheckpointCommitter> committer,
            Map<Long, CheckpointStorage> savepointTargets,
            java.util.function.Function<String, CheckpointStorage> storageOpener,
            Runnable stopJob,
            Consumer<Throwable> failJob) {
        this.savepointTargets = savepointTargets;
        this.storageOpener = storageOpener;
        this.stopJob = stopJob;
        this.jobName = jobName;
        this.storage = storage;
        this.maxParallelism = maxParallelism;
        this.intervalMillis = intervalMillis;
        this.timeoutMillis = timeoutMillis;
        this.retained = retained;
        this.tolerableFailures = tolerableFailures;
        this.clock = clock;
        this.sources = List.copyOf(sources);
        this.tasks = List.copyOf(tasks);
        this.nextId = nextId;
        this.completed = new TreeSet<>(completed);
        this.preserved = Set.copyOf(preserved);
        this.incarnation = incarnation;
        this.collectable.addAll(storage.listFiles(CheckpointPaths.SHARED));
        this.history = history;
        this.committer = committer;
        this.failJob = failJob;
        this.executor =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "weir-coordinator-" + jobName);
                            t.setDaemon(true);
                            return t;
                        });
        this.completed.forEach(this::loadSharedFiles);
        this.preserved.forEach(this::loadSharedFiles);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    void start() {
        executor.scheduleAtFixedRate(
                this::guarded, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops triggering. A commit under way finishes; a checkpoint still collecting acknowledgements
     * is abandoned (it never gets its metadata).
     */
    void stop() {
        execute(
                () -> {
                    stopped = true;
                    WeirException gone = new WeirException("job " + jobName + " stopped");
                    waiting.forEach(f -> f.completeExceptionally(gone));
                    waiting.clear();
                    waitingSavepoints.forEach(r -> r.result().completeExceptionally(gone));
                    waitingSavepoints.clear();
                    if (pending != null && pending.savepoint != null) {
                        savepointTargets.remove(pending.id);
                        pending.savepoint.finish(Optional.of("job " + jobName + " stopped"));
                    }
                    if (pending != null) {
                        pending.requests.forEach(f -> f.completeExceptionally(gone));
                    }
                });
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void guarded() {
        try {
            trigger();
        } catch (Throwable t) {
            LOG.warn("job {}: checkpoint coordinator failed: {}", jobName, t.toString());
            failJob.accept(t);
        }
    }

    private void trigger() {
        if (pending != null || halted) {
            return;
        }
        long id = nextId++;
        long now = clock.millis();
        pending = new Pending(id, now, tasks.size());
        pending.requests.addAll(waiting);
        waiting.clear();
        pending.timeout =
                executor.schedule(
                        () ->
                                abort(
                                        id,
                                        "not completed within checkpoint.timeout.ms="
                                                + timeoutMillis),
                        timeoutMillis,
                        TimeUnit.MILLISECONDS);
        PendingSavepoint.Request sp = waitingSavepoints.poll();
        if (sp != null) {
            try {
                pending.savepoint = PendingSavepoint.open(jobName, id, sp, storageOpener);
            } catch (WeirException e) {
                abort(id, e.getMessage());
                return;
            }
            savepointTargets.put(id, pending.savepoint.storage());
            LOG.info(
                    "job {}: triggering savepoint {} into {}",
                    jobName,
                    id,
                    pending.savepoint.location());
        } else {
            LOG.debug("job {}: triggering checkpoint {}", jobName, id);
        }
        boolean savepoint = sp != null;
        boolean stopAfter = savepoint && sp.stopAfter();
        for (SourceTask s : sources) {
            s.triggerCheckpoint(id, now, savepoint, stopAfter);
        }
    }

    /**
     * Starts a checkpoint now, or right after the one in flight; the future completes with its
     * stats, or fails with the reason it failed.
     */
    CompletableFuture<CheckpointStats> triggerNow() {
        CompletableFuture<CheckpointStats> f = new CompletableFuture<>();
        try {
            executor.execute(
                    () -> {
                        if (stopped) {
                            f.completeExceptionally(notRunning());
                            return;
                        }
                        waiting.add(f);
                        if (pending == null) {
                            guarded();
                        }
                    });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(notRunning());
        }
        return f;
    }

    /**
     * Takes a savepoint into a new directory under {@code directory}: the next checkpoint (right
     * away if none is in flight) also writes the canonical savepoint format there. The future
     * completes with the savepoint's location once it is complete and committed. With {@code
     * stopAfter}, sources read nothing after its barrier and the job stops once it is done.
     */
    CompletableFuture<String> triggerSavepoint(String directory, boolean stopAfter) {
        CompletableFuture<String> f = new CompletableFuture<>();
        try {
            executor.execute(
                    () -> {
                        if (stopped) {
                            f.completeExceptionally(notRunning());
                            return;
                        }
                        waitingSavepoints.add(
                                new PendingSavepoint.Request(directory, stopAfter, f));
                        if (pending == null) {
                            guarded();
                        }
                    });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(notRunning());
        }
        return f;
    }

    /**
     * The failure of a request made after {@link #stop}, which would otherwise wait forever: stop()
     * failed only the requests it saw, and nothing triggers after it.
     */
    private WeirException notRunning() {
        return new WeirException("job " + jobName + " is not running");
    }

    private void finished(Pending p, CheckpointStats stats) {
        if (p.savepoint != null) {
            savepointTargets.remove(p.id);
            Optional<String> why =
                    p.savepointFailure.isPresent() ? p.savepointFailure : stats.failure();
            p.savepoint.finish(why);
            if (p.savepoint.stopAfter()) {
                if (why.isEmpty() && stats.status() == CheckpointStats.Status.COMPLETED) {
                    stopJob.run();
                } else {
                    // Its sources stopped reading; a restart brings them back.
                    failJob.accept(
                            new WeirException(
                                    "stop-with-savepoint failed: " + why.orElse("see the log")));
                }
            }
        }
        if (!waitingSavepoints.isEmpty() && !executor.isShutdown()) {
            executor.execute(this::guarded);
        }
        for (CompletableFuture<CheckpointStats> f : p.requests) {
            if (stats.status() == CheckpointStats.Status.COMPLETED) {
                f.complete(stats);
            } else {
                f.completeExceptionally(
                        new WeirException(
                                "checkpoint " + p.id + " failed: " + stats.failure().orElse("?")));
            }
        }
        if (!waiting.isEmpty() && !executor.isShutdown()) {
            executor.execute(this::guarded);
        }
    }

    void acknowledge(
            long id,
            Task task,
            List<SnapshotContext.OperatorResult> results,
            long alignmentMillis,
            long syncMillis) {
        execute(
                () -> {
                    Pending p = pending;
                    if (p == null || p.id != id) {
                        return;
                    }
                    p.results.addAll(results);
                    p.acks++;
                    p.alignmentMillis = Math.max(p.alignmentMillis, alignmentMillis);
                    p.syncMillis = Math.max(p.syncMillis, syncMillis);
                    if (p.acks == p.expectedAcks) {
                        complete(p);
                    }
                });
    }

    void decline(long id, Task task, Throwable cause) {
        execute(() -> abort(id, task.info + ": " + rootMessage(cause)));
    }

    private void execute(Runnable r) {
        if (!executor.isShutdown()) {
            try {
                executor.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("job {}: coordinator stopped, event dropped", jobName);
            }
        }
    }

    private void complete(Pending p) {
        CheckpointMetadata metadata =
                new CheckpointMetadata(
                        jobName,
                        p.id,
                        p.triggerMillis,
                        maxParallelism,
                        CheckpointMetadata.Kind.CHECKPOINT,
                        operators(p.results, false),
                        incarnation);
        String location = storage.describe(CheckpointPaths.metadata(p.id));
        collectable.addAll(sharedFilesOf(metadata));
        if (fenced()) {
            abort(p.id, "another process took the job over");
            return;
        }
        try {
            // Never replace a _metadata file: one already there was written by another process of
            // this job that took the id (docs/architecture.md §4).
            if (!storage.writeAtomicallyIfAbsent(
                    CheckpointPaths.metadata(p.id), MetadataSerializer.serialize(metadata))) {
                halted = true;
                String why =
                        location
                                + " already exists: another process of this job wrote checkpoint "
                                + p.id
                                + " (was this one paused while another took the job over?)";
                abort(p.id, why);
                if (committer.isEmpty()) {
                    failJob.accept(new WeirException("job " + jobName + ": " + why));
                }
                return;
            }
        } catch (RuntimeException e) {
            abort(p.id, "writing " + location + " failed: " + e.getMessage());
            return;
        }
        CrashPoints.reach("coordinator.after-metadata", p.id);
        if (p.savepoint != null) {
            CrashPoints.reach("savepoint.before-commit", p.id);
        }
        long commitStart = clock.millis();
        if (committer.isPresent()) {
            CommitOutcome outcome = commitWithRetries(committer.get(), metadata);
            if (outcome instanceof CommitOutcome.Failed f) {
                halted = true;
                p.timeout.cancel(false);
                pending = null;
                String reason = "commit failed: " + f.reason();
                CheckpointStats failed =
                        stats(p, CheckpointStats.Status.FAILED, 0, 0, Optional.of(reason));
                history.add(failed);
                finished(p, failed);
                LOG.error("job {}: checkpoint {} {}", jobName, p.id, reason);
                failJob.accept(
                        new WeirException(
                                "job "
                                        + jobName
                                        + ": checkpoint "
                                        + p.id
                                        + " could not be committed ("
                                        + f.reason()
                                        + "); restarting from the last committed checkpoint",
                                f.cause()));
                return;
            }
            CrashPoints.reach("coordinator.after-commit", p.id);
        }
        if (p.savepoint != null) {
            // Only now: a savepoint published before its checkpoint committed would hold state
            // ahead of the committed output (docs/architecture.md §5).
            CrashPoints.reach("savepoint.before-metadata", p.id);
            p.savepointFailure =
                    p.savepoint.publish(
                            new CheckpointMetadata(
                                    jobName,
                                    p.id,
                                    p.triggerMillis,
                                    maxParallelism,
                                    CheckpointMetadata.Kind.SAVEPOINT,
                                    operators(p.results, true)));
        }
        long commitMillis = clock.millis() - commitStart;
        p.timeout.cancel(false);
        pending = null;
        consecutiveFailures = 0;
        long size = metadata.allFiles().stream().mapToLong(FileRef::size).sum();
        long duration = clock.millis() - p.triggerMillis;
        CheckpointStats stats =
                new CheckpointStats(
                        p.id,
                        CheckpointStats.Status.COMPLETED,
                        p.triggerMillis,
                        duration,
                        size,
                        p.alignmentMillis,
                        p.syncMillis,
                        commitMillis,
                        Optional.of(location),
                        Optional.empty());
        history.add(stats);
        LOG.info(
                "job {}: checkpoint {} completed in {} ms, {} bytes, alignment {} ms, sync pause {}"
                        + " ms, commit {} ms",
                jobName,
                p.id,
                duration,
                size,
                p.alignmentMillis,
                p.syncMillis,
                commitMillis);
        completed.add(p.id);
        sharedFiles.put(p.id, sharedFilesOf(metadata));
        for (Task t : tasks) {
            t.notifyComplete(p.id);
        }
        try {
            if (!fenced()) {
                prune(p.id);
            }
        } catch (RuntimeException e) {
            // Cleanup is retried after the next checkpoint; the completed one stands.
            LOG.warn("job {}: cleaning up old checkpoints failed: {}", jobName, e.toString());
        }
        finished(p, stats);
    }

    private CheckpointStats stats(
            Pending p,
            CheckpointStats.Status status,
            long size,
            long commitMillis,
            Optional<String> failure) {
        return new CheckpointStats(
                p.id,
                status,
                p.triggerMillis,
                clock.millis() - p.triggerMillis,
                size,
                p.alignmentMillis,
                p.syncMillis,
                commitMillis,
                Optional.empty(),
                failure);
    }

    /**
     * Retries a commit that reports {@link CommitOutcome.Retry}: {@link
     * CheckpointCommitter#COMMIT_ATTEMPTS} attempts, pausing {@link
     * CheckpointCommitter#COMMIT_RETRY_PAUSES_MS} in all (the transaction timeout is sized on
     * both).
     */
    private CommitOutcome commitWithRetries(CheckpointCommitter c, CheckpointMetadata metadata) {
        long backoff = 100;
        for (int attempt = 1; ; attempt++) {
            CommitOutcome outcome;
            try {
                outcome = c.commit(metadata);
            } catch (RuntimeException e) {
                outcome = new CommitOutcome.Failed(e.toString(), e);
            }
            if (!(outcome instanceof CommitOutcome.Retry r)) {
                return outcome;
            }
            if (attempt == CheckpointCommitter.COMMIT_ATTEMPTS) {
                return new CommitOutcome.Failed(
                        "still failing after " + attempt + " attempts: " + r.reason(), null);
            }
            LOG.warn(
                    "job {}: commit of checkpoint {} will be retried in {} ms: {}",
                    jobName,
                    metadata.checkpointId(),
                    backoff,
                    r.reason());
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new CommitOutcome.Failed("interrupted while retrying", e);
            }
            backoff = Math.min(backoff * 2, 5_000);
        }
    }

    private static List<OperatorSnapshot> operators(
            List<SnapshotContext.OperatorResult> results, boolean savepoint) {
        Map<String, List<SnapshotContext.OperatorResult>> byUid = new LinkedHashMap<>();
        for (SnapshotContext.OperatorResult r : results) {
            byUid.computeIfAbsent(r.uid(), k -> new ArrayList<>()).add(r);
        }
        List<OperatorSnapshot> ops = new ArrayList<>();
        byUid.forEach(
                (uid, rs) -> {
                    Map<String, StateInfo> states = new LinkedHashMap<>();
                    rs.forEach(r -> r.states().forEach(s -> states.putIfAbsent(s.name(), s)));
                    List<SubtaskSnapshot> subtasks =
                            rs.stream()
                                    .map(r -> savepoint ? r.savepointSnapshot() : r.snapshot())
                                    .sorted(Comparator.comparingInt(SubtaskSnapshot::subtask))
                                    .toList();
                    ops.add(
                            new OperatorSnapshot(
                                    uid,
                                    rs.get(0).parallelism(),
                                    List.copyOf(states.values()),
                                    subtasks));
                });
        return ops;
    }

    private void abort(long id, String reason) {
        Pending p = pending;
        if (p == null || p.id != id) {
            return;
        }
        p.timeout.cancel(false);
        pending = null;
        consecutiveFailures++;
        CheckpointStats failed = stats(p, CheckpointStats.Status.FAILED, 0, 0, Optional.of(reason));
        history.add(failed);
        finished(p, failed);
        LOG.warn(
                "job {}: checkpoint {} failed ({} in a row, tolerated: {}): {}",
                jobName,
                id,
                consecutiveFailures,
                tolerableFailures,
                reason);
        // Only this attempt's own files: another process may use the same id (a successor, while
        // this one was paused), and its files are not ours to delete.
        p.results.forEach(r -> collectable.addAll(sharedFilesOf(r.snapshot())));
        deleteQuietly(CheckpointPaths.privateDir(id, incarnation));
        if (committer.isPresent()) {
            halted = true;
            failJob.accept(
                    new WeirException(
                            "job "
                                    + jobName
                                    + ": checkpoint "
                                    + id
                                    + " failed ("
                                    + reason
                                    + "); with exactly-once output its epoch is staged in a"
                                    + " transaction that cannot join a later one, so the job"
                                    + " restarts from the last committed checkpoint"));
            return;
        }
        if (consecutiveFailures > tolerableFailures) {
            failJob.accept(
                    new WeirException(
                            "job "
                                    + jobName
                                    + ": "
                                    + consecutiveFailures
                                    + " checkpoints failed in a row, more than checkpoint.tolerable-failures="
                                    + tolerableFailures
                                    + "; last: "
                                    + reason));
        }
    }

    /**
     * Keeps the newest {@code checkpoint.retained} completed checkpoints; deletes older ones and
     * any older directory that is not one of them (an aborted, interrupted or never committed
     * checkpoint). Checkpoints this attempt did not restore or supersede — left from before an
     * allowed empty start — are never deleted, nor the shared files they reference.
     */
    private void prune(long newest) {
        while (completed.size() > retained) {
            long oldest = completed.pollFirst();
            deleteQuietly(CheckpointPaths.checkpointDir(oldest));
            sharedFiles.remove(oldest);
        }
        for (String name : storage.list("")) {
            CheckpointPaths.parseCheckpointDir(name)
                    .ifPresent(
                            id -> {
                                if (id < newest
                                        && !completed.contains(id)
                                        && !preserved.contains(id)) {
                                    deleteQuietly(name);
                                }
                            });
        }
        collectSharedGarbage();
    }

    /**
     * Deletes every file under {@code shared/} that no retained checkpoint references: left by
     * checkpoints that expired, failed, or were never committed. Runs on the coordinator thread
     * between checkpoints, so no upload of a checkpoint that could still complete is under way.
     */
    private void collectSharedGarbage() {
        if (keepAllShared) {
            return;
        }
        Set<String> referenced = new HashSet<>();
        sharedFiles.values().forEach(referenced::addAll);
        for (String file : storage.listFiles(CheckpointPaths.SHARED)) {
            if (!referenced.contains(file) && collectable.contains(file)) {
                deleteQuietly(file);
                collectable.remove(file);
            }
        }
    }

    /**
     * True, and the job failing, when this process lost the right to write the job's storage (its
     * committer was fenced: another process runs the job now).
     */
    private boolean fenced() {
        if (committer.isEmpty() || !committer.get().isFenced()) {
            return false;
        }
        halted = true;
        failJob.accept(
                new WeirException(
                        "job "
                                + jobName
                                + ": another process took the job over; this one stops writing"
                                + " its checkpoint storage"));
        return true;
    }

    /** The {@code shared/} files a checkpoint references, relative to the storage root. */
    static Set<String> sharedFilesOf(CheckpointMetadata m) {
        return sharedFilesOf(m.allFiles());
    }

    private static Set<String> sharedFilesOf(SubtaskSnapshot s) {
        return sharedFilesOf(s.files());
    }

    private static Set<String> sharedFilesOf(List<FileRef> refs) {
        Set<String> files = new HashSet<>();
        for (FileRef f : refs) {
            CheckpointPaths.sharedFile(f.path()).ifPresent(files::add);
        }
        return files;
    }

    private void loadSharedFiles(Long id) {
        try {
            storage.read(CheckpointPaths.metadata(id))
                    .ifPresent(
                            b ->
                                    sharedFiles.put(
                                            id, sharedFilesOf(MetadataSerializer.deserialize(b))));
        } catch (RuntimeException e) {
            // Unreadable: keep every shared file rather than risk deleting one it references.
            LOG.warn(
                    "job {}: cannot read checkpoint {} to see which shared files it uses: {}",
                    jobName,
                    id,
                    e.toString());
            keepAllShared = true;
        }
    }

    private void deleteQuietly(String dir) {
        try {
            storage.deleteRecursively(dir);
        } catch (RuntimeException e) {
            LOG.warn(
                    "job {}: could not delete {}: {}",
                    jobName,
                    storage.describe(dir),
                    e.toString());
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null
                && (c instanceof java.util.concurrent.CompletionException
                        || c.getMessage() == null)) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    private static final class Pending {
        final long id;
        final long triggerMillis;
        final int expectedAcks;
        final List<SnapshotContext.OperatorResult> results = new ArrayList<>();
        int acks;
        long alignmentMillis;
        long syncMillis;
        ScheduledFuture<?> timeout;
        final List<CompletableFuture<CheckpointStats>> requests = new ArrayList<>();
        PendingSavepoint savepoint;
        Optional<String> savepointFailure = Optional.empty();

        Pending(long id, long triggerMillis, int expectedAcks) {
            this.id = id;
            this.triggerMillis = triggerMillis;
            this.expectedAcks = expectedAcks;
        }
    }
}
