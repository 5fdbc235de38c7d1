package dev.weir.internal;

import dev.weir.CheckpointStats;
import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.WeirException;
import dev.weir.config.CheckpointOptions;
import dev.weir.config.JobOptions;
import dev.weir.config.SavepointOptions;
import dev.weir.config.WeirConfig;
import dev.weir.internal.metrics.JobMetrics;
import dev.weir.internal.rest.RestEndpoint;
import dev.weir.internal.rest.RestSettings;
import dev.weir.internal.rest.SavepointControl;
import dev.weir.spi.CheckpointStorage;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job in this JVM: restores the latest usable checkpoint, starts an attempt (all subtasks
 * plus the checkpoint coordinator), and on a failure cancels the attempt and starts a new one after
 * the restart strategy's pause. One runner thread owns this loop.
 *
 * <p>Savepoint requests made while no attempt runs (the job is starting, restoring or restarting)
 * wait in a {@link SavepointQueue} and go to the attempt once it runs; see {@link SavepointRequest}
 * for what happens when that attempt fails.
 */
public final class JobRunner implements RunningJob, SavepointControl {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final Object STOP = new Object();

    private final JobPlan plan;
    private final InstantSource clock;
    private final CheckpointStorage storage;
    private final RestartStrategy restartStrategy;
    private final Path localBase;
    private final JobMetrics metrics;
    private final CheckpointHistory history;
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private final LongAdder recordsIn = new LongAdder();
    private final LongAdder recordsOut = new LongAdder();
    private final Map<String, LongAdder> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile JobStatus status = JobStatus.STARTING;
    private volatile Throwable failure;
    private volatile int restarts;
    private volatile Optional<Long> restoredCheckpointId = Optional.empty();
    private volatile Attempt current;
    private RestEndpoint rest;
    private volatile boolean stopRequested;
    private volatile Consumer<SavepointRequest> requestListener;
    private final SavepointQueue savepoints;
    private Thread thread;

    private JobRunner(JobPlan plan, InstantSource clock, Optional<MeterRegistry> registry) {
        this.plan = plan;
        this.clock = clock;
        this.metrics = new JobMetrics(plan.jobName(), registry);
        this.history = new CheckpointHistory(metrics::checkpoint);
        WeirConfig config = plan.config();
        this.restartStrategy = new RestartStrategy(config);
        this.storage =
                dev.weir.spi.CheckpointStorages.open(
                        config.get(CheckpointOptions.DIR),
                        plan.jobName(),
                        config,
                        CheckpointOptions.DIR.key());
        this.localBase =
                Path.of(
                        config.get(JobOptions.STATE_LOCAL_DIR),
                        plan.jobName(),
                        UUID.randomUUID().toString());
        this.savepoints = new SavepointQueue(plan.jobName(), clock, termination);
    }

