package dev.weir.internal;

import dev.weir.SubtaskInfo;
import dev.weir.config.WeirConfig;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CommitterContext;
import dev.weir.spi.DeadLetterContext;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceWatermarks;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/** The contexts handed to connectors and functions. */
final class Contexts {
    private Contexts() {}

    record Open(
            dev.weir.state.KeyedStateStore state, SubtaskInfo subtask, MeterRegistry meterRegistry)
            implements dev.weir.KeyedProcessFunction.OpenContext {}

    record Source(
            SubtaskInfo subtask,
            WeirConfig config,
            Map<String, Long> restoredPositions,
            InstantSource clock,
            Optional<CheckpointCommitter> committer,
            Map<String, LongAdder> counters,
            MeterRegistry meterRegistry,
            SourceWatermarks watermarks)
            implements SourceContext {
        @Override
        public LongAdder counter(String name) {
            return counters.computeIfAbsent(name, n -> new LongAdder());
        }
    }

    record Sink(
            SubtaskInfo subtask,
            WeirConfig config,
            Optional<CheckpointCommitter> committer,
            MeterRegistry meterRegistry)
            implements SinkContext {}

    record DeadLetter(
            SubtaskInfo subtask, WeirConfig config, Optional<CheckpointCommitter> committer)
            implements DeadLetterContext {}

    record Committer(
            String jobName,
            int parallelism,
            WeirConfig config,
            InstantSource clock,
            MeterRegistry meterRegistry)
            implements CommitterContext {}
}
