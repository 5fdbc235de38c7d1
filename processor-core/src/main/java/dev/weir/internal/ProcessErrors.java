package dev.weir.internal;

import dev.weir.Origin;
import dev.weir.Record;
import dev.weir.SubtaskInfo;
import dev.weir.UnrecoverableJobException;
import dev.weir.config.JobOptions;
import dev.weir.spi.DeadLetterContext;
import dev.weir.spi.DeadLetterWriter;
import dev.weir.spi.Source;
import java.time.InstantSource;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a keyed operator subtask does with a record its process function threw on, as {@code
 * process.error.policy} says: fail the attempt, or count, log and drop it — after writing it to the
 * source's dead letters ({@link DeadLetterWriter}) under {@code dead-letter}. Only what the
 * function throws comes here; a failure of the operators after it never does. Task thread only.
 */
final class ProcessErrors implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessErrors.class);

    private final SubtaskInfo info;
    private final JobOptions.ProcessErrorPolicy policy;
    private final LongAdder counter;
    private final DeadLetterWriter deadLetters;
    private final InstantSource clock;
    private long lastLog;
    private long sinceLog;

    private ProcessErrors(
            SubtaskInfo info,
            JobOptions.ProcessErrorPolicy policy,
            LongAdder counter,
            DeadLetterWriter deadLetters,
            InstantSource clock) {
        this.info = info;
        this.policy = policy;
        this.counter = counter;
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    /**
     * As {@code process.error.policy} says for keyed operator subtask {@code info}; under {@code
     * dead-letter} with the writer the job's source creates.
     *
     * @throws UnrecoverableJobException if the source cannot write dead letters, or its writer
     *     lacks configuration
     */
    static ProcessErrors of(
            JobPlan plan,
            SubtaskInfo info,
            DeadLetterContext context,
            Function<String, LongAdder> counters,
            InstantSource clock) {
        return switch (plan.config().get(JobOptions.PROCESS_ERROR_POLICY)) {
            case FAIL -> fail(info);
            case SKIP -> skip(info, counters.apply("process.errors.skipped"), clock);
            case DEAD_LETTER -> {
                Source<?, ?> source = plan.graph().source();
                DeadLetterWriter writer =
                        source.createDeadLetterWriter(context)
                                .orElseThrow(() -> noWriter(plan.jobName(), source));
                yield deadLetter(
                        info, writer, counters.apply("process.errors.dead-lettered"), clock);
            }
        };
    }

    private static UnrecoverableJobException noWriter(String job, Source<?, ?> source) {
        String key = JobOptions.PROCESS_ERROR_POLICY.key();
        return new UnrecoverableJobException(
                "job "
                        + job
                        + ": "
                        + key
                        + "=dead-letter, but the job's source ("
                        + source.getClass().getName()
                        + ") cannot write dead letters; set "
                        + key
                        + "=skip or =fail, or read with the Kafka source");
    }

    static ProcessErrors fail(SubtaskInfo info) {
        return new ProcessErrors(info, JobOptions.ProcessErrorPolicy.FAIL, null, null, null);
    }

    /** Counted in {@code skipped} ({@code process.errors.skipped}). */
    static ProcessErrors skip(SubtaskInfo info, LongAdder skipped, InstantSource clock) {
        return new ProcessErrors(info, JobOptions.ProcessErrorPolicy.SKIP, skipped, null, clock);
    }

    /**
     * Written by {@code writer}, counted in {@code written} ({@code process.errors.dead-lettered}).
     */
    static ProcessErrors deadLetter(
            SubtaskInfo info, DeadLetterWriter writer, LongAdder written, InstantSource clock) {
        return new ProcessErrors(
                info, JobOptions.ProcessErrorPolicy.DEAD_LETTER, written, writer, clock);
    }

    /** Whether an exception of the function fails the attempt (then nothing else comes here). */
    boolean failsAttempt() {
        return policy == JobOptions.ProcessErrorPolicy.FAIL;
    }

    /**
     * The function threw {@code e} on {@code r}. Throws under {@code fail}, and under {@code
     * dead-letter} for a record that cannot be written back (an {@link UnrecoverableJobException}:
     * a restart would meet it again).
     */
    void handle(Record<?, ?> r, Exception e) {
        switch (policy) {
            case FAIL ->
                    throw e instanceof RuntimeException re
                            ? re
                            : StatelessOperators.userFailure(info, "process function", e);
            case SKIP -> log(r, e, "skipped");
            case DEAD_LETTER -> {
                Origin origin = r.origin();
                if (origin == null || !deadLetters.write(origin, e)) {
                    throw noOrigin(r, e);
                }
                log(r, e, "written to its dead letters");
            }
        }
        counter.increment();
    }

    private UnrecoverableJobException noOrigin(Record<?, ?> r, Exception e) {
        return new UnrecoverableJobException(
                info
                        + ": the process function threw on a record "
                        + (r.origin() == null
                                ? "that has no origin"
                                : "whose origin " + r.origin() + " holds no record of the source")
                        + " ("
                        + e
                        + "), so "
                        + JobOptions.PROCESS_ERROR_POLICY.key()
                        + "=dead-letter cannot write it as it was read. Records keep their origin"
                        + " from the Kafka source through withKey/withValue/with; one built anew"
                        + " (Record.of, new Record) has none. Derive it from the record it comes"
                        + " from, or set "
                        + JobOptions.PROCESS_ERROR_POLICY.key()
                        + "=skip or =fail",
                e);
    }

    /** Logs a handled record: the first at once, then at most a line per 10 s. */
    private void log(Record<?, ?> r, Exception e, String what) {
        sinceLog++;
        long now = clock.millis();
        if (lastLog == 0 || now - lastLog >= 10_000) {
            LOG.warn(
                    "{}: the process function threw on a record{}; {} ({} since the last line):"
                            + " {}",
                    info,
                    r.origin() == null ? "" : " from " + r.origin(),
                    what,
                    sinceLog,
                    e.toString());
            lastLog = now;
            sinceLog = 0;
        }
    }

    /** Barrier {@code checkpointId} reached the operator. */
    void checkpoint(long checkpointId) {
        if (deadLetters != null) {
            deadLetters.checkpoint(checkpointId);
        }
    }

    @Override
    public void close() {
        if (deadLetters != null) {
            deadLetters.close();
        }
    }
}
