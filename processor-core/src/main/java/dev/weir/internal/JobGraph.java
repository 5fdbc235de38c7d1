package dev.weir.internal;

import dev.weir.FilterFunction;
import dev.weir.FlatMapFunction;
import dev.weir.KeySelector;
import dev.weir.KeyedProcessFunction;
import dev.weir.MapFunction;
import dev.weir.OutputTag;
import dev.weir.StateSerializer;
import dev.weir.WatermarkStrategy;
import dev.weir.spi.Sink;
import dev.weir.spi.Source;
import java.util.List;
import java.util.function.Supplier;

/**
 * The validated dataflow of a job: a source with its watermark strategy, a line of steps, a sink,
 * and side outputs of keyed steps, each a short line of stateless steps to a sink of its own.
 * Stages are split at each {@code keyBy}; everything between two exchanges runs chained in one
 * subtask thread, side outputs in the thread of the keyed step they leave.
 */
public record JobGraph(
        String sourceUid,
        Source<?, ?> source,
        WatermarkStrategy<?, ?> watermarks,
        List<Step> steps,
        String sinkUid,
        Sink<?, ?> sink,
        List<SideOutput> sideOutputs) {
    public JobGraph {
        steps = List.copyOf(steps);
        sideOutputs = List.copyOf(sideOutputs);
    }

    /**
     * The records keyed step {@code steps().get(processStep)} emits to {@code tag}, through {@code
     * steps} (map, filter, flatMap only) into {@code sink}.
     */
    public record SideOutput(
            int processStep,
            OutputTag<?, ?> tag,
            List<Step> steps,
            String sinkUid,
            Sink<?, ?> sink) {
        public SideOutput {
            steps = List.copyOf(steps);
        }
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
                .filter(st -> st instanceof ProcessStep)
                .forEach(st -> uids.add(((ProcessStep) st).uid()));
        uids.add(sinkUid);
        sideOutputs.forEach(o -> uids.add(o.sinkUid()));
        return uids;
    }
}
