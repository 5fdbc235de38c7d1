package dev.weir;

import dev.weir.internal.JobGraph;
import dev.weir.spi.Sink;

/** A stream of records in a job being built; each method appends one step. */
public final class DataStream<K, V> {
    private final JobBuilder builder;
    private final int position;

    DataStream(JobBuilder builder, int position) {
        this.builder = builder;
        this.position = position;
    }

    public <KO, VO> DataStream<KO, VO> map(MapFunction<K, V, KO, VO> fn) {
        return new DataStream<>(builder, builder.append(position, new JobGraph.MapStep(fn)));
    }

    public DataStream<K, V> filter(FilterFunction<K, V> fn) {
        return new DataStream<>(builder, builder.append(position, new JobGraph.FilterStep(fn)));
    }

    public <KO, VO> DataStream<KO, VO> flatMap(FlatMapFunction<K, V, KO, VO> fn) {
        return new DataStream<>(builder, builder.append(position, new JobGraph.FlatMapStep(fn)));
    }

    /**
     * Re-keys each record with {@code selector} and partitions the stream by key: all records of a
     * key reach the same subtask, by the key group of {@code keySerializer}'s bytes.
     */
    public <KO> KeyedStream<KO, V> keyBy(
            KeySelector<K, V, KO> selector, StateSerializer<KO> keySerializer) {
        return new KeyedStream<>(
                builder,
                builder.append(position, new JobGraph.KeyByStep(selector, keySerializer)),
                keySerializer);
    }

    /** Partitions the stream by the records' current keys. */
    public KeyedStream<K, V> keyBy(StateSerializer<K> keySerializer) {
        return keyBy(Record::key, keySerializer);
    }

    public void sink(String uid, Sink<K, V> sink) {
        builder.setSink(position, uid, sink);
    }
}
