package dev.weir.internal;

import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.Serde;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.format.FileRef;
import dev.weir.format.StateInfo;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.CheckpointStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs a {@link KeyedProcessFunction} over RocksDB keyed state. Its snapshot is a RocksDB
 * checkpoint taken on the task thread, uploaded to checkpoint storage on an upload thread while
 * processing goes on.
 */
final class KeyedProcessOperator extends ChainOperator {
    private final SubtaskInfo info;
    private final Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> factory;
    private final Serde<Object> keySerde;
    private final RocksKeyedBackend backend;
    private final CheckpointStorage storage;
    private final Executor uploads;
    private final Path localSnapshots;
    private KeyedProcessFunction<Object, Object, Object, Object> fn;

    @SuppressWarnings("unchecked")
    KeyedProcessOperator(
            SubtaskInfo info,
            Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> factory,
            Serde<?> keySerde,
            RocksKeyedBackend backend,
            CheckpointStorage storage,
            Executor uploads,
            Path localSnapshots) {
        this.info = info;
        this.factory = factory;
        this.keySerde = (Serde<Object>) keySerde;
        this.backend = backend;
        this.storage = storage;
        this.uploads = uploads;
        this.localSnapshots = localSnapshots;
    }

    @Override
    @SuppressWarnings("unchecked")
    void open() throws Exception {
        fn = (KeyedProcessFunction<Object, Object, Object, Object>) factory.get();
        fn.open(backend, info);
    }

    @Override
    public void emit(Record<Object, Object> r) {
        backend.setCurrentKey(keySerde.serialize(r.key()));
        try {
            fn.process(r, next);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw StatelessOperators.userFailure(info, "process function", e);
        }
    }

    @Override
    void snapshot(SnapshotContext ctx) {
        long id = ctx.checkpointId();
        Path local = localSnapshots.resolve("chk-" + id);
        List<StateInfo> states = backend.stateInfos();
        ctx.addAsyncResult(
                backend.snapshotAsync(local, uploads)
                        .thenApplyAsync(files -> upload(id, local, files, states), uploads));
    }

    private SnapshotContext.OperatorResult upload(
            long id, Path local, List<Path> files, List<StateInfo> states) {
        try {
            List<FileRef> refs = new ArrayList<>();
            for (Path f : files) {
                String rel = info.operatorUid() + "/" + info.subtask() + "/" + f.getFileName();
                FileRef stored = storage.upload(f, CheckpointPaths.checkpointDir(id) + "/" + rel);
                refs.add(new FileRef(rel, stored.size(), stored.crc32()));
            }
            return new SnapshotContext.OperatorResult(
                    info.operatorUid(),
                    info.parallelism(),
                    states,
                    new SubtaskSnapshot(
                            info.subtask(), Optional.of(backend.keyGroups()), refs, Map.of()));
        } catch (RuntimeException e) {
            throw new WeirException(
                    info + ": upload of checkpoint " + id + " failed: " + e.getMessage(), e);
        } finally {
            LocalCheckpointStorage.deleteTree(local);
        }
    }

    @Override
    void close() throws Exception {
        try {
            if (fn != null) {
                fn.close();
            }
        } finally {
            backend.close();
        }
    }
}
