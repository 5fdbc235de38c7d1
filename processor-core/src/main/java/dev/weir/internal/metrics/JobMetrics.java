package dev.weir.internal.metrics;

import dev.weir.CheckpointStats;
import dev.weir.JobStatus;
import dev.weir.RunningJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one job (docs/operations.md, "Metrics"). Everything registers in {@link
 * #registry()}: a composite of the job's own Prometheus registry, which {@code GET /metrics}
 * scrapes, and the registry an embedding application passed to {@code Weir.start}, if any. Every
 * meter carries the tag {@code job}.
 *
 * <p>Per-record counts are never meters: task threads keep them in {@link OwnedCounter}s ({@link
 * SubtaskMetrics}, the state cache) and function counters and gauges read them when scraped. Only
 * per-checkpoint events record into timers and summaries. Meters of the subtasks and of the state
 * stay registered across restarts (the counts go on); connectors register their own meters per
 * attempt and remove them when they close. {@link #close} removes every meter of the job, also from
 * the application's registry.
 */
public final class JobMetrics implements AutoCloseable {
    /** Prometheus text exposition format 0.0.4. */
    public static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    /** OpenMetrics text format, when the scraper accepts it. */
    public static final String OPENMETRICS_FORMAT =
            "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** RocksDB properties exposed per keyed subtask, with their meter names and base units. */
    public static final Map<String, String[]> ROCKSDB_PROPERTIES = rocksDbProperties();

    /** Bucket bounds of the checkpoint timers: seconds to minutes. */
    private static final Duration[] CHECKPOINT_SLOS = {
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60),
        Duration.ofSeconds(300)
    };

    private final PrometheusMeterRegistry prometheus =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final Map<String, SubtaskMetrics> subtasks = new ConcurrentHashMap<>();
    private final Map<String, StateSlot> states = new ConcurrentHashMap<>();
    private final Set<String> boundCounters = ConcurrentHashMap.newKeySet();
    private final Timer duration;
    private final Timer alignment;
    private final Timer syncPause;
    private final Timer commit;
    private final DistributionSummary size;
    private final Counter completed;
    private final Counter failed;
    private final AtomicLong lastCompletedId = new AtomicLong(-1);

    public JobMetrics(String job, Optional<MeterRegistry> application) {
        registry.config().commonTags("job", job);
        registry.add(prometheus);
        application.ifPresent(registry::add);
        duration =
                checkpointTimer(
                        "weir.checkpoint.duration", "from trigger to completed (and committed)");
        alignment =
                checkpointTimer(
                        "weir.checkpoint.alignment",
                        "longest time any subtask held input channels for barrier alignment");
        syncPause =
                checkpointTimer(
                        "weir.checkpoint.sync.pause",
                        "longest synchronous pause of any subtask at the barrier");
        commit =
                checkpointTimer(
                        "weir.checkpoint.commit",
                        "commit of the checkpoint in the external system (the Kafka transaction)");
        size =
                DistributionSummary.builder("weir.checkpoint.size")
                        .description("bytes a completed checkpoint added to storage")
                        .baseUnit("bytes")
                        .serviceLevelObjectives(1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10)
                        .register(registry);
        completed =
                Counter.builder("weir.checkpoints.completed")
                        .description("checkpoints completed")
                        .register(registry);
        failed =
                Counter.builder("weir.checkpoints.failed")
                        .description("checkpoints that failed or timed out")
                        .register(registry);
        Gauge.builder("weir.checkpoint.last.completed.id", lastCompletedId, AtomicLong::get)
                .description("id of the last completed checkpoint; -1: none yet")
                .register(registry);
    }

    private static Map<String, String[]> rocksDbProperties() {
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put(
                "rocksdb.total-sst-files-size",
                new String[] {"weir.state.rocksdb.sst.files", "bytes"});
        m.put(
                "rocksdb.estimate-live-data-size",
                new String[] {"weir.state.rocksdb.live.data", "bytes"});
        m.put(
                "rocksdb.cur-size-all-mem-tables",
                new String[] {"weir.state.rocksdb.memtables", "bytes"});
        m.put(
                "rocksdb.estimate-num-keys",
                new String[] {"weir.state.rocksdb.estimated.keys", null});
        return Map.copyOf(m);
    }

    private Timer checkpointTimer(String name, String description) {
        return Timer.builder(name)
                .description(description)
                .serviceLevelObjectives(CHECKPOINT_SLOS)
                .register(registry);
    }

    /**
     * Where the job's meters are registered. Connectors register theirs here too, and remove them
     * when they close.
     */
    public MeterRegistry registry() {
        return registry;
    }

    /** A scrape of the job's Prometheus registry, in the format {@code accept} prefers. */
    public record Scrape(String contentType, String body) {}

    public Scrape scrape(String accept) {
        String type =
                accept != null && accept.contains("application/openmetrics-text")
                        ? OPENMETRICS_FORMAT
                        : TEXT_FORMAT;
        return new Scrape(type, prometheus.scrape(type));
    }

    /** The meters of the job as a whole: status, restarts, records read and written. */
    public void bindJob(RunningJob job) {
        FunctionCounter.builder("weir.job.restarts", job, RunningJob::restarts)
                .description("restarts after failures")
                .register(registry);
        FunctionCounter.builder("weir.job.records.in", job, RunningJob::recordsIn)
                .description("records read by all sources (replays count again)")
                .register(registry);
        FunctionCounter.builder("weir.job.records.out", job, RunningJob::recordsOut)
                .description("records handed to all sinks")
                .register(registry);
        for (JobStatus s : JobStatus.values()) {
            Gauge.builder("weir.job.status", job, j -> j.status() == s ? 1 : 0)
                    .description("1 for the job's current status, 0 for the others")
                    .tag("status", s.name())
                    .register(registry);
        }
    }

    /**
     * Registers a function counter for each counter of the job not bound yet — the connectors' and
     * operators' counters ({@code RunningJob.counters()}), e.g. {@code
     * source.deserialization-errors.skipped} as {@code
     * weir_source_deserialization_errors_skipped_total}.
     */
    public void bindCounters(Map<String, LongAdder> counters) {
        counters.forEach(
                (name, adder) -> {
                    if (boundCounters.add(name)) {
                        FunctionCounter.builder("weir." + name, adder, LongAdder::sum)
                                .description("job counter " + name)
                                .register(registry);
                    }
                });
    }

    /** Records a checkpoint that completed or failed. */
    public void checkpoint(CheckpointStats s) {
        if (s.status() == CheckpointStats.Status.FAILED) {
            failed.increment();
            return;
        }
        completed.increment();
        lastCompletedId.accumulateAndGet(s.id(), Math::max);
        duration.record(s.durationMillis(), TimeUnit.MILLISECONDS);
        alignment.record(s.alignmentMillis(), TimeUnit.MILLISECONDS);
        syncPause.record(s.syncMillis(), TimeUnit.MILLISECONDS);
        commit.record(s.commitMillis(), TimeUnit.MILLISECONDS);
        size.record(s.sizeBytes());
    }

    /**
     * The counts of subtask {@code subtask} of the stage whose first operator is {@code stage}; the
     * same object for every attempt. Registers its meters on first use.
     *
     * @param operators the operators of its chain, in order ({@code records_out} of one is {@code
     *     records_in} of the next; of the last, its {@code records_in})
     * @param source the source's uid when the stage starts at a source, or null
     * @param lastHasOutput whether the last operator passes its records on (a keyBy) rather than
     *     writing them out (a sink)
     */
    public SubtaskMetrics subtask(
            String stage,
            int subtask,
            List<String> operators,
            String source,
            boolean lastHasOutput) {
        return subtasks.computeIfAbsent(
                stage + "/" + subtask,
                k -> register(subtask, new SubtaskMetrics(operators), source, lastHasOutput));
    }

    private SubtaskMetrics register(
            int subtask, SubtaskMetrics m, String source, boolean lastHasOutput) {
        String sub = String.valueOf(subtask);
        List<String> ops = m.operators();
        if (source != null) {
            recordsCounter(
                    "weir.operator.records.out",
                    source,
                    sub,
                    m.sourceRecordsOut(),
                    OwnedCounter::get);
        }
        for (int i = 0; i < ops.size(); i++) {
            int at = i;
            recordsCounter(
                    "weir.operator.records.in", ops.get(i), sub, m.recordsIn(i), OwnedCounter::get);
            if (i + 1 < ops.size() || lastHasOutput) {
                recordsCounter(
                        "weir.operator.records.out", ops.get(i), sub, m, s -> s.recordsOut(at));
            }
        }
        String task = source != null ? source : ops.get(0);
        Tags tags = Tags.of("operator", task, "subtask", sub);
        FunctionCounter.builder("weir.subtask.busy", m, SubtaskMetrics::busySeconds)
                .description("time the subtask's thread worked: ran minus idle minus backpressured")
                .baseUnit("seconds")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("weir.subtask.idle", m, SubtaskMetrics::idleSeconds)
                .description("time the subtask's thread waited for input")
                .baseUnit("seconds")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder(
                        "weir.subtask.backpressured", m, SubtaskMetrics::backpressuredSeconds)
                .description(
                        "time the subtask's thread waited for room in a full channel downstream")
                .baseUnit("seconds")
                .tags(tags)
                .register(registry);
        return m;
    }

    /**
     * A meter holds its {@code counts} weakly (Micrometer's function meters do): they must be
     * objects that {@link #subtasks} holds — the counter, the subtask — never a lambda or method
     * reference made here, which the next GC collects and the meter then reads as its last value.
     */
    private <T> void recordsCounter(
            String name,
            String operator,
            String subtask,
            T counts,
            java.util.function.ToLongFunction<T> count) {
        FunctionCounter.builder(name, counts, c -> (double) count.applyAsLong(c))
                .description(
                        name.endsWith(".in")
                                ? "records handed to the operator"
                                : "records the operator passed on")
                .tags("operator", operator, "subtask", subtask)
                .register(registry);
    }

    /**
     * Points the state meters of keyed operator {@code uid}, subtask {@code subtask} at the backend
     * of a new attempt; the cache counts go on from where the previous backend left them.
     */
    public void state(String uid, int subtask, StateStats backend) {
        states.computeIfAbsent(uid + "/" + subtask, k -> registerState(uid, subtask))
                .attach(backend);
    }

    private StateSlot registerState(String uid, int subtask) {
        StateSlot slot = new StateSlot();
        Tags tags = Tags.of("operator", uid, "subtask", String.valueOf(subtask));
        FunctionCounter.builder("weir.state.cache.lookups", slot, StateSlot::lookups)
                .description("reads of keyed state through the write-back cache")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("weir.state.cache.misses", slot, StateSlot::misses)
                .description("reads the cache did not hold, read from RocksDB")
                .tags(tags)
                .register(registry);
        Gauge.builder("weir.state.cache.hit.ratio", slot, StateSlot::hitRatio)
                .description("cache hits over lookups since the process started; NaN before any")
                .tags(tags)
                .register(registry);
        ROCKSDB_PROPERTIES.forEach(
                (property, meter) -> {
                    Gauge.Builder<StateSlot> b =
                            Gauge.builder(meter[0], slot, s -> s.property(property))
                                    .description(
                                            "RocksDB property "
                                                    + property
                                                    + " over the subtask's column families, as of"
                                                    + " its last snapshot")
                                    .tags(tags);
                    if (meter[1] != null) {
                        b.baseUnit(meter[1]);
                    }
                    b.register(registry);
                });
        return slot;
    }

    /**
     * Points the event-time meters of operator {@code uid}, subtask {@code subtask} at the subtask
     * of a new attempt: input and output watermark (NaN before the first) and pending timers.
     */
    public void eventTime(String uid, int subtask, EventTimeStats stats, boolean timers) {
        eventTimes.computeIfAbsent(
                                uid + "/" + subtask, k -> registerEventTime(uid, subtask, timers))
                        .current =
                stats;
    }

    private final Map<String, EventTimeSlot> eventTimes =
            new java.util.concurrent.ConcurrentHashMap<>();

    private EventTimeSlot registerEventTime(String uid, int subtask, boolean timers) {
        EventTimeSlot slot = new EventTimeSlot();
        Tags tags = Tags.of("operator", uid, "subtask", String.valueOf(subtask));
        Gauge.builder(
                        "weir.watermark.input",
                        slot,
                        s -> s.watermark(EventTimeStats::inputWatermark))
                .description("the watermark the subtask's input reached, epoch millis")
                .baseUnit("milliseconds")
                .tags(tags)
                .register(registry);
        Gauge.builder(
                        "weir.watermark.output",
                        slot,
                        s -> s.watermark(EventTimeStats::outputWatermark))
                .description("the watermark the subtask passed on, epoch millis")
                .baseUnit("milliseconds")
                .tags(tags)
                .register(registry);
        if (timers) {
            Gauge.builder(
                            "weir.timers.pending",
                            slot,
                            s -> s.count(EventTimeStats::eventTimeTimers))
                    .description("timers registered and not yet fired or deleted")
                    .tags(tags.and("domain", "event-time"))
                    .register(registry);
            Gauge.builder(
                            "weir.timers.pending",
                            slot,
                            s -> s.count(EventTimeStats::processingTimeTimers))
                    .description("timers registered and not yet fired or deleted")
                    .tags(tags.and("domain", "processing-time"))
                    .register(registry);
        }
        return slot;
    }

    /** The event-time figures of the current attempt's subtask. */
    private static final class EventTimeSlot {
        volatile EventTimeStats current;

        double watermark(java.util.function.ToLongFunction<EventTimeStats> f) {
            EventTimeStats s = current;
            long v = s == null ? Long.MIN_VALUE : f.applyAsLong(s);
            return v == Long.MIN_VALUE ? Double.NaN : v;
        }

        double count(java.util.function.ToLongFunction<EventTimeStats> f) {
            EventTimeStats s = current;
            return s == null ? 0 : f.applyAsLong(s);
        }
    }

    /** The state backend of the current attempt, and the cache counts of the earlier ones. */
    private static final class StateSlot {
        private volatile StateStats current;
        private volatile long pastLookups;
        private volatile long pastMisses;

        synchronized void attach(StateStats backend) {
            StateStats old = current;
            if (old != null) {
                // The old attempt's task threads have ended: its counts are final.
                pastLookups += old.cacheLookups();
                pastMisses += old.cacheMisses();
            }
            current = backend;
        }

        synchronized double lookups() {
            StateStats s = current;
            return pastLookups + (s == null ? 0 : s.cacheLookups());
        }

        synchronized double misses() {
            StateStats s = current;
            return pastMisses + (s == null ? 0 : s.cacheMisses());
        }

        double hitRatio() {
            double lookups = lookups();
            return lookups == 0 ? Double.NaN : (lookups - misses()) / lookups;
        }

        double property(String name) {
            StateStats s = current;
            long v = s == null ? -1 : s.property(name);
            return v < 0 ? Double.NaN : v;
        }
    }

    /** Removes every meter of the job, also from the application's registry. */
    @Override
    public void close() {
        for (Meter m : List.copyOf(registry.getMeters())) {
            registry.remove(m);
        }
        registry.remove(prometheus);
        prometheus.close();
    }
}
