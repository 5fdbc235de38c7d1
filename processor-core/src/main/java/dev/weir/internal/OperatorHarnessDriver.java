package dev.weir.internal;

import dev.weir.Barrier;
import dev.weir.EndOfInput;
import dev.weir.KeyedProcessFunction;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.StateSerializer;
import dev.weir.StreamElement;
import dev.weir.SubtaskInfo;
import dev.weir.Watermark;
import dev.weir.format.CheckpointPaths;
import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroups;
import dev.weir.format.StateInfo;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Drives one keyed operator on the calling thread with the runtime's own pieces — input gate with
 * barrier alignment, RocksDB backend, snapshot upload and CRC-checked restore — for the testkit's
 * operator harness. Not for use by jobs.
 */
public final class OperatorHarnessDriver implements AutoCloseable {
    /** A completed snapshot of the operator, restorable with {@link #restore}. */
    public record Snapshot(
            long checkpointId,
            Path storageRoot,
            List<FileRef> files,
            List<StateInfo> states,
            KeyGroupRange keyGroups) {}

    private final SubtaskInfo info;
    private final Path workDir;
    private final LocalCheckpointStorage storage;
    private final KeyedProcessOperator operator;
    private final InputGate gate;
    private final List<ArrayDeque<StreamElement>> inputs = new ArrayList<>();
    private final List<Record<Object, Object>> output = new ArrayList<>();
    private final Map<OutputTag<?, ?>, List<Record<Object, Object>>> sideOutputs = new HashMap<>();
    private final InstantSource clock;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Snapshot> snapshots = new ArrayList<>();
    private boolean ended;

    private OperatorHarnessDriver(
            Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> factory,
            StateSerializer<?> keySerde,
            SubtaskInfo info,
            int maxParallelism,
            int inputCount,
            Path workDir,
            Path dbDir,
            List<StateInfo> states,
            List<CheckpointRestorer.IngestSource> ingest,
            InstantSource clock)
            throws Exception {
        this.info = info;
        this.clock = clock;
        this.workDir = workDir;
        this.storage = new LocalCheckpointStorage(workDir.resolve("checkpoints"));
        Map<String, StateInfo> restored = new HashMap<>();
        states.forEach(s -> restored.put(s.name(), s));
        RocksKeyedBackend backend =
                new RocksKeyedBackend(
                        info,
                        dbDir,
                        KeyGroups.rangeFor(info.subtask(), maxParallelism, info.parallelism()),
                        maxParallelism,
                        new StateCache.Limits(100_000, 64L << 20, 10_000),
                        restored);
        for (CheckpointRestorer.IngestSource src : ingest) {
            backend.ingest(c -> src.forEach(backend.keyGroups(), c));
        }
        this.operator =
                new KeyedProcessOperator(
                        info,
                        factory,
                        keySerde,
                        backend,
                        storage,
                        Runnable::run,
                        workDir.resolve("local-snapshots"),
                        Map.of(),
                        Map.of(),
                        "harness",
                        ProcessErrors.fail(info),
                        clock,
                        meters);
        operator.setNext(output::add);
        operator.collectSideOutputs(
                tag -> sideOutputs.computeIfAbsent(tag, t -> new ArrayList<>())::add);
        for (int i = 0; i < inputCount; i++) {
            inputs.add(new ArrayDeque<>());
        }
        this.gate =
                new InputGate(
                        inputCount,
                        c -> {
                            StreamElement e = inputs.get(c).poll();
                            return e == null ? null : new StreamElement[] {e};
                        },
                        clock);
        operator.open();
    }

    /** The registry the function's {@code OpenContext.meterRegistry()} is. */
    public MeterRegistry meterRegistry() {
        return meters;
    }

    /** A fresh operator with empty state. */
    public static OperatorHarnessDriver create(
            Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> factory,
            StateSerializer<?> keySerde,
            SubtaskInfo info,
            int maxParallelism,
            int inputs,
            Path workDir,
            InstantSource clock)
            throws Exception {
        return new OperatorHarnessDriver(
                factory,
                keySerde,
                info,
                maxParallelism,
                inputs,
                workDir,
                workDir.resolve("db"),
                List.of(),
                List.of(),
                clock);
    }

    /**
     * A fresh operator instance whose state is {@code snapshot}, read back through CRC-checked
     * files.
     */
    public static OperatorHarnessDriver restore(
            Snapshot snapshot,
            Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> factory,
            StateSerializer<?> keySerde,
            SubtaskInfo info,
            int maxParallelism,
            int inputs,
            Path workDir,
            InstantSource clock)
            throws Exception {
        Path db = download(snapshot, workDir.resolve("db"));
        return new OperatorHarnessDriver(
                factory,
                keySerde,
                info,
                maxParallelism,
                inputs,
                workDir,
                db,
                snapshot.states(),
                List.of(),
                clock);
    }

