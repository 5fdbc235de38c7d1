package dev.weir.internal;

import dev.weir.Output;
import dev.weir.Record;

/**
 * One operator in a subtask's chain. Records arrive through {@link #emit} from the previous
 * operator (or the task's input) and leave through {@code next}. All methods run on the task
 * thread: {@link #open} once, then records interleaved with {@link #snapshot} at each barrier (in
 * chain order, so an operator's output before the barrier has passed downstream when the next
 * operator snapshots) and {@link #notifyComplete}; {@link #close} last, also after a failure.
 */
abstract class ChainOperator implements Output<Object, Object> {
    protected Output<Object, Object> next;

    void setNext(Output<Object, Object> next) {
        this.next = next;
    }

    void open() throws Exception {}

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
