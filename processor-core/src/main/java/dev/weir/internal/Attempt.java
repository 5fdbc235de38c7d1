package dev.weir.internal;

import dev.weir.CheckpointStats;
import dev.weir.SubtaskInfo;
import dev.weir.config.SavepointOptions;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.CheckpointPaths;
import dev.weir.format.KeyGroups;
import dev.weir.format.StateInfo;
import dev.weir.internal.metrics.JobMetrics;
import dev.weir.internal.metrics.SubtaskMetrics;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.SourceReader;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of a job: every subtask restored from the same checkpoint, wired by channels, plus
 * the checkpoint coordinator. A failure anywhere ends the whole attempt; the runner then starts a
 * new one.
 */
final class Attempt implements Task.TaskListener {
    private Map<String, LongAdder> counters = Map.of();
    private JobMetrics metrics;

    private static final Logger LOG = LoggerFactory.getLogger(Attempt.class);

    private final int number;
    private final Path localDir;
    private final BiConsumer<Integer, Throwable> onFailure;
    private final List<Task> tasks = new ArrayList<>();
    private final List<SourceTask> sources = new ArrayList<>();
    private final List<AutoCloseable> unstarted = new ArrayList<>();
    private final ExecutorService uploads;
    private CheckpointCoordinator coordinator;
    private final Runnable stopJob;
    private final Map<Long, CheckpointStorage> savepointTargets = new ConcurrentHashMap<>();
    private Optional<Long> restoredCheckpointId = Optional.empty();
    private Optional<CheckpointCommitter> committer = Optional.empty();

    /**
     * This attempt's name in checkpoint storage and in the commit record: a paused process and the
     * successor that took the job over never write or delete each other's files.
     */
    private final String incarnation = UUID.randomUUID().toString().substring(0, 8);

    private Attempt(
            int number, Path localDir, BiConsumer<Integer, Throwable> onFailure, Runnable stopJob) {
        this.stopJob = stopJob;
        this.number = number;
        this.localDir = localDir;
        this.onFailure = onFailure;
        AtomicInteger n = new AtomicInteger();
        this.uploads =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "weir-upload-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
    }

    static Attempt start(
            JobPlan plan,
            int number,
            CheckpointStorage storage,
            Path localDir,
            InstantSource clock,
            CheckpointHistory history,
            LongAdder recordsIn,
            LongAdder recordsOut,
            Map<String, LongAdder> counters,
            JobMetrics metrics,
            Runnable stopJob,
            BiConsumer<Integer, Throwable> onFailure) {
        Attempt a = new Attempt(number, localDir, onFailure, stopJob);
        try {
            a.build(plan, storage, clock, history, recordsIn, recordsOut, counters, metrics);
        } catch (RuntimeException e) {
            a.closeUnstarted();
            a.uploads.shutdownNow();
            LocalCheckpointStorage.deleteTree(localDir);
            throw e;
        }
        return a;
    }

