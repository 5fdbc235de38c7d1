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
 * can be continued once (the dataflow is a line). Uids must be unique and stable across versions of
 * the job: checkpoints and savepoints map state to operators by uid.
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
    private final List<JobGraph.Step> steps = new ArrayList<>();
    private String sinkUid;
    private Sink<?, ?> sink;
    private final Set<String> uids = new HashSet<>();
    private int tail = -1;

    JobBuilder() {}

    public <K, V> DataStream<K, V> source(String uid, Source<K, V> source) {
        if (this.source != null) {
            throw new IllegalStateException(
                    "a job has one source; '" + sourceUid + "' is already set");
        }
        claimUid(uid);
        this.sourceUid = uid;
        this.source = source;
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
        return new Job(new JobGraph(sourceUid, source, steps, sinkUid, sink));
    }
}
