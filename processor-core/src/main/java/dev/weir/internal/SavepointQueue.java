package dev.weir.internal;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The savepoint requests of one {@link JobRunner}: those waiting for an attempt to run, and those
 * handed to the running one. Any thread submits; the runner thread reports when an attempt runs and
 * when it ended; the attempt's coordinator thread answers. One lock guards it all, so a request is
 * either handed to the running attempt or waits for the next one — never lost between the two.
 *
 * <p>Refuses (at once, with the reason) once the job is stopping, stopped or failed, and while a
 * stop-with-savepoint is under way: a savepoint after it could never be taken.
 */
final class SavepointQueue {
    private static final Logger LOG = LoggerFactory.getLogger(SavepointQueue.class);

    private final String jobName;
    private final InstantSource clock;
    private final CompletableFuture<Void> termination;
    private final List<SavepointRequest> waiting = new ArrayList<>();
    private final List<SavepointRequest> handedOver = new ArrayList<>();
    private Attempt running;
    private int runningNumber;
    private SavepointRequest stop;
    private String closed;

    /**
     * @param termination completes when the job stopped; a stop-with-savepoint completes after it
     */
    SavepointQueue(String jobName, InstantSource clock, CompletableFuture<Void> termination) {
        this.jobName = jobName;
        this.clock = clock;
        this.termination = termination;
    }

    /**
     * @throws SavepointRequest.Refused if the job is stopping, stopped or failed, or a
     *     stop-with-savepoint is under way
     */
    synchronized SavepointRequest submit(String directory, boolean stopAfter) {
        if (closed != null) {
            throw new SavepointRequest.Refused(closed);
        }
        if (stop != null && !stop.isDone()) {
            throw new SavepointRequest.Refused(
                    "job " + jobName + " is already stopping with savepoint request " + stop.id());
        }
        SavepointRequest r =
                new SavepointRequest(
                        directory, stopAfter, clock.millis(), "waiting for the job to run");
        if (stopAfter) {
            stop = r;
        }
        if (running != null) {
            handOver(r);
        } else {
            waiting.add(r);
            LOG.info("job {}: {} request {} waits until the job runs", jobName, kind(r), r.id());
        }
        return r;
    }

    /** Cancels a request that still waits; false if it was handed to an attempt or has ended. */
    synchronized boolean cancel(SavepointRequest r) {
        if (!waiting.remove(r)) {
            return false;
        }
        r.fail("cancelled before the job took it");
        LOG.info("job {}: {} request {} cancelled", jobName, kind(r), r.id());
        return true;
    }

    /** On the runner thread: attempt {@code number} runs; the waiting requests go to it. */
    synchronized void attemptRunning(Attempt attempt, int number) {
        running = attempt;
        runningNumber = number;
        List<SavepointRequest> now = List.copyOf(waiting);
        waiting.clear();
        now.forEach(this::handOver);
    }

    /**
     * On the runner thread, before the attempt is cancelled: what it was given and did not finish
     * waits for the next attempt — unless the job is stopping, then it fails.
     */
    synchronized void attemptEnded(String why, boolean jobStopping) {
        List<SavepointRequest> unfinished = List.copyOf(handedOver);
        handedOver.clear();
        int number = runningNumber;
        running = null;
        for (int i = unfinished.size() - 1; i >= 0; i--) {
            SavepointRequest r = unfinished.get(i);
            if (jobStopping) {
                r.fail("job " + jobName + " stopped before the savepoint completed");
            } else {
                r.waitAgain(
                        "attempt "
                                + number
                                + " ended before the savepoint completed ("
                                + why
                                + "); waiting for the next attempt");
                waiting.add(0, r);
                LOG.info(
                        "job {}: {} request {} carried over to the next attempt",
                        jobName,
                        kind(r),
                        r.id());
            }
        }
    }

    /**
     * Refuses new requests from now on with {@code reason} (a later call replaces it: "stopping",
     * then "stopped"), and fails those waiting or under way with it. A stop-with-savepoint whose
     * savepoint is complete still completes when the job stopped.
     */
    synchronized void close(String reason) {
        closed = reason;
        List<SavepointRequest> all = new ArrayList<>(waiting);
        all.addAll(handedOver);
        waiting.clear();
        handedOver.clear();
        all.forEach(r -> r.fail(reason));
    }

    private void handOver(SavepointRequest r) {
        int number = runningNumber;
        r.handedTo(number);
        handedOver.add(r);
        LOG.info("job {}: {} request {} taken by attempt {}", jobName, kind(r), r.id(), number);
        running.triggerSavepoint(r.directory(), r.stopAfter())
                .whenComplete((location, failure) -> answered(r, number, location, failure));
    }

    private synchronized void answered(
            SavepointRequest r, int number, String location, Throwable failure) {
        if (r.attempt() != number || r.isDone()) {
            // Carried over (or failed) when its attempt ended; this is the old attempt's answer.
            return;
        }
        handedOver.remove(r);
        if (failure != null) {
            r.fail(SavepointRequest.message(failure));
        } else if (r.stopAfter()) {
            r.savepointWritten(location);
            termination.thenRun(() -> r.complete(location));
        } else {
            r.complete(location);
        }
    }

    private static String kind(SavepointRequest r) {
        return r.stopAfter() ? "stop-with-savepoint" : "savepoint";
    }
}