    private void build(
            JobPlan plan,
            CheckpointStorage storage,
            InstantSource clock,
            CheckpointHistory history,
            LongAdder recordsIn,
            LongAdder recordsOut,
            Map<String, LongAdder> counters,
            JobMetrics metrics) {
        this.counters = counters;
        this.metrics = metrics;
        MeterRegistry registry = metrics.registry();
        JobGraph g = plan.graph();
        int p = plan.parallelism();
        int m = plan.maxParallelism();
        Map<String, Integer> keyedParallelism = new HashMap<>();
        g.steps().stream()
                .filter(s -> s instanceof JobGraph.ProcessStep)
                .forEach(s -> keyedParallelism.put(((JobGraph.ProcessStep) s).uid(), p));
        committer =
                g.sink()
                        .createCommitter(
                                new Contexts.Committer(
                                        plan.jobName(), p, plan.config(), clock, registry));
        committer.ifPresent(unstarted::add);
        CheckpointRestorer.Rules rules =
                new CheckpointRestorer.Rules(
                        plan.jobName(),
                        m,
                        keyedParallelism,
                        new HashSet<>(g.uids()),
                        plan.config().get(SavepointOptions.ALLOW_NON_RESTORED_STATE)
                                == SavepointOptions.Flag.TRUE,
                        plan.config().get(dev.weir.config.CheckpointOptions.ALLOW_EMPTY_START)
                                == SavepointOptions.Flag.TRUE);
        // Exactly-once: the external system says which checkpoint is committed; restoring any
        // other one would duplicate or lose output.
        OptionalLong candidate =
                committer.isPresent()
                        ? committer.get().recover()
                        : CheckpointRestorer.newestCompleted(storage);
        Optional<SavepointToRestore> savepoint = savepointToRestore(plan);
        if (committer.isPresent() && candidate.isEmpty() && savepoint.isEmpty()) {
            refuseToForgetCheckpoints(plan, storage, rules, committer.get());
        }
        Optional<CheckpointRestorer.Restored> restored;
        if (savepoint.isPresent()
                && (candidate.isEmpty() || candidate.getAsLong() <= savepoint.get().metadataId())) {
            // Equal ids: the savepoint holds this job's committed checkpoint — perhaps rewritten
            // offline for another parallelism or max-parallelism — so it is what the user named.
            SavepointToRestore sp = savepoint.get();
            restored =
                    Optional.of(
                            CheckpointRestorer.restoreExactly(
                                    sp.storage(),
                                    sp.baseDir(),
                                    sp.metadata(),
                                    rules,
                                    localDir,
                                    sp.location(),
                                    "savepoint",
                                    false));
            sp.storage().close();
        } else {
            savepoint.ifPresent(
                    sp -> {
                        LOG.warn(
                                "job {}: not restoring {}: the job has a newer checkpoint ({}); to"
                                        + " start over from the savepoint, run it under another"
                                        + " job.name or checkpoint.dir",
                                plan.jobName(),
                                sp.location(),
                                candidate.getAsLong());
                        sp.storage().close();
                    });
            if (committer.isPresent()) {
                restored =
                        candidate.isPresent()
                                ? Optional.of(
                                        CheckpointRestorer.restoreCommitted(
                                                storage, candidate.getAsLong(), rules, localDir))
                                : Optional.empty();
                restored.ifPresent(r -> committer.get().verifyRestored(r.metadata()));
            } else {
                restored = CheckpointRestorer.restoreLatest(storage, rules, localDir);
            }
        }
        restoredCheckpointId = restored.map(r -> r.metadata().checkpointId());
        List<Long> ids = CheckpointRestorer.checkpointIds(storage);
        // Ids continue after both this job's checkpoints and what it restored (a savepoint of
        // another job may be ahead), so later checkpoints are always newer than the restore.
        long nextId =
                Math.max(
                                ids.isEmpty() ? 0 : ids.get(0),
                                restored.map(r -> r.metadata().checkpointId()).orElse(0L))
                        + 1;
        List<Long> completed = new ArrayList<>();
        restored.ifPresent(
                r -> {
                    for (long id : ids) {
                        if (r.metadata().kind() == CheckpointMetadata.Kind.CHECKPOINT
                                && id <= r.metadata().checkpointId()
                                && storage.read(CheckpointPaths.metadata(id)).isPresent()) {
                            completed.add(id);
                        }
                    }
                });
        // Nothing restored: checkpoints already in storage belong to no lineage this attempt
        // continues (an allowed empty start); retention and garbage collection leave them alone.
        List<Long> preserved = new ArrayList<>();
        if (restored.isEmpty()) {
            for (long id : ids) {
                if (storage.read(CheckpointPaths.metadata(id)).isPresent()) {
                    preserved.add(id);
                }
            }
        }
        Map<String, Long> positions =
                restored.map(CheckpointRestorer.Restored::sourcePositions).orElse(Map.of());
        committer.ifPresent(c -> c.begin(nextId));

        List<List<JobGraph.Step>> stages = plan.stages();
        Map<JobGraph.Step, String> names = operatorNames(g);
        Task[][] stageTasks = new Task[stages.size()][];
        Channel[][] nextChannels = null; // [from][to] into the stage after the current one
        for (int s = stages.size() - 1; s >= 0; s--) {
            List<JobGraph.Step> steps = stages.get(s);
            stageTasks[s] = new Task[p];
            for (int i = 0; i < p; i++) {
                Wakeup wakeup = new Wakeup();
                List<ChainOperator> chain = new ArrayList<>();
                String uid = s == 0 ? g.sourceUid() : ((JobGraph.ProcessStep) steps.get(0)).uid();
                SubtaskInfo info = new SubtaskInfo(plan.jobName(), uid, i, p);
                Task[] self = new Task[1];
                List<String> chainNames = new ArrayList<>();
                steps.forEach(step -> chainNames.add(names.get(step)));
                boolean last = s == stages.size() - 1;
                if (last) {
                    chainNames.add(g.sinkUid());
                }
                int stageStart = 0;
                for (int t = 0; t < s; t++) {
                    stageStart += stages.get(t).size();
                }
                for (JobGraph.SideOutput so : g.sideOutputs()) {
                    int at = so.processStep() - stageStart;
                    if (at >= 0 && at < steps.size()) {
                        for (int j = 0; j < so.steps().size(); j++) {
                            chainNames.add(
                                    so.tag().id() + "." + stepKind(so.steps().get(j)) + "-" + j);
                        }
                        chainNames.add(so.sinkUid());
                    }
                }
                SubtaskMetrics measured =
                        metrics.subtask(uid, i, chainNames, s == 0 ? g.sourceUid() : null, !last);
                int firstStep = stageStart;
                for (JobGraph.Step step : steps) {
                    chain.add(
                            operator(
                                    step,
                                    plan,
                                    info,
                                    storage,
                                    restored,
                                    nextChannels,
                                    i,
                                    self,
                                    clock,
                                    measured));
                }
                if (s == stages.size() - 1) {
                    chain.add(sinkOperator(plan, g.sinkUid(), g.sink(), i, recordsOut, registry));
                }
                List<Task.Branch> branches = new ArrayList<>();
                for (JobGraph.SideOutput so : g.sideOutputs()) {
                    int at = so.processStep() - firstStep;
                    if (at < 0 || at >= steps.size()) {
                        continue;
                    }
                    List<ChainOperator> ops = new ArrayList<>();
                    for (JobGraph.Step step : so.steps()) {
                        ops.add(
                                operator(
                                        step, plan, info, storage, restored, null, i, self, clock,
                                        measured));
                    }
                    ops.add(sinkOperator(plan, so.sinkUid(), so.sink(), i, recordsOut, registry));
                    branches.add(new Task.Branch(at, so.tag(), ops));
                }
                if (s == 0) {
                    SubtaskInfo srcInfo = new SubtaskInfo(plan.jobName(), g.sourceUid(), i, p);
                    SourceWatermarkTracker watermarks =
                            new SourceWatermarkTracker(g.watermarks(), clock);
                    if (g.watermarks().emitsWatermarks()) {
                        metrics.eventTime(g.sourceUid(), i, watermarks, false);
                    }
                    SourceReader<?, ?> reader =
                            g.source()
                                    .createReader(
                                            new Contexts.Source(
                                                    srcInfo,
                                                    plan.config(),
                                                    positions,
                                                    clock,
                                                    committer,
                                                    counters,
                                                    registry,
                                                    watermarks));
                    unstarted.add(reader);
                    if (chain.isEmpty()) {
                        throw new IllegalStateException("empty chain");
                    }
                    SourceTask t =
                            new SourceTask(
                                    srcInfo,
                                    tasks.size(),
                                    wakeup,
                                    chain,
                                    this,
                                    clock,
                                    reader,
                                    recordsIn,
                                    watermarks);
                    sources.add(t);
                    stageTasks[s][i] = t;
                } else {
                    stageTasks[s][i] =
                            new GateTask(info, tasks.size(), wakeup, chain, branches, this, clock);
                }
                stageTasks[s][i].measure(measured);
                self[0] = stageTasks[s][i];
                tasks.add(stageTasks[s][i]);
            }
            if (s > 0) {
                Channel[][] into = new Channel[p][p];
                for (int to = 0; to < p; to++) {
                    for (int from = 0; from < p; from++) {
                        into[from][to] =
                                new Channel(plan.channelCapacity(), stageTasks[s][to].wakeup);
                    }
                    Channel[] inputs = new Channel[p];
                    for (int from = 0; from < p; from++) {
                        inputs[from] = into[from][to];
                    }
                    ((GateTask) stageTasks[s][to])
                            .setGate(new InputGate(p, c -> inputs[c].poll(), clock));
                }
                nextChannels = into;
            }
        }
        coordinator =
                new CheckpointCoordinator(
                        plan.jobName(),
                        storage,
                        m,
                        plan.intervalMillis(),
                        plan.timeoutMillis(),
                        plan.retained(),
                        plan.tolerableFailures(),
                        clock,
                        sources,
                        tasks,
                        nextId,
                        completed,
                        preserved,
                        incarnation,
                        history,
                        committer,
                        savepointTargets,
                        uri ->
                                dev.weir.spi.CheckpointStorages.open(
                                        uri, "", plan.config(), "savepoint.dir"),
                        stopJob,
                        e -> onFailure.accept(number, e));
        unstarted.clear();
        for (Task t : tasks) {
            t.start("weir-" + t.info + "-a" + number);
        }
        coordinator.start();
        LOG.info(
                "job {}: attempt {} running {} subtasks at parallelism {}{} (incarnation {})",
                plan.jobName(),
                number,
                tasks.size(),
                p,
                restored.map(r -> ", restored from checkpoint " + r.metadata().checkpointId())
                        .orElse(", no checkpoint to restore"),
                incarnation);
    }

