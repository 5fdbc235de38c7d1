package dev.weir.spi;

import dev.weir.SubtaskInfo;
import dev.weir.config.WeirConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/** What a source subtask is told when its reader is created. */
public interface SourceContext {
    SubtaskInfo subtask();

    WeirConfig config();

    /**
     * Positions restored from the checkpoint or savepoint the job resumes from, from all source
     * subtasks of the previous run (split id to next position). Empty when the job starts fresh. A
     * reader keeps the entries of the splits it owns; the parallelism may have changed.
     */
    Map<String, Long> restoredPositions();

    InstantSource clock();

    /**
     * Where the reader reports the split of each record, so that the watermark is tracked per split
     * (for Kafka: per partition). The default counts every record as one split.
     */
    default SourceWatermarks watermarks() {
        return new SourceWatermarks() {
            @Override
            public void assigned(java.util.Collection<String> splitIds) {}

            @Override
            public Split split(String splitId) {
                return new Split() {
                    @Override
                    public <K, V> dev.weir.Record<K, V> onRecord(dev.weir.Record<K, V> record) {
                        return record;
                    }
                };
            }
        };
    }

    /**
     * The job's checkpoint committer when checkpoints commit through the sink (exactly-once), for a
     * source that writes records of its own into the checkpoint's transaction — the Kafka source's
     * dead-letter records. Empty otherwise.
     */
    default Optional<CheckpointCommitter> committer() {
        return Optional.empty();
    }

    /**
     * A counter of the job, shown with its status ({@code RunningJob.counters()}, the REST {@code
     * /job}) under {@code name}; the same name gives the same counter to every subtask and every
     * restart of the process.
     */
    default LongAdder counter(String name) {
        return new LongAdder();
    }

    /**
     * The job's meter registry (docs/operations.md, "Metrics"), for meters of the connector's own:
     * every meter registered here carries the tag {@code job}; add {@code operator} and {@code
     * subtask} from {@link #subtask}. Register at creation, read values that the owning thread
     * keeps (never a meter update per record), and remove the meters when closing: the next attempt
     * registers them again. The default registers nowhere.
     */
    default MeterRegistry meterRegistry() {
        return new CompositeMeterRegistry();
    }
}
