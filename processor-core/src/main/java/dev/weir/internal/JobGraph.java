package dev.weir.internal;

import dev.weir.FilterFunction;
import dev.weir.FlatMapFunction;
import dev.weir.KeySelector;
import dev.weir.KeyedProcessFunction;
import dev.weir.MapFunction;
import dev.weir.StateSerializer;
import dev.weir.spi.Sink;
import dev.weir.spi.Source;
import java.util.List;
import java.util.function.Supplier;

/**
 * The validated dataflow of a job: a source, a line of steps, a sink. Stages are split at each
 * {@code keyBy}; everything between two exchanges runs chained in one subtask thread.
 */
public record JobGraph(
        String sourceUid, Source<?, ?> source, List<Step> steps, String sinkUid, Sink<?, ?> sink) {
    public JobGraph {
        steps = List.copyOf(steps);
    }

    /** One step of the line. */
    public sealed interface Step permits MapStep, FilterStep, FlatMapStep, KeyByStep, ProcessStep {}

    public record MapStep(MapFunction<?, ?, ?, ?> fn) implements Step {}

    public record FilterStep(FilterFunction<?, ?> fn) implements Step {}

    public record FlatMapStep(FlatMapFunction<?, ?, ?, ?> fn) implements Step {}

    /**
     * Re-keys records with {@code selector} and routes them by the key group of the serialized key.
     */
    public record KeyByStep(KeySelector<?, ?, ?> selector, StateSerializer<?> keySerde)
            implements Step {}

    public record ProcessStep(
            String uid,
            Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> factory,
            StateSerializer<?> keySerde)
            implements Step {}

    /** Number of stages (one more than the number of keyBy steps). */
    public int stageCount() {
        return 1 + (int) steps.stream().filter(s -> s instanceof KeyByStep).count();
    }

    /** Every uid of the job, in dataflow order. */
    public List<String> uids() {
        java.util.ArrayList<String> uids = new java.util.ArrayList<>();
        uids.add(sourceUid);
        steps.stream()
                .filter(s -> s instanceof ProcessStep)
                .forEach(s -> uids.add(((ProcessStep) s).uid()));
        uids.add(sinkUid);
        return uids;
    }
}
