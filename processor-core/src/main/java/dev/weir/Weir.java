package dev.weir;

import dev.weir.config.WeirConfig;
import dev.weir.internal.JobRunner;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.Optional;

/** Entry point: runs a {@link Job} in this JVM. */
public final class Weir {
    private Weir() {}

    /**
     * Validates the configuration, restores the job from its latest completed checkpoint (if {@code
     * checkpoint.dir} has one for {@code job.name}) and starts it. Returns once the job runs;
     * invalid configuration fails here, naming the key.
     */
    public static RunningJob start(Job job, WeirConfig config) {
        return start(job, config, InstantSource.system());
    }

    /** As {@link #start(Job, WeirConfig)}, with the clock the job reads time from. */
    public static RunningJob start(Job job, WeirConfig config, InstantSource clock) {
        return JobRunner.start(job.graph(), config, clock, Optional.empty());
    }

    /**
     * As {@link #start(Job, WeirConfig)}, registering the job's meters in {@code registry} too —
     * the embedding application's own (a {@code PrometheusMeterRegistry}, a {@code
     * CompositeMeterRegistry}, any Micrometer registry), the way Kafka Streams' {@code
     * KafkaStreamsMetrics} binds to one. Every meter carries the tag {@code job}; they are listed
     * in docs/operations.md. They are removed from {@code registry} when the job stops or fails for
     * good; Weir never closes the registry. {@code GET /metrics} works as without it.
     */
    public static RunningJob start(Job job, WeirConfig config, MeterRegistry registry) {
        return start(job, config, InstantSource.system(), registry);
    }

    /** As {@link #start(Job, WeirConfig, MeterRegistry)}, with the clock the job reads from. */
    public static RunningJob start(
            Job job, WeirConfig config, InstantSource clock, MeterRegistry registry) {
        if (registry == null) {
            throw new IllegalArgumentException("registry must not be null");
        }
        return JobRunner.start(job.graph(), config, clock, Optional.of(registry));
    }
}
