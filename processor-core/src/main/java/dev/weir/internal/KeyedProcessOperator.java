package dev.weir.internal;

import dev.weir.KeyedProcessFunction;
import dev.weir.Output;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.StateSerializer;
import dev.weir.SubtaskInfo;
import dev.weir.TimeDomain;
import dev.weir.TimerService;
import dev.weir.Watermark;
import dev.weir.WeirException;
import dev.weir.format.CheckpointPaths;
import dev.weir.format.FileRef;
import dev.weir.format.StateInfo;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.internal.metrics.EventTimeStats;
import dev.weir.spi.CheckpointStorage;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs a {@link KeyedProcessFunction} over RocksDB keyed state and timers. Its snapshot is a
 * RocksDB checkpoint taken on the task thread, uploaded to checkpoint storage on an upload thread
 * while processing goes on. Event-time timers fire when a watermark reaches them, before the
 * watermark passes on; processing-time timers when the task finds the clock past them
 * (docs/architecture.md §11).
 */
final class KeyedProcessOperator extends ChainOperator implements EventTimeStats {
    private final SubtaskInfo info;
    private final Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> factory;
    private final StateSerializer<Object> keySerde;
    private final RocksKeyedBackend backend;
    private final CheckpointStorage storage;
    private final Executor uploads;
    private final Path localSnapshots;
    private KeyedProcessFunction<Object, Object, Object, Object> fn;
    private volatile Map<String, FileRef> confirmed;
    private final Map<Long, CheckpointStorage> savepointTargets;
    private final String incarnation;
    private final Map<Long, Map<String, FileRef>> unconfirmed = new ConcurrentHashMap<>();
    private final ProcessErrors errors;
    private Output<Object, Object> out;
    private final InstantSource clock;
    private final MeterRegistry meterRegistry;
    private final Map<OutputTag<?, ?>, Output<Object, Object>> sideOutputs = new HashMap<>();
    private KeyedTimers timers;
    private long watermark = Long.MIN_VALUE;
    private volatile long publishedInput = Long.MIN_VALUE;
    private volatile long publishedOutput = Long.MIN_VALUE;
    private volatile long eventTimers;
    private volatile long processingTimers;
    private final Ctx ctx = new Ctx();

    @SuppressWarnings("unchecked")
    KeyedProcessOperator(
            SubtaskInfo info,
            Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> factory,
            StateSerializer<?> keySerde,
            RocksKeyedBackend backend,
            CheckpointStorage storage,
            Executor uploads,
            Path localSnapshots,
            Map<String, FileRef> restoredSharedFiles,
            Map<Long, CheckpointStorage> savepointTargets,
            String incarnation,
            ProcessErrors errors,
            InstantSource clock,
            MeterRegistry meterRegistry) {
        this.clock = clock;
        this.meterRegistry = meterRegistry;
        this.errors = errors;
        this.savepointTargets = savepointTargets;
        this.incarnation = incarnation;
        this.info = info;
        this.factory = factory;
        this.keySerde = (StateSerializer<Object>) keySerde;
        this.backend = backend;
        this.storage = storage;
        this.uploads = uploads;
        this.localSnapshots = localSnapshots;
        this.confirmed = Map.copyOf(restoredSharedFiles);
    }

    private java.util.function.Function<OutputTag<?, ?>, Output<Object, Object>> anyTag;

    @Override
    void setSideOutput(OutputTag<?, ?> tag, Output<Object, Object> output) {
        sideOutputs.put(tag, output);
    }

    /** For the test harness: every tag's records go where {@code outputs} says. */
    void collectSideOutputs(
            java.util.function.Function<OutputTag<?, ?>, Output<Object, Object>> outputs) {
        anyTag = outputs;
    }

    @Override
    @SuppressWarnings("unchecked")
    void open() throws Exception {
        timers = new KeyedTimers(backend);
        timers.load();
        publishTimers();
        fn = (KeyedProcessFunction<Object, Object, Object, Object>) factory.get();
        fn.open(new Contexts.Open(backend, info, meterRegistry));
        // Unless process.error.policy=fail, what the chain after this operator throws must stay
        // apart from what the function throws: a failed sink is never skipped or dead-lettered.
        out = errors.failsAttempt() ? next : new Downstream(next);
        if (!errors.failsAttempt()) {
            sideOutputs.replaceAll((tag, o) -> new Downstream(o));
        }
    }

    @Override
    public void emit(Record<Object, Object> r) {
        backend.setCurrentKey(keySerde.serialize(r.key()));
        ctx.forRecord(r.key());
        try {
            fn.process(r, ctx);
        } catch (DownstreamFailure e) {
            throw e.failure;
        } catch (Exception e) {
            errors.handle(r, e);
        }
    }

