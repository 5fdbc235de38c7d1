package dev.weir.spi;

import dev.weir.config.WeirConfig;
import java.time.InstantSource;

/** What a sink is told when it creates the job's {@link CheckpointCommitter}. */
public interface CommitterContext {
    String jobName();

    int parallelism();

    WeirConfig config();

    InstantSource clock();
}
