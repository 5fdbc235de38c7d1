package dev.weir.window;

import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.StateSerializer;
import java.util.List;

/**
 * Windows that keep one accumulator each, inside state {@value Windows#SLOTS_STATE}: a record costs
 * one read and one write of the key's cached value state, and no timer unless it opens a window.
 */
final class AggregatingWindows<K, V, ACC, R, KO, VO> extends WindowOperator<K, V, KO, VO> {
    private final Aggregation<V, ACC, R> aggregation;
    private final StateSerializer<ACC> accSerde;
    private final ProcessWindowFunction<K, R, KO, VO> windowFn;

    AggregatingWindows(
            WindowAssigner<?> assigner,
            long lateness,
            OutputTag<K, V> lateTag,
            Aggregation<V, ACC, R> aggregation,
            StateSerializer<ACC> accSerde,
            ProcessWindowFunction<K, R, KO, VO> windowFn) {
        super(assigner, lateness, lateTag, accSerde);
        this.aggregation = aggregation;
        this.accSerde = accSerde;
        this.windowFn = windowFn;
    }

    @Override
    void addTo(WindowSlots slots, int i, V value) throws Exception {
        ACC acc = slots.accumulator(i, accSerde);
        slots.setAccumulator(i, aggregation.add(value, acc));
    }

    @Override
    void added(Record<K, V> record) {}

    @Override
    Object mergeContents(WindowSlots slots, int first, int last) throws Exception {
        ACC acc = slots.accumulator(first, accSerde);
        for (int i = first + 1; i <= last; i++) {
            acc = aggregation.merge(acc, slots.accumulator(i, accSerde));
        }
        return acc;
    }

    @Override
    void fire(K key, WindowSlots slots, boolean[] due, OnTimerContext<K, KO, VO> ctx)
            throws Exception {
        for (int i = 0; i < due.length; i++) {
            if (due[i]) {
                R result = aggregation.result(slots.accumulator(i, accSerde));
                windowFn.process(key, slots.window(i), List.of(result), ctx);
            }
        }
    }

    /** The window function of a plain aggregate: the result under the key, at maxTimestamp. */
    static <K, R> ProcessWindowFunction<K, R, K, R> emitResult() {
        return (key, window, results, out) -> {
            for (R r : results) {
                out.emit(Record.of(key, r, window.maxTimestamp()));
            }
        };
    }
}