    /** Fires the event-time timers the watermark reached, before it passes on. */
    @Override
    void watermark(Watermark w) {
        if (w.idle() || w.timestampMillis() <= watermark) {
            return;
        }
        watermark = w.timestampMillis();
        publishedInput = watermark;
        fire(TimeDomain.EVENT_TIME, watermark);
        publishedOutput = watermark;
        publishTimers();
    }

    private void publishTimers() {
        eventTimers = timers.pending(TimeDomain.EVENT_TIME);
        processingTimers = timers.pending(TimeDomain.PROCESSING_TIME);
    }

    @Override
    public long inputWatermark() {
        return publishedInput;
    }

    @Override
    public long outputWatermark() {
        return publishedOutput;
    }

    @Override
    public long eventTimeTimers() {
        return eventTimers;
    }

    @Override
    public long processingTimeTimers() {
        return processingTimers;
    }

    @Override
    long nextProcessingTimer() {
        return timers.nextProcessingTime();
    }

    @Override
    void onProcessingTime(long now) {
        fire(TimeDomain.PROCESSING_TIME, now);
        publishTimers();
    }

    private void fire(TimeDomain domain, long time) {
        KeyedTimers.Timer t;
        while ((t = timers.pollDue(domain, time)) != null) {
            byte[] key = t.key();
            backend.setCurrentKey(key);
            ctx.forTimer(key, domain);
            try {
                fn.onTimer(t.timestamp, ctx);
            } catch (DownstreamFailure e) {
                throw e.failure;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new WeirException(
                        info + ": onTimer(" + t.timestamp + ", " + domain + ") failed: " + e, e);
            }
        }
    }

    /** Timers pending in each domain, for the metrics. */
    long pendingTimers(TimeDomain domain) {
        return timers == null ? 0 : timers.pending(domain);
    }

    /** The watermark this operator has reached, for the metrics. */
    long currentWatermark() {
        return watermark;
    }

