package dev.weir.window;

import dev.weir.DataStream;
import dev.weir.KeyedStream;
import dev.weir.OutputTag;
import dev.weir.StateSerializer;
import java.time.Duration;
import java.util.Objects;

/**
 * A keyed stream cut into event-time windows ({@code keyedStream.window(assigner)}), ended by one
 * of {@link #reduce}, {@link #aggregate} or {@link #process}, which append a keyed step under the
 * given uid. That step is a keyed process function like any ({@link Windows}): its windows are
 * keyed state and event-time timers, so they are checkpointed, rescaled and in savepoints, and
 * {@link DataStream#sideOutput} on its result gives the late data.
 *
 * <p><b>When a window fires:</b> once, when the operator's watermark reaches {@code
 * window.maxTimestamp() + allowedLateness}; its state is then cleared. Reduce and aggregate emit
 * one record per window: the key, the result, timestamp {@code window.maxTimestamp()}. Windows of a
 * subtask fire in the order of their firing times.
 *
 * <p><b>Late records:</b> a record is late when for every window it would be assigned to {@code
 * maxTimestamp() + allowedLateness <= currentWatermark} (for sessions: its own window {@code [t, t
 * + gap)}, judged before merging). It is dropped, or emitted unchanged to {@link
 * #sideOutputLateData}'s tag, and counted in {@value Windows#LATE_DROPPED_METER} or {@value
 * Windows#LATE_SIDE_OUTPUT_METER}. A record that is not late is added to each of its windows that
 * is still open.
 *
 * <p>Instances are immutable: the configuring methods return a new one. Build jobs on one thread.
 */
public final class WindowedStream<K, V> {
    private final KeyedStream<K, V> input;
    private final WindowAssigner<? super V> assigner;
    private final Duration allowedLateness;
    private final OutputTag<K, V> lateDataTag;

    private WindowedStream(
            KeyedStream<K, V> input,
            WindowAssigner<? super V> assigner,
            Duration allowedLateness,
            OutputTag<K, V> lateDataTag) {
        this.input = input;
        this.assigner = assigner;
        this.allowedLateness = allowedLateness;
        this.lateDataTag = lateDataTag;
    }

    /** What {@code input.window(assigner)} returns; use that. */
    public static <K, V> WindowedStream<K, V> of(
            KeyedStream<K, V> input, WindowAssigner<? super V> assigner) {
        return new WindowedStream<>(
                Objects.requireNonNull(input, "input"),
                Objects.requireNonNull(assigner, "window assigner"),
                Duration.ZERO,
                null);
    }

    /**
     * How long after its end a window still takes records (default 0): it fires at {@code
     * maxTimestamp() + lateness}, once.
     */
    public WindowedStream<K, V> allowedLateness(Duration lateness) {
        Windows.checked(assigner, lateness);
        return new WindowedStream<>(input, assigner, lateness, lateDataTag);
    }

    /** Late records go unchanged to {@code tag} instead of being dropped. */
    public WindowedStream<K, V> sideOutputLateData(OutputTag<K, V> tag) {
        return new WindowedStream<>(
                input, assigner, allowedLateness, Objects.requireNonNull(tag, "tag"));
    }

    /** Each window's values reduced with {@code fn}, kept with {@code serializer}. */
    public DataStream<K, V> reduce(
            String uid, ReduceFunction<V> fn, StateSerializer<V> serializer) {
        return input.process(
                uid,
                Windows.reduceFunction(assigner, allowedLateness, lateDataTag, fn, serializer));
    }

    /**
     * Each window's values aggregated with {@code fn}, its accumulator kept with {@code
     * accumulatorSerializer}.
     */
    public <ACC, R> DataStream<K, R> aggregate(
            String uid,
            AggregateFunction<V, ACC, R> fn,
            StateSerializer<ACC> accumulatorSerializer) {
        return input.process(
                uid,
                Windows.aggregateFunction(
                        assigner, allowedLateness, lateDataTag, fn, accumulatorSerializer));
    }

    /**
     * Each window's values aggregated with {@code fn}; {@code windowFn} turns the result into
     * output, knowing the key and the window.
     */
    public <ACC, R, KO, VO> DataStream<KO, VO> aggregate(
            String uid,
            AggregateFunction<V, ACC, R> fn,
            StateSerializer<ACC> accumulatorSerializer,
            ProcessWindowFunction<K, R, KO, VO> windowFn) {
        return input.process(
                uid,
                Windows.aggregateFunction(
                        assigner,
                        allowedLateness,
                        lateDataTag,
                        fn,
                        accumulatorSerializer,
                        windowFn));
    }

    /**
     * Each window's elements, all kept (with {@code elementSerializer}) until it fires, given to
     * {@code windowFn} in arrival order. Prefer an aggregation where one will do.
     */
    public <KO, VO> DataStream<KO, VO> process(
            String uid,
            ProcessWindowFunction<K, V, KO, VO> windowFn,
            StateSerializer<V> elementSerializer) {
        return input.process(
                uid,
                Windows.processFunction(
                        assigner, allowedLateness, lateDataTag, windowFn, elementSerializer));
    }
}
