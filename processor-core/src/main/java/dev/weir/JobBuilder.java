package dev.weir;

import dev.weir.internal.JobGraph;
import dev.weir.spi.Sink;
import dev.weir.spi.Source;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a {@link Job}: {@code source → map/filter/flatMap → keyBy → process → … → sink}. A stream
 * can be continued once (the dataflow is a line); a keyed step's side outputs ({@link
 * DataStream#sideOutput}) each continue to a sink of their own. Uids must be unique and stable
 * across versions of the job: checkpoints and savepoints map state to operators by uid.
 *
 * <pre>{@code
 * JobBuilder b = Job.builder();
 * b.source("orders", KafkaSource.strings("orders"))
 *         .keyBy(Serdes.string())
 *         .process("totals", TotalsFunction::new)
 *         .sink("out", KafkaSink.strings("totals"));
 * Job job = b.build();
 * }</pre>
 */
public final class JobBuilder {
    private String sourceUid;
    private Source<?, ?> source;
    private WatermarkStrategy<?, ?> watermarks = WatermarkStrategy.noWatermarks();
    private final List<JobGraph.Step> steps = new ArrayList<>();
    private String sinkUid;
    private Sink<?, ?> sink;
    private final Set<String> uids = new HashSet<>();
    private int tail = -1;
    private final List<Branch> branches = new ArrayList<>();

    JobBuilder() {}

    /** The job's source, without watermarks: event-time timers and windows never fire. */
    public <K, V> DataStream<K, V> source(String uid, Source<K, V> source) {
        return source(uid, source, WatermarkStrategy.noWatermarks());
    }

    /**
     * The job's source, giving records event time and emitting watermarks as {@code watermarks}
     * says.
     */
    public <K, V> DataStream<K, V> source(
            String uid, Source<K, V> source, WatermarkStrategy<K, V> watermarks) {
        if (watermarks == null) {
            throw new IllegalArgumentException("the watermark strategy must not be null");
        }
        if (this.source != null) {
            throw new IllegalStateException(
                    "a job has one source; '" + sourceUid + "' is already set");
        }
        claimUid(uid);
        this.sourceUid = uid;
        this.source = source;
        this.watermarks = watermarks;
        return new DataStream<>(this, 0);
    }

    void claimUid(String uid) {
        if (uid == null || uid.isBlank()) {
            throw new IllegalArgumentException(
                    "every source, sink and stateful operator needs a non-blank uid");
        }
        if (!uid.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException(
                    "uid must be 1-100 characters of [A-Za-z0-9._-], got '" + uid + "'");
        }
        if (!uids.add(uid)) {
            throw new IllegalArgumentException(
                    "uid '" + uid + "' is used twice; uids must be unique within a job");
        }
    }

    /** Appends a step after the stream at {@code position}; returns the new tail position. */
    int append(int position, JobGraph.Step step) {
        checkTail(position);
        steps.add(step);
        tail = steps.size();
        return tail;
    }

    void setSink(int position, String uid, Sink<?, ?> sink) {
        checkTail(position);
        if (this.sink != null) {
            throw new IllegalStateException("a job has one sink; '" + sinkUid + "' is already set");
        }
        claimUid(uid);
        this.sinkUid = uid;
        this.sink = sink;
        tail = Integer.MAX_VALUE;
    }

    /** A side output of the keyed step before {@code position}, as a new branch. */
    Branch sideOutput(int position, OutputTag<?, ?> tag) {
        if (tag == null) {
            throw new IllegalArgumentException("the output tag must not be null");
        }
        if (position < 1
                || position > steps.size()
                || !(steps.get(position - 1) instanceof JobGraph.ProcessStep)) {
            throw new IllegalStateException(
                    "sideOutput("
                            + tag.id()
                            + ") needs the stream of a keyed step (process or window)");
        }
        for (Branch b : branches) {
            if (b.processStep == position - 1 && b.tag.equals(tag)) {
                throw new IllegalStateException(
                        "side output '" + tag.id() + "' of this step is taken already");
            }
        }
        Branch b = new Branch(position - 1, tag);
        branches.add(b);
        return b;
    }

    /** A side output being built: stateless steps, then its sink. */
    static final class Branch {
        final int processStep;
        final OutputTag<?, ?> tag;
        final List<JobGraph.Step> steps = new ArrayList<>();
        String sinkUid;
        Sink<?, ?> sink;

        Branch(int processStep, OutputTag<?, ?> tag) {
            this.processStep = processStep;
            this.tag = tag;
        }

        /** Appends a stateless step after the stream at {@code position} of this branch. */
        int append(int position, JobGraph.Step step) {
            checkTail(position);
            if (!(step instanceof JobGraph.MapStep
                    || step instanceof JobGraph.FilterStep
                    || step instanceof JobGraph.FlatMapStep)) {
                throw new IllegalStateException(
                        "side output '"
                                + tag.id()
                                + "' can be mapped, filtered and sent to a sink; keyBy and keyed"
                                + " steps after a side output are not supported");
            }
            steps.add(step);
            return steps.size();
        }

        void checkTail(int position) {
            if (sink != null || position != steps.size()) {
                throw new IllegalStateException(
                        "a stream can be continued only once: side output '"
                                + tag.id()
                                + "' is a line too");
            }
        }
    }

    void setSink(Branch branch, int position, String uid, Sink<?, ?> sink) {
        branch.checkTail(position);
        claimUid(uid);
        branch.sinkUid = uid;
        branch.sink = sink;
    }

    void checkTail(int position) {
        int current = tail < 0 ? 0 : tail;
        if (position != current) {
            throw new IllegalStateException(
                    "a stream can be continued only once: this job's dataflow is a line (fan-out is not supported)");
        }
    }

    /** Fails if the job has no source, no sink, or a stateful step without uid. */
    public Job build() {
        if (source == null) {
            throw new IllegalStateException("the job has no source");
        }
        if (sink == null) {
            throw new IllegalStateException(
                    "the job has no sink: end the dataflow with sink(uid, sink)");
        }
        List<JobGraph.SideOutput> sideOutputs = new ArrayList<>();
        for (Branch b : branches) {
            if (b.sink == null) {
                throw new IllegalStateException(
                        "side output '"
                                + b.tag.id()
                                + "' has no sink: end it with sink(uid, sink)");
            }
            sideOutputs.add(
                    new JobGraph.SideOutput(b.processStep, b.tag, b.steps, b.sinkUid, b.sink));
        }
        return new Job(
                new JobGraph(sourceUid, source, watermarks, steps, sinkUid, sink, sideOutputs));
    }
}
