package dev.weir;

import dev.weir.internal.JobGraph;
import dev.weir.internal.StateDeclarations;
import dev.weir.state.StateDescriptor;
import java.util.ArrayList;
import java.util.List;

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

    /** What a job's operator is, for tools that plan an upgrade without running the job. */
    public record Operator(String uid, Role role, List<StateDescriptor> states) {
        public Operator {
            states = List.copyOf(states);
        }
    }

    /** An operator's place in the dataflow. */
    public enum Role {
        SOURCE,
        KEYED,
        SINK
    }

    /**
     * The job's operators in dataflow order, with the states each keyed operator declares: each
     * process function is instantiated and opened against a store that only records declarations
     * (its state refuses to be used), then closed. Functions should declare their state in {@code
     * open} and do nothing else there that needs the job to run.
     */
    public List<Operator> describe() {
        List<Operator> ops = new ArrayList<>();
        ops.add(new Operator(graph.sourceUid(), Role.SOURCE, List.of()));
        for (JobGraph.Step step : graph.steps()) {
            if (step instanceof JobGraph.ProcessStep ps) {
                ops.add(
                        new Operator(
                                ps.uid(),
                                Role.KEYED,
                                StateDeclarations.of("describe", ps.uid(), ps.factory())));
            }
        }
        ops.add(new Operator(graph.sinkUid(), Role.SINK, List.of()));
        return ops;
    }

    /** The dataflow, for the runtime. */
    public JobGraph graph() {
        return graph;
    }
}
