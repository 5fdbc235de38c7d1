package dev.weir.internal;

import dev.weir.Barrier;
import dev.weir.Output;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.SubtaskInfo;
import dev.weir.Watermark;
import dev.weir.internal.metrics.OwnedCounter;
import dev.weir.internal.metrics.SubtaskMetrics;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask of one stage, run by one thread: an input (a source reader or an input gate) and a
 * chain of operators, plus a short chain per side output of a keyed operator in it. Other threads
 * reach it only through its mailbox ({@link #post}); operator code never needs synchronization.
 */
abstract class Task implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Task.class);

    final SubtaskInfo info;
    final int index;
    final Wakeup wakeup;

    /** The chain, then each side output's operators: the order of snapshots and watermarks. */
    private final List<ChainOperator> chain;

    /** Where each operator's input comes from, as an index into {@code chain}. */
    private final List<Input> inputs;

    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final TaskListener listener;
    protected final InstantSource clock;
    protected Output<Object, Object> head;
    protected SubtaskMetrics metrics;
    private volatile boolean cancelled;
    private volatile Thread thread;

    /** What a task reports to the job: failures and checkpoint acknowledgements. */
    interface TaskListener {
        void failed(Task task, Throwable cause);

        void acknowledged(
                long checkpointId,
                Task task,
                List<SnapshotContext.OperatorResult> results,
                long alignmentMillis,
                long syncMillis);

        void declined(long checkpointId, Task task, Throwable cause);
    }

    /** The operators of a side output {@code tag} of chain operator {@code parent}. */
    record Branch(int parent, OutputTag<?, ?> tag, List<ChainOperator> operators) {}

    /** An operator's input: the task's input, the previous operator, or a side output. */
    private record Input(int from, OutputTag<?, ?> tag) {}

    Task(
            SubtaskInfo info,
            int index,
            Wakeup wakeup,
            List<ChainOperator> chain,
            List<Branch> branches,
            TaskListener listener,
            InstantSource clock) {
        this.info = info;
        this.wakeup = wakeup;
        this.index = index;
        List<ChainOperator> all = new ArrayList<>();
        List<Input> from = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            all.add(chain.get(i));
            from.add(new Input(i - 1, null));
        }
        for (Branch b : branches) {
            for (int i = 0; i < b.operators().size(); i++) {
                from.add(i == 0 ? new Input(b.parent(), b.tag()) : new Input(all.size() - 1, null));
                all.add(b.operators().get(i));
            }
        }
        this.chain = List.copyOf(all);
        this.inputs = List.copyOf(from);
        this.listener = listener;
        this.clock = clock;
        for (int i = 0; i < all.size(); i++) {
            connect(i, all.get(i));
        }
    }

    /** Makes {@code output} the receiver of what operator {@code i}'s input emits. */
    private void connect(int i, Output<Object, Object> output) {
        Input in = inputs.get(i);
        if (in.from() < 0) {
            head = output;
        } else if (in.tag() != null) {
            chain.get(in.from()).setSideOutput(in.tag(), output);
        } else {
            chain.get(in.from()).setNext(output);
        }
    }

    /**
     * Counts the records each operator of the chain takes in, into {@code metrics} (whose operators
     * are this chain's, in order, then the side outputs'). Call before {@link #start}.
     */
    void measure(SubtaskMetrics metrics) {
        this.metrics = metrics;
        for (int i = 0; i < chain.size(); i++) {
            connect(i, new Counted(chain.get(i), metrics.recordsIn(i)));
        }
    }

    /** Counts what passes into an operator: a field add per record, read when scraped. */
    private static final class Counted implements Output<Object, Object> {
        private final Output<Object, Object> operator;
        private final OwnedCounter in;

        Counted(Output<Object, Object> operator, OwnedCounter in) {
            this.operator = operator;
            this.in = in;
        }

        @Override
        public void emit(Record<Object, Object> record) {
            in.increment();
            operator.emit(record);
        }
    }

    /** Runs {@code action} on the task thread, between two records. */
    void post(Runnable action) {
        mailbox.add(action);
        wakeup.signal();
    }

    protected void runMail() {
        Runnable r;
        while ((r = mailbox.poll()) != null) {
            r.run();
        }
    }

    /** Waits up to {@code nanos} for input or mail, counted as idle time. */
    protected void awaitIdle(long nanos) {
        if (metrics == null) {
            wakeup.await(nanos);
            return;
        }
        metrics.beginIdle();
        wakeup.await(nanos);
        metrics.endIdle();
    }

    protected boolean hasMail() {
        return !mailbox.isEmpty();
    }

    boolean isCancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
        wakeup.signal();
    }

    void interrupt() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    void join(long millis) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(millis);
        }
    }

    boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    void start(String threadName) {
        Thread t = new Thread(this, threadName);
        t.setDaemon(true);
        thread = t;
        wakeup.bind(t);
        t.start();
    }

    @Override
    public final void run() {
        if (metrics != null) {
            metrics.started();
        }
        try {
            for (ChainOperator op : chain) {
                op.open();
            }
            runLoop();
        } catch (ChannelWriter.TaskCancelledException e) {
            LOG.debug("{}: cancelled", info);
        } catch (Throwable t) {
            if (!cancelled) {
                LOG.warn("{}: failed: {}", info, t.toString());
                listener.failed(this, t);
            } else {
                LOG.debug("{}: error while cancelled: {}", info, t.toString());
            }
        } finally {
            closeAll();
            if (metrics != null) {
                metrics.stopped();
            }
        }
    }

    protected abstract void runLoop() throws Exception;

    protected void closeInput() {}

    private void closeAll() {
        for (ChainOperator op : chain) {
            try {
                op.close();
            } catch (Throwable t) {
                LOG.warn("{}: closing an operator failed: {}", info, t.toString());
            }
        }
        try {
            closeInput();
        } catch (Throwable t) {
            LOG.warn("{}: closing the input failed: {}", info, t.toString());
        }
    }

    protected void emit(Record<Object, Object> r) {
        head.emit(r);
    }

    protected void flushIdle() {
        for (ChainOperator op : chain) {
            op.flushIdle();
        }
    }

    /** The task's input watermark moved: every operator acts on it, in chain order. */
    protected void watermark(Watermark w) {
        for (ChainOperator op : chain) {
            op.watermark(w);
        }
    }

    /** The earliest processing time an operator waits for, or {@link Long#MAX_VALUE}. */
    protected long nextProcessingTimer() {
        long next = Long.MAX_VALUE;
        for (ChainOperator op : chain) {
            next = Math.min(next, op.nextProcessingTimer());
        }
        return next;
    }

    /** Fires the processing-time timers due at {@code now}. */
    protected void onProcessingTime(long now) {
        for (ChainOperator op : chain) {
            op.onProcessingTime(now);
        }
    }

    /**
     * Takes this subtask's part of checkpoint {@code barrier}: the synchronous part of every
     * operator in chain order (which forwards the barrier downstream), then acknowledges once the
     * asynchronous parts are done. The synchronous pause it reports leaves out time spent waiting
     * for room in a full downstream channel: that is backpressure, not checkpoint work.
     */
    protected void checkpoint(
            Barrier barrier,
            List<SnapshotContext.OperatorResult> inputResults,
            long alignmentMillis) {
        long start = clock.millis();
        SnapshotContext ctx = new SnapshotContext(barrier);
        inputResults.forEach(ctx::addResult);
        // Per operator, for the debug log: where a long synchronous part went.
        StringBuilder parts = LOG.isDebugEnabled() ? new StringBuilder() : null;
        for (ChainOperator op : chain) {
            long opStart = System.nanoTime();
            op.snapshot(ctx);
            if (parts != null) {
                parts.append(parts.isEmpty() ? "" : ", ")
                        .append(op.getClass().getSimpleName())
                        .append(' ')
                        .append((System.nanoTime() - opStart) / 1_000_000)
                        .append(" ms");
            }
        }
        long waited = ctx.downstreamWaitNanos() / 1_000_000;
        long sync = Math.max(0, clock.millis() - start - waited);
        long id = barrier.checkpointId();
        LOG.debug(
                "{}: checkpoint {}: synchronous part {} ms ({}), waiting for room downstream {}"
                        + " ms",
                info,
                id,
                sync,
                parts,
                waited);
        ctx.all()
                .whenComplete(
                        (results, error) -> {
                            if (error != null) {
                                listener.declined(id, this, error);
                            } else {
                                listener.acknowledged(id, this, results, alignmentMillis, sync);
                            }
                        });
    }

    /** Checkpoint {@code id} completed: tell the operators, on the task thread. */
    void notifyComplete(long id) {
        post(
                () -> {
                    for (ChainOperator op : chain) {
                        op.notifyComplete(id);
                    }
                    onCheckpointComplete(id);
                });
    }

    protected void onCheckpointComplete(long id) {}
}
