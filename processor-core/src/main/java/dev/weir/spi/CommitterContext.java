package dev.weir.spi;

import dev.weir.config.WeirConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.InstantSource;

/** What a sink is told when it creates the job's {@link CheckpointCommitter}. */
public interface CommitterContext {
    String jobName();

    int parallelism();

    WeirConfig config();

    InstantSource clock();

    /**
     * The job's meter registry (docs/operations.md, "Metrics"), for meters of the connector's own:
     * every meter registered here carries the tag {@code job}. Register at creation, read values
     * that the owning thread keeps (never a meter update per record), and remove the meters when
     * closing: the next attempt registers them again. The default registers nowhere.
     */
    default MeterRegistry meterRegistry() {
        return new CompositeMeterRegistry();
    }
}