    /**
     * Exactly-once, and the committer names no committed checkpoint: if storage holds completed
     * ones, the commit record was lost (expired or deleted), not never written. Starting over would
     * repeat committed output and reset state, so refuse unless the user allowed an empty start.
     */
    private static void refuseToForgetCheckpoints(
            JobPlan plan,
            CheckpointStorage storage,
            CheckpointRestorer.Rules rules,
            CheckpointCommitter committer) {
        OptionalLong newest = CheckpointRestorer.newestCompleted(storage);
        if (newest.isEmpty()) {
            return;
        }
        String location = storage.describe(CheckpointPaths.checkpointDir(newest.getAsLong()));
        if (rules.allowEmptyStart()) {
            LOG.warn(
                    "job {}: {} names no committed checkpoint although {} holds completed ones"
                            + " (newest {}); starting with empty state because {}=true, and"
                            + " keeping those checkpoints",
                    plan.jobName(),
                    committer.describeCommitRecord(),
                    storage.describe(""),
                    location,
                    dev.weir.config.CheckpointOptions.ALLOW_EMPTY_START.key());
            return;
        }
        throw new dev.weir.UnrecoverableJobException(
                "job "
                        + plan.jobName()
                        + ": "
                        + storage.describe("")
                        + " holds completed checkpoints (newest: "
                        + location
                        + ") but no checkpoint is committed according to "
                        + committer.describeCommitRecord()
                        + ". Starting over would repeat committed output and start every state"
                        + " from empty. Either restore a checkpoint explicitly with"
                        + " savepoint.path="
                        + location
                        + " (the newest one whose output is committed; an older retained one if"
                        + " its output is missing from the output topic), or set "
                        + dev.weir.config.CheckpointOptions.ALLOW_EMPTY_START.key()
                        + "=true to start fresh (the checkpoints are kept)");
    }

