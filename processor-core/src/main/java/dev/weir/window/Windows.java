package dev.weir.window;

import dev.weir.KeyedProcessFunction;
import dev.weir.OutputTag;
import dev.weir.StateSerializer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The keyed functions behind {@link WindowedStream}'s operations, for use with {@code
 * KeyedStream.process} or the testkit's operator harness: a job built with {@code
 * keyedStream.window(a).aggregate(uid, f, s)} runs {@code aggregateFunction(a, lateness, tag, f,
 * s)} as the keyed step {@code uid}. Each supplier gives a fresh function per subtask.
 *
 * <p>A window fires once, when the watermark reaches {@code window.maxTimestamp() +
 * allowedLateness}, and its state goes then. A record is late when every window it would be in (for
 * sessions: its own window {@code [t, t + gap)}, before merging) has {@code maxTimestamp() +
 * allowedLateness <= currentWatermark}; it is dropped, or emitted unchanged to the late-data tag,
 * and counted. Otherwise it is added to those of its windows that are still open.
 *
 * <p><b>State</b>, under these names in checkpoints, savepoints and {@code weir savepoint dump}:
 *
 * <ul>
 *   <li>{@value #SLOTS_STATE} (value, per key): the key's open windows, in start order, with their
 *       accumulators (reduce and aggregate), and the largest window timer that fired for the key,
 *       which closes the windows at or below it after a restore while the watermark catches up;
 *       schema {@code weir.window.slots/2[<accumulator schema>]}, or {@code …[none]} for {@code
 *       process}; kept while the key is;
 *   <li>{@value #ELEMENTS_STATE} (list, per key; {@code process} only): each record taken, once, as
 *       timestamp and value; schema {@code weir.window.element/1[<value schema>]};
 *   <li>one event-time timer per open window, at its firing time.
 * </ul>
 *
 * <p><b>Meters</b>, tagged {@code operator} (the uid) and {@code subtask}: counters {@value
 * #LATE_DROPPED_METER} and {@value #LATE_SIDE_OUTPUT_METER} (in Prometheus {@code
 * weir_window_late_records_dropped_total} and {@code weir_window_late_records_side_output_total}).
 */
public final class Windows {
    /** The value state of a key's open windows. */
    public static final String SLOTS_STATE = "window.slots";

    /** The list state of the elements kept for {@code process} windows. */
    public static final String ELEMENTS_STATE = "window.elements";

    public static final String LATE_DROPPED_METER = "weir.window.late.records.dropped";
    public static final String LATE_SIDE_OUTPUT_METER = "weir.window.late.records.side-output";

    private Windows() {}

    /**
     * Windows reduced with {@code fn}; each emits its key, the reduced value and {@code
     * maxTimestamp()}.
     *
     * @param lateDataTag where late records go; null drops them
     */
    public static <K, V> Supplier<KeyedProcessFunction<K, V, K, V>> reduceFunction(
            WindowAssigner<? super V> assigner,
            Duration allowedLateness,
            OutputTag<K, V> lateDataTag,
            ReduceFunction<V> fn,
            StateSerializer<V> serializer) {
        long lateness = checked(assigner, allowedLateness);
        Objects.requireNonNull(fn, "reduce function");
        Objects.requireNonNull(serializer, "serializer");
        return () ->
                new AggregatingWindows<>(
                        assigner,
                        lateness,
                        lateDataTag,
                        Aggregation.of(fn),
                        serializer,
                        AggregatingWindows.emitResult());
    }

    /**
     * Windows aggregated with {@code fn}; each emits its key, {@code getResult} and {@code
     * maxTimestamp()}.
     *
     * @param lateDataTag where late records go; null drops them
     */
    public static <K, V, ACC, R> Supplier<KeyedProcessFunction<K, V, K, R>> aggregateFunction(
            WindowAssigner<? super V> assigner,
            Duration allowedLateness,
            OutputTag<K, V> lateDataTag,
            AggregateFunction<V, ACC, R> fn,
            StateSerializer<ACC> accumulatorSerializer) {
        return aggregateFunction(
                assigner,
                allowedLateness,
                lateDataTag,
                fn,
                accumulatorSerializer,
                AggregatingWindows.emitResult());
    }

    /**
     * Windows aggregated with {@code fn}, whose result {@code windowFn} turns into output (given as
     * its one element).
     *
     * @param lateDataTag where late records go; null drops them
     */
    public static <K, V, ACC, R, KO, VO>
            Supplier<KeyedProcessFunction<K, V, KO, VO>> aggregateFunction(
                    WindowAssigner<? super V> assigner,
                    Duration allowedLateness,
                    OutputTag<K, V> lateDataTag,
                    AggregateFunction<V, ACC, R> fn,
                    StateSerializer<ACC> accumulatorSerializer,
                    ProcessWindowFunction<K, R, KO, VO> windowFn) {
        long lateness = checked(assigner, allowedLateness);
        Objects.requireNonNull(fn, "aggregate function");
        Objects.requireNonNull(accumulatorSerializer, "accumulator serializer");
        Objects.requireNonNull(windowFn, "window function");
        return () ->
                new AggregatingWindows<>(
                        assigner,
                        lateness,
                        lateDataTag,
                        Aggregation.of(fn),
                        accumulatorSerializer,
                        windowFn);
    }

    /**
     * Windows that keep all their elements (in arrival order) for {@code windowFn}; more state and
     * slower than an aggregation, for what needs every element.
     *
     * @param lateDataTag where late records go; null drops them
     */
    public static <K, V, KO, VO> Supplier<KeyedProcessFunction<K, V, KO, VO>> processFunction(
            WindowAssigner<? super V> assigner,
            Duration allowedLateness,
            OutputTag<K, V> lateDataTag,
            ProcessWindowFunction<K, V, KO, VO> windowFn,
            StateSerializer<V> elementSerializer) {
        long lateness = checked(assigner, allowedLateness);
        Objects.requireNonNull(windowFn, "window function");
        Objects.requireNonNull(elementSerializer, "element serializer");
        return () ->
                new BufferingWindows<>(
                        assigner, lateness, lateDataTag, windowFn, elementSerializer);
    }

    static long checked(WindowAssigner<?> assigner, Duration allowedLateness) {
        Objects.requireNonNull(assigner, "window assigner");
        long ms = allowedLateness.toMillis();
        if (ms < 0) {
            throw new IllegalArgumentException(
                    "allowed lateness must not be negative, got " + allowedLateness);
        }
        return ms;
    }
}
