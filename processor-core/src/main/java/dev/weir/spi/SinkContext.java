package dev.weir.spi;

import dev.weir.SubtaskInfo;
import dev.weir.config.WeirConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Optional;

/** What a sink subtask is told when its writer is created. */
public interface SinkContext {
    SubtaskInfo subtask();

    WeirConfig config();

    /** The committer this sink created for the current attempt, if any. */
    Optional<CheckpointCommitter> committer();

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