    /** A savepoint (or retained checkpoint) named by {@code savepoint.path}. */
    private record SavepointToRestore(
            CheckpointStorage storage,
            String baseDir,
            byte[] metadata,
            long metadataId,
            String location) {}

    private static Optional<SavepointToRestore> savepointToRestore(JobPlan plan) {
        String path = plan.config().get(SavepointOptions.RESTORE_PATH);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        String trimmed = path.replaceAll("/+$", "");
        int slash = trimmed.lastIndexOf('/');
        String last = trimmed.substring(slash + 1);
        // A retained checkpoint references ../shared/: open its parent and read it from there.
        boolean checkpointDir = CheckpointPaths.parseCheckpointDir(last).isPresent();
        CheckpointStorage storage =
                checkpointDir
                        ? dev.weir.spi.CheckpointStorages.open(
                                trimmed.substring(0, slash), "", plan.config(), "savepoint.path")
                        : dev.weir.spi.CheckpointStorages.open(
                                trimmed, "", plan.config(), "savepoint.path");
        String base = checkpointDir ? last : "";
        String metadataPath = (base.isEmpty() ? "" : base + "/") + CheckpointMetadata.FILE_NAME;
        byte[] bytes =
                storage.read(metadataPath)
                        .orElseThrow(
                                () ->
                                        new dev.weir.UnrecoverableJobException(
                                                "invalid value '"
                                                        + path
                                                        + "' for config key 'savepoint.path': "
                                                        + storage.describe(metadataPath)
                                                        + " does not exist"));
        long id;
        try {
            id = dev.weir.format.MetadataSerializer.deserialize(bytes).checkpointId();
        } catch (dev.weir.format.MetadataFormatException e) {
            throw new dev.weir.UnrecoverableJobException(
                    "savepoint "
                            + storage.describe(metadataPath)
                            + " is damaged: "
                            + e.getMessage(),
                    e);
        }
        return Optional.of(
                new SavepointToRestore(storage, base, bytes, id, storage.describe(base)));
    }

