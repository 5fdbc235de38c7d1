package dev.weir;

import dev.weir.internal.JobGraph;

/**
 * A built job: a dataflow from one source through stateless and keyed operators to one sink, every
 * stateful operator, source and sink named by a stable uid. Run it with {@link Weir#start}.
 * Immutable; one job may be run several times (under different {@code job.name}s).
 */
public final class Job {
    private final JobGraph graph;

    Job(JobGraph graph) {
        this.graph = graph;
    }

    public static JobBuilder builder() {
        return new JobBuilder();
    }

    /** The dataflow, for the runtime. */
    public JobGraph graph() {
        return graph;
    }
}
