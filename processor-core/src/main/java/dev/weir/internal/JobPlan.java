package dev.weir.internal;

import dev.weir.WeirException;
import dev.weir.config.CheckpointOptions;
import dev.weir.config.JobOptions;
import dev.weir.config.RestartOptions;
import dev.weir.config.WeirConfig;
import dev.weir.format.KeyGroups;
import java.util.ArrayList;
import java.util.List;

/** A job graph with its configuration read and checked once, before anything starts. */
record JobPlan(
        JobGraph graph,
        WeirConfig config,
        String jobName,
        int parallelism,
        int maxParallelism,
        long intervalMillis,
        long timeoutMillis,
        int retained,
        int tolerableFailures,
        StateCache.Limits cacheLimits,
        int channelCapacity,
        int batchSize) {

    static JobPlan of(JobGraph graph, WeirConfig config) {
        String name = config.get(JobOptions.JOB_NAME);
        if (!name.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new WeirException(
                    "invalid value '"
                            + name
                            + "' for config key 'job.name': must be 1-200 characters"
                            + " of [A-Za-z0-9._-] (it names directories, a consumer group and transactional ids)");
        }
        int p = config.get(JobOptions.PARALLELISM);
        int m = config.get(JobOptions.MAX_PARALLELISM);
        if (p > m) {
            throw new WeirException(
                    "invalid value '"
                            + p
                            + "' for config key 'parallelism': must not exceed max-parallelism="
                            + m);
        }
        KeyGroups.checkParallelism(p, m);
        long interval = config.get(CheckpointOptions.INTERVAL_MS);
        long timeout = config.get(CheckpointOptions.TIMEOUT_MS);
        config.get(CheckpointOptions.DIR);
        RestartOptions.all().forEach(config::get);
        return new JobPlan(
                graph,
                config,
                name,
                p,
                m,
                interval,
                timeout,
                config.get(CheckpointOptions.RETAINED),
                config.get(CheckpointOptions.TOLERABLE_FAILURES),
                new StateCache.Limits(
                        config.get(JobOptions.STATE_CACHE_MAX_ENTRIES),
                        config.get(JobOptions.STATE_CACHE_MAX_BYTES),
                        config.get(JobOptions.STATE_CACHE_MAX_DIRTY)),
                config.get(JobOptions.CHANNEL_CAPACITY),
                config.get(JobOptions.CHANNEL_BATCH_SIZE));
    }

    /** The steps split into stages at each keyBy; a keyBy step ends the stage it is in. */
    List<List<JobGraph.Step>> stages() {
        List<List<JobGraph.Step>> stages = new ArrayList<>();
        List<JobGraph.Step> current = new ArrayList<>();
        for (JobGraph.Step s : graph.steps()) {
            current.add(s);
            if (s instanceof JobGraph.KeyByStep) {
                stages.add(current);
                current = new ArrayList<>();
            }
        }
        stages.add(current);
        return stages;
    }
}