    private ChainOperator operator(
            JobGraph.Step step,
            JobPlan plan,
            SubtaskInfo info,
            CheckpointStorage storage,
            Optional<CheckpointRestorer.Restored> restored,
            Channel[][] nextChannels,
            int subtask,
            Task[] self,
            InstantSource clock,
            SubtaskMetrics measured) {
        if (step instanceof JobGraph.MapStep ms) {
            return new StatelessOperators.Map(ms.fn(), info);
        } else if (step instanceof JobGraph.FilterStep fs) {
            return new StatelessOperators.Filter(fs.fn(), info);
        } else if (step instanceof JobGraph.FlatMapStep fm) {
            return new StatelessOperators.FlatMap(fm.fn(), info);
        } else if (step instanceof JobGraph.KeyByStep kb) {
            ChannelWriter[] writers = new ChannelWriter[plan.parallelism()];
            for (int to = 0; to < writers.length; to++) {
                writers[to] =
                        new ChannelWriter(
                                nextChannels[subtask][to],
                                plan.batchSize(),
                                () -> self[0].isCancelled(),
                                measured.backpressuredNanos());
            }
            return new KeyByRouter(
                    kb.selector(), kb.keySerde(), writers, plan.maxParallelism(), info);
        } else {
            JobGraph.ProcessStep ps = (JobGraph.ProcessStep) step;
            SubtaskInfo opInfo =
                    new SubtaskInfo(plan.jobName(), ps.uid(), subtask, plan.parallelism());
            Path base = localDir.resolve(ps.uid() + "-" + subtask);
            Optional<Path> restoredDir = restored.flatMap(r -> r.stateDir(ps.uid(), subtask));
            Map<String, StateInfo> states = new HashMap<>();
            restored.flatMap(r -> r.metadata().operator(ps.uid()))
                    .ifPresent(op -> op.states().forEach(st -> states.put(st.name(), st)));
            RocksKeyedBackend backend =
                    new RocksKeyedBackend(
                            opInfo,
                            restoredDir.orElse(base.resolve("db")),
                            KeyGroups.rangeFor(subtask, plan.maxParallelism(), plan.parallelism()),
                            plan.maxParallelism(),
                            plan.cacheLimits(),
                            states);
            unstarted.add(backend);
            metrics.state(ps.uid(), subtask, backend);
            if (restoredDir.isEmpty()) {
                restored.ifPresent(
                        r -> {
                            for (CheckpointRestorer.IngestSource src : r.ingest(ps.uid())) {
                                backend.ingest(c -> src.forEach(backend.keyGroups(), c));
                            }
                        });
            }
            KeyedProcessOperator op =
                    new KeyedProcessOperator(
                            opInfo,
                            ps.factory(),
                            ps.keySerde(),
                            backend,
                            storage,
                            uploads,
                            base.resolve("snapshots"),
                            restored.map(r -> r.sharedFiles(ps.uid(), subtask)).orElse(Map.of()),
                            savepointTargets,
                            incarnation,
                            processErrors(plan, opInfo, clock),
                            clock,
                            metrics.registry());
            metrics.eventTime(ps.uid(), subtask, op, true);
            return op;
        }
    }

