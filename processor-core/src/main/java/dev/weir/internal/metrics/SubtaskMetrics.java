package dev.weir.internal.metrics;

import java.util.List;

/**
 * The counts of one subtask (one task thread of one stage), kept across restarts of the job: the
 * records each operator of its chain took in, and where its thread's time went. The task thread
 * writes them ({@link OwnedCounter}); meters read them at scrape time, so no meter is touched per
 * record.
 *
 * <p>Time is split the way an operator of a stream processor asks about it: <em>idle</em> — waiting
 * for input (a source's poll that returned nothing, a gate with nothing to read);
 * <em>backpressured</em> — waiting for room in a full channel downstream; <em>busy</em> — the rest
 * of the time the thread ran.
 */
public final class SubtaskMetrics {
    private final List<String> operators;
    private final OwnedCounter[] recordsIn;
    private final OwnedCounter sourceRecordsOut = new OwnedCounter();
    private final OwnedCounter idleNanos = new OwnedCounter();
    private final OwnedCounter backpressuredNanos = new OwnedCounter();

    /** Nanos the task threads of earlier attempts ran, in total. */
    private volatile long pastRunNanos;

    /** {@code System.nanoTime()} when the current attempt's thread started; 0: none runs. */
    private volatile long runningSince;

    /** Where an idle wait began; 0: not waiting. */
    private final OwnedCounter idleSince = new OwnedCounter();

    private long lastBusyNanos;

    SubtaskMetrics(List<String> operators) {
        this.operators = List.copyOf(operators);
        this.recordsIn = new OwnedCounter[operators.size()];
        for (int i = 0; i < recordsIn.length; i++) {
            recordsIn[i] = new OwnedCounter();
        }
    }

    /** The operators of the chain, in order. */
    public List<String> operators() {
        return operators;
    }

    /** Records handed to operator {@code i} of the chain. */
    public OwnedCounter recordsIn(int i) {
        return recordsIn[i];
    }

    /** Records a source emitted into the chain (the source is not part of it). */
    public OwnedCounter sourceRecordsOut() {
        return sourceRecordsOut;
    }

    public OwnedCounter backpressuredNanos() {
        return backpressuredNanos;
    }

    /** The task thread starts (an attempt). */
    public void started() {
        runningSince = System.nanoTime();
    }

    /** The task thread ends. */
    public void stopped() {
        long since = runningSince;
        if (since != 0) {
            pastRunNanos += System.nanoTime() - since;
            runningSince = 0;
        }
        endIdle();
    }

    /** Task thread: starts waiting for input. */
    public void beginIdle() {
        idleSince.set(System.nanoTime());
    }

    /** Task thread: input arrived (or the wait ended); no-op when not waiting. */
    public void endIdle() {
        long since = idleSince.get();
        if (since != 0) {
            idleNanos.add(System.nanoTime() - since);
            idleSince.set(0);
        }
    }

    /** Task thread: {@code nanos} went by waiting for input, measured by the caller. */
    public void idle(long nanos) {
        idleNanos.add(nanos);
    }

    long recordsOut(int i) {
        return i + 1 < recordsIn.length ? recordsIn[i + 1].get() : recordsIn[i].get();
    }

    double idleSeconds() {
        long since = idleSince.get();
        long waiting = since == 0 ? 0 : Math.max(0, System.nanoTime() - since);
        return (idleNanos.get() + waiting) / 1e9;
    }

    double backpressuredSeconds() {
        return backpressuredNanos.get() / 1e9;
    }

    /** Ran minus idle minus backpressured; never goes down between two reads. */
    synchronized double busySeconds() {
        long since = runningSince;
        long ran = pastRunNanos + (since == 0 ? 0 : System.nanoTime() - since);
        long sinceIdle = idleSince.get();
        long idle =
                idleNanos.get() + (sinceIdle == 0 ? 0 : Math.max(0, System.nanoTime() - sinceIdle));
        long busy = Math.max(lastBusyNanos, ran - idle - backpressuredNanos.get());
        lastBusyNanos = busy;
        return busy / 1e9;
    }
}
