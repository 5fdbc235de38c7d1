package dev.weir;

import dev.weir.config.WeirConfig;
import dev.weir.internal.JobRunner;
import java.time.InstantSource;

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
        return JobRunner.start(job.graph(), config, clock);
    }
}
