package dev.weir.internal;

import dev.weir.Output;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.Watermark;

/**
 * One operator in a subtask's chain. Records arrive through {@link #emit} from the previous
 * operator (or the task's input) and leave through {@code next}. All methods run on the task
 * thread: {@link #open} once, then records interleaved with {@link #snapshot} at each barrier (in
 * chain order, so an operator's output before the barrier has passed downstream when the next
 * operator snapshots) and {@link #notifyComplete}; {@link #close} last, also after a failure.
 * Watermarks reach every operator of the task in chain order too ({@link #watermark}): an operator
 * emits what the watermark releases before the next operator sees it.
 */
abstract class ChainOperator implements Output<Object, Object> {
    protected Output<Object, Object> next;

    void setNext(Output<Object, Object> next) {
        this.next = next;
    }

    /** Where records emitted to {@code tag} go; only keyed operators have side outputs. */
    void setSideOutput(OutputTag<?, ?> tag, Output<Object, Object> output) {
        throw new IllegalStateException(getClass().getSimpleName() + " has no side outputs");
    }

    void open() throws Exception {}

    /** The task's input watermark moved (or went idle): act on it, emitting downstream. */
    void watermark(Watermark watermark) {}

    /** The earliest processing time this operator waits for, or {@link Long#MAX_VALUE}. */
    long nextProcessingTimer() {
        return Long.MAX_VALUE;
    }

    /** The job clock reached {@code now}: fire what is due. */
    void onProcessingTime(long now) {}

    /**
     * The synchronous part of this operator's snapshot; asynchronous work goes into {@code ctx}.
     */
    void snapshot(SnapshotContext ctx) {}

    /** Called when the task has nothing to read: push out buffered output. */
    void flushIdle() {}

    void notifyComplete(long checkpointId) {}

    void close() throws Exception {}

    @Override
    public abstract void emit(Record<Object, Object> record);
}
