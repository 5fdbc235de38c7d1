package dev.weir;

import dev.weir.internal.JobGraph;
import dev.weir.window.WindowAssigner;
import dev.weir.window.WindowedStream;
import java.util.function.Supplier;

/** A stream partitioned by key: the next step is a keyed process function with keyed state. */
public final class KeyedStream<K, V> {
    private final JobBuilder builder;
    private final int position;
    private final StateSerializer<K> keySerializer;

    KeyedStream(JobBuilder builder, int position, StateSerializer<K> keySerializer) {
        this.builder = builder;
        this.position = position;
        this.keySerializer = keySerializer;
    }

    /**
     * Runs a keyed process function, one instance per subtask from {@code factory}. The uid names
     * the operator's state in checkpoints and savepoints.
     */
    public <KO, VO> DataStream<KO, VO> process(
            String uid, Supplier<? extends KeyedProcessFunction<K, V, KO, VO>> factory) {
        builder.checkTail(position);
        builder.claimUid(uid);
        return new DataStream<>(
                builder,
                builder.append(position, new JobGraph.ProcessStep(uid, factory, keySerializer)));
    }

    /**
     * Cuts the stream into event-time windows per key; the {@link WindowedStream}'s reduce,
     * aggregate or process then appends the keyed step, as {@link #process} does.
     */
    public WindowedStream<K, V> window(WindowAssigner<? super V> assigner) {
        return WindowedStream.of(this, assigner);
    }
}
