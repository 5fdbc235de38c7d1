package dev.weir;

import dev.weir.internal.JobGraph;
import dev.weir.spi.Sink;

/**
 * A stream of records in a job being built; each method appends one step. A stream is continued
 * once; a keyed step's stream may also give its side outputs ({@link #sideOutput}).
 */
public final class DataStream<K, V> {
    private final JobBuilder builder;
    private final int position;
    private final JobBuilder.Branch branch;

    DataStream(JobBuilder builder, int position) {
        this(builder, position, null);
    }

    private DataStream(JobBuilder builder, int position, JobBuilder.Branch branch) {
        this.builder = builder;
        this.position = position;
        this.branch = branch;
    }

    private <KO, VO> DataStream<KO, VO> then(JobGraph.Step step) {
        return branch == null
                ? new DataStream<>(builder, builder.append(position, step))
                : new DataStream<>(builder, branch.append(position, step), branch);
    }

    public <KO, VO> DataStream<KO, VO> map(MapFunction<K, V, KO, VO> fn) {
        return then(new JobGraph.MapStep(fn));
    }

    public DataStream<K, V> filter(FilterFunction<K, V> fn) {
        return then(new JobGraph.FilterStep(fn));
    }

    public <KO, VO> DataStream<KO, VO> flatMap(FlatMapFunction<K, V, KO, VO> fn) {
        return then(new JobGraph.FlatMapStep(fn));
    }

    /**
     * Re-keys each record with {@code selector} and partitions the stream by key: all records of a
     * key reach the same subtask, by the key group of {@code keySerializer}'s bytes.
     */
    public <KO> KeyedStream<KO, V> keyBy(
            KeySelector<K, V, KO> selector, StateSerializer<KO> keySerializer) {
        if (branch != null) {
            branch.append(position, new JobGraph.KeyByStep(selector, keySerializer));
        }
        return new KeyedStream<>(
                builder,
                builder.append(position, new JobGraph.KeyByStep(selector, keySerializer)),
                keySerializer);
    }

    /** Partitions the stream by the records' current keys. */
    public KeyedStream<K, V> keyBy(StateSerializer<K> keySerializer) {
        return keyBy(Record::key, keySerializer);
    }

    /**
     * The records the keyed step of this stream (a {@code process} or a window) emits to {@code
     * tag}: a stream of its own, run in the same subtasks as that step, that may be mapped,
     * filtered and sent to its own sink. With exactly-once output every sink of the job writes into
     * the same checkpoint transaction. A tag nothing is emitted to gives an empty stream.
     */
    public <K2, V2> DataStream<K2, V2> sideOutput(OutputTag<K2, V2> tag) {
        if (branch != null) {
            throw new IllegalStateException(
                    "sideOutput("
                            + tag.id()
                            + ") needs the stream of a keyed step, not a side output");
        }
        return new DataStream<>(builder, 0, builder.sideOutput(position, tag));
    }

    public void sink(String uid, Sink<K, V> sink) {
        if (branch != null) {
            builder.setSink(branch, position, uid, sink);
        } else {
            builder.setSink(position, uid, sink);
        }
    }
}