    /**
     * Validates, then starts the runner thread; returns when the first attempt is running (or
     * failed).
     */
    public static JobRunner start(
            dev.weir.internal.JobGraph graph,
            WeirConfig config,
            InstantSource clock,
            Optional<MeterRegistry> registry) {
        JobPlan plan = JobPlan.of(graph, config);
        RestSettings restSettings = RestSettings.from(plan.config());
        JobRunner runner = new JobRunner(plan, clock, registry);
        runner.metrics.bindJob(runner);
        if (restSettings.port() >= 0) {
            try {
                runner.rest =
                        RestEndpoint.start(
                                runner, runner, runner.metrics, plan.config(), restSettings);
            } catch (RuntimeException e) {
                runner.metrics.close();
                runner.storage.close();
                throw e;
            }
        }
        runner.thread = new Thread(runner::runLoop, "weir-job-" + plan.jobName());
        runner.thread.start();
        try {
            runner.started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return runner;
    }

    private record Failure(int attempt, Throwable cause) {}

    private void runLoop() {
        int attemptNo = 0;
        try {
            while (!stopRequested) {
                attemptNo++;
                long attemptStart = clock.millis();
                Attempt attempt;
                try {
                    attempt =
                            Attempt.start(
                                    plan,
                                    attemptNo,
                                    storage,
                                    localBase.resolve("attempt-" + attemptNo),
                                    clock,
                                    history,
                                    recordsIn,
                                    recordsOut,
                                    counters,
                                    metrics,
                                    this::requestStop,
                                    this::onFailure);
                } catch (RuntimeException e) {
                    // Weir.start returns after the first try either way; the job goes on
                    // restarting.
                    started.countDown();
                    if (!handleFailure(e, attemptStart)) {
                        break;
                    }
                    continue;
                }
                metrics.bindCounters(counters);
                restoredCheckpointId = attempt.restoredCheckpointId();
                current = attempt;
                status = JobStatus.RUNNING;
                savepoints.attemptRunning(attempt, attemptNo);
                started.countDown();
                Object event = events.take();
                while (event instanceof Failure f && f.attempt() != attemptNo) {
                    event = events.take();
                }
                current = null;
                savepoints.attemptEnded(
                        event instanceof Failure f ? f.cause().toString() : "stopped",
                        event == STOP || stopRequested);
                attempt.cancel();
                if (event == STOP) {
                    break;
                }
                if (!handleFailure(((Failure) event).cause(), attemptStart)) {
                    break;
                }
            }
            if (status != JobStatus.FAILED) {
                status = JobStatus.STOPPED;
                LOG.info("job {}: stopped", plan.jobName());
            }
        } catch (InterruptedException e) {
            status = JobStatus.STOPPED;
        } finally {
            if (status != JobStatus.FAILED) {
                // Also when a failure arrived after a stop was requested.
                status = JobStatus.STOPPED;
            }
            savepoints.close(
                    status == JobStatus.FAILED
                            ? "job "
                                    + plan.jobName()
                                    + " failed: "
                                    + SavepointRequest.message(failure)
                            : "job " + plan.jobName() + " stopped");
            LocalCheckpointStorage.deleteTree(localBase);
            storage.close();
            started.countDown();
            termination.complete(null);
            if (rest != null) {
                // After termination: a stop-with-savepoint request still gets its answer.
                rest.close();
            }
            metrics.close();
            terminated.countDown();
        }
    }

    /**
     * @return true to go on with a new attempt; false if the job failed for good (its status is
     *     then {@link JobStatus#FAILED}) or was stopped
     */
    private boolean handleFailure(Throwable cause, long attemptStart) throws InterruptedException {
        if (stopRequested) {
            return false;
        }
        if (cause instanceof dev.weir.UnrecoverableJobException) {
            fail(cause, "it cannot be fixed by a restart");
            return false;
        }
        long delay = restartStrategy.onFailure(clock.millis() - attemptStart);
        if (delay < 0) {
            fail(cause, "restart strategy " + restartStrategy.describe() + " gave up");
            return false;
        }
        status = JobStatus.RESTARTING;
        restarts++;
        // The one log line of this failure with its stack: tasks and the checkpoint coordinator
        // log only its message.
        LOG.warn(
                "job {}: failed; restart {} from the last completed checkpoint in {} ms",
                plan.jobName(),
                restarts,
                delay,
                cause);
        return pause(delay);
    }

    /**
     * Waits {@code delay} ms before the next attempt.
     *
     * @return false if the job was stopped meanwhile
     */
    private boolean pause(long delay) throws InterruptedException {
        // Only a stop ends the pause early: the other subtasks of the attempt that failed report
        // their failures now too, and one failure per attempt counts.
        long until = clock.millis() + delay;
        for (long left = delay; left > 0 && !stopRequested; left = until - clock.millis()) {
            Object event = events.poll(left, TimeUnit.MILLISECONDS);
            if (event == null) {
                break;
            }
            if (event == STOP) {
                return false;
            }
        }
        return !stopRequested;
    }

    private void fail(Throwable cause, String why) {
        failure = cause;
        status = JobStatus.FAILED;
        LOG.error("job {}: failed for good ({}): {}", plan.jobName(), why, cause.toString(), cause);
    }

    private void onFailure(int attempt, Throwable cause) {
        events.add(new Failure(attempt, cause));
    }

    @Override
    public String name() {
        return plan.jobName();
    }

    @Override
    public JobStatus status() {
        return status;
    }

    @Override
    public List<CheckpointStats> checkpoints() {
        return history.all();
    }

    @Override
    public Optional<CheckpointStats> lastCompletedCheckpoint() {
        return history.lastCompleted();
    }

    /** Stops the job without waiting for it (callable from the job's own threads). */
    private void requestStop() {
        stopRequested = true;
        savepoints.close("job " + plan.jobName() + " is stopping");
        events.add(STOP);
    }

    /**
     * As {@link #triggerSavepoint}, but returns the request, which tells where it is while it waits
     * or runs.
     *
     * @param directory null or blank: {@code savepoint.dir}
     * @throws SavepointRequest.Refused if it cannot be carried out: no directory, the job stopping,
     *     stopped or failed, or a stop-with-savepoint under way
     */
    @Override
    public SavepointRequest requestSavepoint(String directory, boolean stopAfter) {
        String dir =
                directory == null || directory.isBlank()
                        ? plan.config().get(SavepointOptions.DIR)
                        : directory;
        if (dir.isBlank()) {
            throw new SavepointRequest.Refused(
                    "no savepoint directory: pass one or set config key '"
                            + SavepointOptions.DIR.key()
                            + "'");
        }
        SavepointRequest r = savepoints.submit(dir, stopAfter);
        Consumer<SavepointRequest> l = requestListener;
        if (l != null) {
            l.accept(r);
        }
        return r;
    }

    @Override
    public void onRequest(Consumer<SavepointRequest> listener) {
        requestListener = listener;
    }

    @Override
    public boolean cancelSavepoint(SavepointRequest request) {
        return savepoints.cancel(request);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Asked while the job starts, restores or restarts, the savepoint is taken once it runs; the
     * future fails at once if the job is stopping, stopped or failed, or a stop-with-savepoint is
     * under way.
     */
    @Override
    public CompletableFuture<String> triggerSavepoint(String directory) {
        return savepoint(directory, false);
    }

    /** {@inheritDoc} Queued like {@link #triggerSavepoint}. */
    @Override
    public CompletableFuture<String> stopWithSavepoint(String directory) {
        return savepoint(directory, true);
    }

    private CompletableFuture<String> savepoint(String directory, boolean stopAfter) {
        try {
            return requestSavepoint(directory, stopAfter).result();
        } catch (SavepointRequest.Refused e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<CheckpointStats> triggerCheckpoint() {
        Attempt a = current;
        if (a == null) {
            return CompletableFuture.failedFuture(
                    new WeirException(
                            "job " + plan.jobName() + " is not running (" + status + ")"));
        }
        return a.triggerCheckpoint();
    }

    @Override
    public Optional<Long> restoredCheckpointId() {
        return restoredCheckpointId;
    }

    @Override
    public int restarts() {
        return restarts;
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public long recordsIn() {
        return recordsIn.sum();
    }

    @Override
    public long recordsOut() {
        return recordsOut.sum();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> now = new java.util.TreeMap<>();
        counters.forEach((name, c) -> now.put(name, c.sum()));
        return now;
    }

    @Override
    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        stopRequested = true;
        savepoints.close("job " + plan.jobName() + " is stopping");
        events.add(STOP);
        try {
            if (!terminated.await(60, TimeUnit.SECONDS)) {
                throw new WeirException("job " + plan.jobName() + " did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