    /**
     * A fresh operator instance for subtask {@code info} (of any parallelism) holding the key
     * groups it owns out of {@code snapshots} (of subtasks of another parallelism), re-ingested as
     * a restore at a new parallelism does.
     */
    public static OperatorHarnessDriver restoreRescaled(
            List<Snapshot> snapshots,
            Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> factory,
            StateSerializer<?> keySerde,
            SubtaskInfo info,
            int maxParallelism,
            int inputs,
            Path workDir,
            InstantSource clock)
            throws Exception {
        List<CheckpointRestorer.IngestSource> ingest = new ArrayList<>();
        Map<String, StateInfo> states = new java.util.LinkedHashMap<>();
        for (int i = 0; i < snapshots.size(); i++) {
            Snapshot snapshot = snapshots.get(i);
            Path db = download(snapshot, workDir.resolve("restore-" + i));
            ingest.add(new CheckpointRestorer.IngestSource(snapshot.keyGroups(), db, false));
            snapshot.states().forEach(st -> states.putIfAbsent(st.name(), st));
        }
        return new OperatorHarnessDriver(
                factory,
                keySerde,
                info,
                maxParallelism,
                inputs,
                workDir,
                workDir.resolve("db"),
                List.copyOf(states.values()),
                ingest,
                clock);
    }

    /** The snapshot's RocksDB files, CRC-checked, in {@code db}; returns {@code db}. */
    private static Path download(Snapshot snapshot, Path db) {
        LocalCheckpointStorage from = new LocalCheckpointStorage(snapshot.storageRoot());
        for (FileRef f : snapshot.files()) {
            from.download(
                    CheckpointPaths.checkpointDir(snapshot.checkpointId()),
                    f,
                    db.resolve(f.path().substring(f.path().lastIndexOf('/') + 1)));
        }
        return db;
    }

    /** Queues {@code element} on input {@code channel} and processes whatever the gate releases. */
    public void add(int channel, StreamElement element) {
        inputs.get(channel).add(element);
        drain();
    }

    private void drain() {
        StreamElement e;
        while (!ended && (e = gate.poll()) != null) {
            if (e instanceof Record<?, ?> r) {
                @SuppressWarnings("unchecked")
                Record<Object, Object> rec = (Record<Object, Object>) r;
                operator.emit(rec);
            } else if (e instanceof Watermark w) {
                operator.watermark(w);
            } else if (e instanceof Barrier b) {
                snapshots.add(snapshot(b));
            } else if (e instanceof EndOfInput) {
                ended = true;
            }
        }
    }

    /** Snapshots the operator now, as an aligned barrier {@code checkpointId} would. */
    public Snapshot snapshot(long checkpointId) {
        return snapshot(new Barrier(checkpointId, 0));
    }

    private Snapshot snapshot(Barrier b) {
        SnapshotContext ctx = new SnapshotContext(b);
        operator.snapshot(ctx);
        // As a task with nothing to read would: the barrier's state is captured at once.
        operator.flushIdle();
        SnapshotContext.OperatorResult r = ctx.all().join().get(0);
        return new Snapshot(
                b.checkpointId(),
                workDir.resolve("checkpoints"),
                r.snapshot().files(),
                r.states(),
                r.snapshot().keyGroups().orElseThrow());
    }

    /** Fires the processing-time timers due at the clock's time now. */
    public void fireProcessingTimers() {
        long now = clock.millis();
        if (operator.nextProcessingTimer() <= now) {
            operator.onProcessingTime(now);
        }
    }

    /** The operator's current watermark. */
    public long currentWatermark() {
        return operator.currentWatermark();
    }

    /** Timers pending in {@code domain}. */
    public long pendingTimers(dev.weir.TimeDomain domain) {
        return operator.pendingTimers(domain);
    }

    /** Records emitted to side output {@code tag} since the last call. */
    public List<Record<Object, Object>> takeSideOutput(OutputTag<?, ?> tag) {
        List<Record<Object, Object>> l = sideOutputs.get(tag);
        if (l == null) {
            return List.of();
        }
        List<Record<Object, Object>> out = List.copyOf(l);
        l.clear();
        return out;
    }

    /** Records emitted since the last call. */
    public List<Record<Object, Object>> takeOutput() {
        List<Record<Object, Object>> out = List.copyOf(output);
        output.clear();
        return out;
    }

    /** Snapshots taken when barriers aligned, oldest first. */
    public List<Snapshot> barrierSnapshots() {
        return List.copyOf(snapshots);
    }

    public boolean isBlocked(int channel) {
        return gate.isBlocked(channel);
    }

    public SubtaskInfo info() {
        return info;
    }

    @Override
    public void close() throws Exception {
        operator.close();
    }
}