    /** The sink operator of subtask {@code subtask} of sink {@code uid}, with a new writer. */
    private SinkOperator sinkOperator(
            JobPlan plan,
            String uid,
            dev.weir.spi.Sink<?, ?> sink,
            int subtask,
            LongAdder recordsOut,
            MeterRegistry registry) {
        SubtaskInfo sinkInfo = new SubtaskInfo(plan.jobName(), uid, subtask, plan.parallelism());
        var writer =
                sink.createWriter(new Contexts.Sink(sinkInfo, plan.config(), committer, registry));
        unstarted.add(writer);
        return new SinkOperator(uid, subtask, plan.parallelism(), writer, recordsOut);
    }

    private static String stepKind(JobGraph.Step step) {
        if (step instanceof JobGraph.MapStep) {
            return "map";
        } else if (step instanceof JobGraph.FilterStep) {
            return "filter";
        } else if (step instanceof JobGraph.FlatMapStep) {
            return "flatMap";
        }
        return "keyBy";
    }

    /** What keyed operator subtask {@code info} does when its function throws. */
    private ProcessErrors processErrors(JobPlan plan, SubtaskInfo info, InstantSource clock) {
        ProcessErrors errors =
                ProcessErrors.of(
                        plan,
                        info,
                        new Contexts.DeadLetter(info, plan.config(), committer),
                        name -> counters.computeIfAbsent(name, n -> new LongAdder()),
                        clock);
        unstarted.add(errors);
        return errors;
    }

    /**
     * The name of each step in the metrics: its uid, or for a stateless step its kind and place
     * among the job's steps ({@code map-0}, {@code keyBy-1}), stable while the job is unchanged.
     */
    private static Map<JobGraph.Step, String> operatorNames(JobGraph g) {
        Map<JobGraph.Step, String> names = new IdentityHashMap<>();
        List<JobGraph.Step> steps = g.steps();
        for (int i = 0; i < steps.size(); i++) {
            JobGraph.Step step = steps.get(i);
            String name;
            if (step instanceof JobGraph.ProcessStep ps) {
                name = ps.uid();
            } else if (step instanceof JobGraph.MapStep) {
                name = "map-" + i;
            } else if (step instanceof JobGraph.FilterStep) {
                name = "filter-" + i;
            } else if (step instanceof JobGraph.FlatMapStep) {
                name = "flatMap-" + i;
            } else {
                name = "keyBy-" + i;
            }
            names.put(step, name);
        }
        return names;
    }

    private void closeUnstarted() {
        for (AutoCloseable c : unstarted) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} after a failed start failed: {}", c, e.toString());
            }
        }
    }

    CompletableFuture<CheckpointStats> triggerCheckpoint() {
        return coordinator.triggerNow();
    }

    CompletableFuture<String> triggerSavepoint(String directory, boolean stopAfter) {
        return coordinator.triggerSavepoint(directory, stopAfter);
    }

    Optional<Long> restoredCheckpointId() {
        return restoredCheckpointId;
    }

    /** Stops the coordinator, cancels every subtask and waits for them to close their resources. */
    void cancel() {
        if (coordinator != null) {
            coordinator.stop();
        }
        tasks.forEach(Task::cancel);
        try {
            for (Task t : tasks) {
                t.join(10_000);
                if (t.isAlive()) {
                    LOG.warn(
                            "{}: did not stop within 10 s of cancellation; interrupting it",
                            t.info);
                    t.interrupt();
                    t.join(10_000);
                }
            }
            uploads.shutdownNow();
            uploads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        committer.ifPresent(
                c -> {
                    try {
                        c.close();
                    } catch (RuntimeException e) {
                        LOG.warn("closing the checkpoint committer failed: {}", e.toString());
                    }
                });
        LocalCheckpointStorage.deleteTree(localDir);
    }

    @Override
    public void failed(Task task, Throwable cause) {
        onFailure.accept(number, cause);
    }

    @Override
    public void acknowledged(
            long checkpointId,
            Task task,
            List<SnapshotContext.OperatorResult> results,
            long alignmentMillis,
            long syncMillis) {
        coordinator.acknowledge(checkpointId, task, results, alignmentMillis, syncMillis);
    }

    @Override
    public void declined(long checkpointId, Task task, Throwable cause) {
        coordinator.decline(checkpointId, task, cause);
    }
}