    /**
     * The one context object of this operator, for records and timers alike: it changes key between
     * calls, so functions must not keep it past a call.
     */
    private final class Ctx
            implements KeyedProcessFunction.OnTimerContext<Object, Object, Object>, TimerService {
        private Object key;
        private byte[] timerKey;
        private TimeDomain domain;

        void forRecord(Object recordKey) {
            key = recordKey;
            timerKey = null;
            domain = null;
        }

        void forTimer(byte[] serializedKey, TimeDomain d) {
            key = null;
            timerKey = serializedKey;
            domain = d;
        }

        @Override
        public void emit(Record<Object, Object> record) {
            out.emit(record);
        }

        @Override
        public Object currentKey() {
            if (key == null && timerKey != null) {
                key = keySerde.deserialize(timerKey);
            }
            return key;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <K2, V2> void output(OutputTag<K2, V2> tag, Record<K2, V2> record) {
            Output<Object, Object> o = sideOutputs.get(tag);
            if (o == null && anyTag != null) {
                o = anyTag.apply(tag);
                sideOutputs.put(tag, o);
            }
            if (o != null) {
                o.emit((Record<Object, Object>) (Record<?, ?>) record);
            }
        }

        @Override
        public TimerService timerService() {
            return this;
        }

        @Override
        public TimeDomain timeDomain() {
            if (domain == null) {
                throw new IllegalStateException("timeDomain() is known in onTimer only");
            }
            return domain;
        }

        @Override
        public long currentWatermark() {
            return watermark;
        }

        @Override
        public long currentProcessingTime() {
            return clock.millis();
        }

        @Override
        public void registerEventTimeTimer(long timestamp) {
            timers.register(TimeDomain.EVENT_TIME, timestamp);
        }

        @Override
        public void registerProcessingTimeTimer(long timestamp) {
            timers.register(TimeDomain.PROCESSING_TIME, timestamp);
        }

        @Override
        public void deleteEventTimeTimer(long timestamp) {
            timers.delete(TimeDomain.EVENT_TIME, timestamp);
        }

        @Override
        public void deleteProcessingTimeTimer(long timestamp) {
            timers.delete(TimeDomain.PROCESSING_TIME, timestamp);
        }
    }

    /** A failure of the operators after this one, carried through the user function. */
    private static final class DownstreamFailure extends RuntimeException {
        final RuntimeException failure;

        DownstreamFailure(RuntimeException failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    /** The output the function sees unless process.error.policy=fail. */
    private static final class Downstream implements Output<Object, Object> {
        private final Output<Object, Object> next;

        Downstream(Output<Object, Object> next) {
            this.next = next;
        }

        @Override
        public void emit(Record<Object, Object> record) {
            try {
                next.emit(record);
            } catch (RuntimeException e) {
                throw new DownstreamFailure(e);
            }
        }
    }

    /** Nothing to read: a pending snapshot need not wait for records to capture its state. */
    @Override
    void flushIdle() {
        backend.finishCapture();
    }

    @Override
    void snapshot(SnapshotContext ctx) {
        long id = ctx.checkpointId();
        // Dead letters written before this barrier belong to checkpoint id, like the state.
        errors.checkpoint(id);
        Path local = localSnapshots.resolve("chk-" + id);
        // Timers live write-back in memory: the snapshot must hold every one of this moment.
        timers.flush();
        publishTimers();
        List<StateInfo> states = backend.stateInfos();
        Map<String, FileRef> base = confirmed;
        Optional<CheckpointStorage> savepoint =
                ctx.barrier().savepoint()
                        ? Optional.ofNullable(savepointTargets.get(id))
                        : Optional.empty();
        if (ctx.barrier().savepoint() && savepoint.isEmpty()) {
            throw new WeirException(info + ": no target for savepoint " + id);
        }
        ctx.addAsyncResult(
                backend.snapshotAsync(local, uploads)
                        .thenApplyAsync(
                                files -> {
                                    try {
                                        SnapshotContext.OperatorResult r =
                                                upload(id, files, states, base);
                                        return savepoint.isEmpty()
                                                ? r
                                                : withSavepoint(r, local, savepoint.get());
                                    } finally {
                                        LocalCheckpointStorage.deleteTree(local);
                                    }
                                },
                                uploads));
    }

    /** Writes the canonical key-group file of this subtask into the savepoint directory. */
    private SnapshotContext.OperatorResult withSavepoint(
            SnapshotContext.OperatorResult r, Path local, CheckpointStorage target) {
        Path file = local.resolveSibling(local.getFileName() + ".kgs");
        try {
            CanonicalState.export(local, backend.keyGroups(), file);
            String rel = info.operatorUid() + "/" + info.subtask() + ".kgs";
            FileRef stored = target.upload(file, rel);
            SubtaskSnapshot sp =
                    new SubtaskSnapshot(
                            info.subtask(),
                            Optional.of(backend.keyGroups()),
                            List.of(new FileRef(rel, stored.size(), stored.crc32())),
                            Map.of());
            return new SnapshotContext.OperatorResult(
                    r.uid(), r.parallelism(), r.states(), r.snapshot(), Optional.of(sp));
        } finally {
            LocalCheckpointStorage.deleteTree(file);
        }
    }

    /**
     * Uploads a RocksDB checkpoint incrementally: SST files (immutable) that the last completed
     * checkpoint already holds in {@code shared/} are referenced again, new ones are uploaded there
     * once; the small mutable files (MANIFEST, CURRENT, OPTIONS) go into the checkpoint's own
     * directory.
     */
    private SnapshotContext.OperatorResult upload(
            long id, List<Path> files, List<StateInfo> states, Map<String, FileRef> base) {
        try {
            List<FileRef> refs = new ArrayList<>();
            Map<String, FileRef> shared = new HashMap<>();
            String instance = UUID.randomUUID().toString();
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".sst")) {
                    FileRef ref = base.get(name);
                    if (ref == null || ref.size() != Files.size(f)) {
                        String rel = sharedDir() + "/" + instance + "/" + name;
                        FileRef stored = storage.upload(f, rel);
                        ref =
                                new FileRef(
                                        CheckpointPaths.sharedReference(rel),
                                        stored.size(),
                                        stored.crc32());
                    }
                    shared.put(name, ref);
                    refs.add(ref);
                } else {
                    String rel =
                            incarnation
                                    + "/"
                                    + info.operatorUid()
                                    + "/"
                                    + info.subtask()
                                    + "/"
                                    + name;
                    FileRef stored =
                            storage.upload(f, CheckpointPaths.checkpointDir(id) + "/" + rel);
                    refs.add(new FileRef(rel, stored.size(), stored.crc32()));
                }
            }
            unconfirmed.put(id, Map.copyOf(shared));
            return new SnapshotContext.OperatorResult(
                    info.operatorUid(),
                    info.parallelism(),
                    states,
                    new SubtaskSnapshot(
                            info.subtask(), Optional.of(backend.keyGroups()), refs, Map.of()));
        } catch (IOException | RuntimeException e) {
            throw new WeirException(
                    info + ": upload of checkpoint " + id + " failed: " + e.getMessage(), e);
        }
    }

    private String sharedDir() {
        return CheckpointPaths.SHARED + "/" + info.operatorUid() + "/" + info.subtask();
    }

    /**
     * Checkpoint {@code checkpointId} completed: its SST files are the ones later checkpoints may
     * reference instead of uploading them again. (Files of a checkpoint that never completed are
     * not trusted: garbage collection may remove them.)
     */
    @Override
    void notifyComplete(long checkpointId) {
        Map<String, FileRef> refs = unconfirmed.remove(checkpointId);
        if (refs != null) {
            confirmed = refs;
        }
        unconfirmed.keySet().removeIf(id -> id < checkpointId);
    }

    @Override
    void close() throws Exception {
        try (ProcessErrors e = errors;
                RocksKeyedBackend b = backend) {
            if (fn != null) {
                fn.close();
            }
        }
    }
}
