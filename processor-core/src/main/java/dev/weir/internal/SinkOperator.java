package dev.weir.internal;

import dev.weir.Record;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.SinkWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/** The end of the last stage: hands records to the sink connector's writer. */
final class SinkOperator extends ChainOperator {
    private final String uid;
    private final int subtask;
    private final int parallelism;
    private final SinkWriter<Object, Object> writer;
    private final LongAdder recordsOut;

    @SuppressWarnings("unchecked")
    SinkOperator(
            String uid,
            int subtask,
            int parallelism,
            SinkWriter<?, ?> writer,
            LongAdder recordsOut) {
        this.uid = uid;
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.writer = (SinkWriter<Object, Object>) writer;
        this.recordsOut = recordsOut;
    }

    @Override
    public void emit(Record<Object, Object> r) {
        writer.write(r);
        recordsOut.increment();
    }

    @Override
    void snapshot(SnapshotContext ctx) {
        writer.prepareCheckpoint(ctx.checkpointId());
        ctx.addResult(
                new SnapshotContext.OperatorResult(
                        uid,
                        parallelism,
                        List.of(),
                        new SubtaskSnapshot(subtask, Optional.empty(), List.of(), Map.of())));
    }

    @Override
    void notifyComplete(long checkpointId) {
        writer.notifyCheckpointComplete(checkpointId);
    }

    @Override
    void close() {
        writer.close();
    }
}
