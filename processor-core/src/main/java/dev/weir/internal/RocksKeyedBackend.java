package dev.weir.internal;

import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroups;
import dev.weir.format.Murmur3;
import dev.weir.format.StateInfo;
import dev.weir.internal.metrics.JobMetrics;
import dev.weir.internal.metrics.StateStats;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ListState;
import dev.weir.state.ListStateDescriptor;
import dev.weir.state.MapState;
import dev.weir.state.MapStateDescriptor;
import dev.weir.state.StateDescriptor;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.ConfigOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed state of one subtask in one RocksDB instance: one column family per state, every key
 * prefixed with its 2-byte key group so a key-group range is a contiguous key range. Value and list
 * states go through a write-back cache that is flushed in one WriteBatch at each barrier; map
 * entries go to RocksDB directly. Used by the subtask's thread only.
 */
public final class RocksKeyedBackend implements KeyedStateStore, StateStats, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RocksKeyedBackend.class);

    static {
        RocksDB.loadLibrary();
    }

    /**
     * Memtable size. Each checkpoint flushes the memtable in its synchronous part (the WAL is off),
     * so this bounds the RocksDB share of the pause.
     */
    private static final long WRITE_BUFFER_BYTES = 8L << 20;

    /** Every RocksDB key starts with its key group, in two bytes. */
    static final int KEY_GROUP_PREFIX_BYTES = dev.weir.format.StateKeys.KEY_GROUP_BYTES;

    private final SubtaskInfo subtask;
    private final Path dbDir;
    private final KeyGroupRange keyGroups;
    private final int maxParallelism;
    private final Map<String, StateInfo> restoredStates;

    /**
     * Column families this backend created, empty, and wrote to only through the cache since (see
     * {@link StateTable#fresh}).
     */
    private final Set<String> createdEmpty = new HashSet<>();

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final Map<String, ColumnFamilyHandle> families = new HashMap<>();
    private final Map<String, StateTable> tables = new LinkedHashMap<>();
    private final StateCache cache;

    private volatile boolean writesSuspended;
    private volatile WeirException lostWrites;
    private volatile CompletableFuture<List<Path>> nativeSnapshot =
            CompletableFuture.completedFuture(List.of());
    private PendingSnapshot pendingSnapshot;

    /** RocksDB properties for the metrics, sampled at open and after each snapshot. */
    private final Map<String, Long> sampled = new ConcurrentHashMap<>();

    private byte[] currentStateKey;
    private byte[] currentMapPrefix;
    private int currentKeyHash;

    /**
     * Opens the database in {@code dbDir}: a fresh one, or one restored from a checkpoint (a
     * complete RocksDB directory).
     */
    public RocksKeyedBackend(
            SubtaskInfo subtask,
            Path dbDir,
            KeyGroupRange keyGroups,
            int maxParallelism,
            StateCache.Limits cacheLimits,
            Map<String, StateInfo> restoredStates) {
        this.subtask = subtask;
        this.dbDir = dbDir;
        this.keyGroups = keyGroups;
        this.maxParallelism = maxParallelism;
        this.restoredStates = Map.copyOf(restoredStates);
        this.dbOptions =
                new DBOptions()
                        .setCreateIfMissing(true)
                        .setCreateMissingColumnFamilies(true)
                        .setMaxBackgroundJobs(2)
                        .setAvoidFlushDuringShutdown(true);
        this.cfOptions =
                withInsertHints()
                        .setWriteBufferSize(WRITE_BUFFER_BYTES)
                        .setMaxWriteBufferNumber(3)
                        // The same for the memtable: a whole-key bloom filter, so a first
                        // touch does not search its skiplist.
                        .setMemtablePrefixBloomSizeRatio(0.1)
                        .setMemtableWholeKeyFiltering(true)
                        // A key seen for the first time is absent from every SST file: the
                        // bloom filter answers that without reading them (each checkpoint
                        // flushes the memtable, so there are many small L0 files).
                        .setTableFormatConfig(
                                new BlockBasedTableConfig()
                                        .setFilterPolicy(new BloomFilter(10, false)));
        // No WAL: durability comes from checkpoints, which flush the memtable first.
        this.writeOptions = new WriteOptions().setDisableWAL(true);
        try {
            Files.createDirectories(dbDir);
            List<byte[]> names = existingFamilies(dbDir);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (byte[] n : names) {
                descriptors.add(new ColumnFamilyDescriptor(n, cfOptions));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            this.db = RocksDB.open(dbOptions, dbDir.toString(), descriptors, handles);
            for (int i = 0; i < names.size(); i++) {
                families.put(new String(names.get(i), StandardCharsets.UTF_8), handles.get(i));
            }
        } catch (RocksDBException | IOException e) {
            close();
            throw new WeirException(subtask + ": cannot open RocksDB in " + dbDir + ": " + e, e);
        }
        this.cache =
                new StateCache(
                        db, writeOptions, cacheLimits, this::writesSuspended, this::awaitWritable);
        sampleProperties();
    }

    /**
     * Reads the RocksDB properties the metrics show, on the thread that has the database at hand
     * (never a scrape: that could race {@link #close}).
     */
    private void sampleProperties() {
        for (String p : JobMetrics.ROCKSDB_PROPERTIES.keySet()) {
            try {
                sampled.put(p, db.getAggregatedLongProperty(p));
            } catch (RocksDBException e) {
                LOG.debug("{}: RocksDB property {}: {}", subtask, p, e.toString());
            }
        }
    }

    @Override
    public long cacheLookups() {
        return cache.lookups.get();
    }

    @Override
    public long cacheMisses() {
        return cache.misses.get();
    }

    @Override
    public long property(String name) {
        return sampled.getOrDefault(name, -1L);
    }

    /**
     * Column family options whose memtable keeps an insert position per key group. The state cache
     * writes its dirty entries sorted, and the previous checkpoint's writes of the same keys are
     * still in the memtable between them: a plain insert then searches the skiplist from the top
     * for every entry, while one with a hint starts from the last insert of its key group (37 %
     * less time per entry in a batch of 32,768 over 50,000 keys). RocksJava has no setter for this
     * option; it is set by name.
     */
    private static ColumnFamilyOptions withInsertHints() {
        Properties props = new Properties();
        props.setProperty(
                "memtable_insert_with_hint_prefix_extractor",
                "rocksdb.FixedPrefix." + KEY_GROUP_PREFIX_BYTES);
        try (ConfigOptions config = new ConfigOptions()) {
            ColumnFamilyOptions options =
                    ColumnFamilyOptions.getColumnFamilyOptionsFromProps(config, props);
            if (options == null) {
                throw new IllegalStateException("RocksDB rejected " + props);
            }
            return options;
        }
    }

    private static List<byte[]> existingFamilies(Path dir) throws RocksDBException {
        List<byte[]> names = new ArrayList<>();
        if (Files.exists(dir.resolve("CURRENT"))) {
            try (Options o = new Options()) {
                names.addAll(RocksDB.listColumnFamilies(o, dir.toString()));
            }
        }
        if (names.isEmpty()) {
            names.add(RocksDB.DEFAULT_COLUMN_FAMILY);
        }
        return names;
    }

    public KeyGroupRange keyGroups() {
        return keyGroups;
    }

    /** Scopes state access to {@code serializedKey} until the next call. */
    public void setCurrentKey(byte[] serializedKey) {
        throwIfWritesLost();
        captureStep();
        int hash = Murmur3.hash32(serializedKey);
        int kg = KeyGroups.keyGroupOfHash(hash, maxParallelism);
        if (!keyGroups.contains(kg)) {
            throw new WeirException(
                    subtask
                            + ": key of key group "
                            + kg
                            + " reached a subtask owning "
                            + keyGroups);
        }
        currentStateKey = withKeyGroup(kg, serializedKey);
        currentMapPrefix = null;
        currentKeyHash = hash;
    }

    /** The RocksDB prefix of the current key's map entries (key group, key length, key). */
    byte[] currentMapPrefix() {
        byte[] p = currentMapPrefix;
        if (p == null) {
            p = dev.weir.format.StateKeys.mapPrefix(currentStateKey());
            currentMapPrefix = p;
        }
        return p;
    }

    /** {@code key} behind its key group: the RocksDB key of a value in any state. */
    private static byte[] withKeyGroup(int keyGroup, byte[] key) {
        return dev.weir.format.StateKeys.withKeyGroup(keyGroup, key);
    }

    byte[] currentStateKey() {
        if (currentStateKey == null) {
            throw new WeirException(subtask + ": keyed state used outside of processing a record");
        }
        return currentStateKey;
    }

    /** The murmur3 of the current key: the state cache's hash of it. */
    int currentKeyHash() {
        return currentKeyHash;
    }

    /** The states registered so far, for checkpoint metadata. */
    public List<StateInfo> stateInfos() {
        List<StateInfo> infos = new ArrayList<>();
        tables.values().forEach(t -> infos.add(t.info));
        // State restored but not (yet) registered by this job version is still in the files.
        restoredStates.values().stream()
                .filter(s -> !tables.containsKey(s.name()))
                .forEach(infos::add);
        return infos;
    }

    @Override
    public <T> ValueState<T> valueState(ValueStateDescriptor<T> d) {
        return new RocksValueState<>(this, register(checkNotReserved(d)), d.serializer());
    }

    @Override
    public <T> ListState<T> listState(ListStateDescriptor<T> d) {
        return new RocksListState<>(this, register(checkNotReserved(d)), d.elementSerializer());
    }

    @Override
    public <UK, UV> MapState<UK, UV> mapState(MapStateDescriptor<UK, UV> d) {
        return new RocksMapState<>(
                this, register(checkNotReserved(d)), d.keySerializer(), d.valueSerializer());
    }

    private StateDescriptor checkNotReserved(StateDescriptor d) {
        if (d.name().startsWith(dev.weir.format.StateKeys.RESERVED_PREFIX)) {
            throw new WeirException(
                    subtask
                            + ": state name '"
                            + d.name()
                            + "' starts with '"
                            + dev.weir.format.StateKeys.RESERVED_PREFIX
                            + "', which is reserved for Weir's own state (timers)");
        }
        return d;
    }

    /** Whether the restored state holds a state named {@code name}. */
    boolean isRestored(String name) {
        return restoredStates.containsKey(name);
    }

    /** The table of Weir's own timer state {@code name} (a map state, see {@code StateKeys}). */
    StateTable timerTable(String name) {
        return register(new MapStateDescriptor<>(name, TimerEncoding.KEY, TimerEncoding.VALUE));
    }

    /** Serializer schemas of the timer states; the bytes are written by {@code KeyedTimers}. */
    private static final class TimerEncoding {
        static final dev.weir.StateSerializer<Long> KEY =
                schemaOnly(dev.weir.format.StateKeys.TIMER_KEY_SCHEMA);
        static final dev.weir.StateSerializer<Long> VALUE =
                schemaOnly(dev.weir.format.StateKeys.TIMER_VALUE_SCHEMA);

        private static dev.weir.StateSerializer<Long> schemaOnly(String schema) {
            return new dev.weir.StateSerializer<>() {
                @Override
                public byte[] serialize(Long v) {
                    throw new UnsupportedOperationException("timers are written by KeyedTimers");
                }

                @Override
                public Long deserialize(byte[] bytes) {
                    throw new UnsupportedOperationException("timers are read by KeyedTimers");
                }

                @Override
                public String schema() {
                    return schema;
                }
            };
        }
    }

    private StateTable register(StateDescriptor d) {
        StateTable existing = tables.get(d.name());
        if (existing != null) {
            if (!existing.kind.equals(d.kind())) {
                throw new WeirException(
                        subtask
                                + ": state '"
                                + d.name()
                                + "' is already registered as "
                                + existing.kind
                                + " state, not "
                                + d.kind());
            }
            return existing;
        }
        StateInfo restored = restoredStates.get(d.name());
        if (restored != null && !restored.kind().equals(d.kind())) {
            throw new WeirException(
                    subtask
                            + ": state '"
                            + d.name()
                            + "' was checkpointed as "
                            + restored.kind()
                            + " state but the job now declares it as "
                            + d.kind()
                            + " state");
        }
        ColumnFamilyHandle cf = family(d.name());
        StateInfo info = new StateInfo(d.name(), d.kind(), d.keySchema(), d.valueSchema());
        if (restored != null) {
            StateInfo old = d.keySchema().map(restored::splitJoined).orElse(restored);
            if (!old.keySchema().equals(info.keySchema())
                    || !old.valueSchema().equals(info.valueSchema())) {
                StateMigration.migrate(subtask, d, old, db, cf, writeOptions);
            }
        }
        StateTable t = new StateTable(tables.size(), info, cf, createdEmpty.contains(d.name()));
        tables.put(d.name(), t);
        return t;
    }

    StateCache cache() {
        return cache;
    }

    RocksDB db() {
        return db;
    }

    WriteOptions writeOptions() {
        return writeOptions;
    }

    /**
     * Writes restored entries (key group, state name, canonical key, value) into this backend's
     * RocksDB, in batches; used when state comes from a savepoint or another parallelism. Call
     * before the state is used.
     */
    public void ingest(CanonicalSource source) {
        try (WriteBatch batch = new WriteBatch()) {
            int[] pending = {0};
            source.forEach(
                    (kg, state, key, value) -> {
                        if (!keyGroups.contains(kg)) {
                            return;
                        }
                        try {
                            batch.put(family(state), withKeyGroup(kg, key), value);
                            notEmpty(state);
                            if (++pending[0] == 10_000) {
                                db.write(writeOptions, batch);
                                batch.clear();
                                pending[0] = 0;
                            }
                        } catch (RocksDBException e) {
                            throw new WeirException(subtask + ": restoring state failed: " + e, e);
                        }
                    });
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new WeirException(subtask + ": restoring state failed: " + e, e);
        }
    }

    /** Where restored entries come from. */
    @FunctionalInterface
    public interface CanonicalSource {
        void forEach(CanonicalState.EntryConsumer consumer);
    }

    private ColumnFamilyHandle family(String name) {
        ColumnFamilyHandle cf = families.get(name);
        if (cf == null) {
            try {
                cf =
                        db.createColumnFamily(
                                new ColumnFamilyDescriptor(
                                        name.getBytes(StandardCharsets.UTF_8), cfOptions));
            } catch (RocksDBException e) {
                throw new WeirException(subtask + ": cannot create state '" + name + "': " + e, e);
            }
            families.put(name, cf);
            createdEmpty.add(name);
        }
        return cf;
    }

    /** State {@code name} was written other than through the cache. */
    private void notEmpty(String name) {
        if (createdEmpty.remove(name)) {
            StateTable t = tables.get(name);
            if (t != null) {
                t.fresh = false;
            }
        }
    }

    /** A snapshot taken at once on the calling thread; see {@link #snapshotAsync}. */
    public List<Path> snapshot(Path target) {
        CompletableFuture<List<Path>> files = snapshotAsync(target, Runnable::run);
        finishCapture();
        return files.join();
    }

    /**
     * Snapshots the state as it is now into {@code target} (which must not exist yet) and returns
     * the files. The part on the calling thread is short whatever the state: the cache's dirty
     * entries are set aside and RocksDB writes are suspended. The following records capture them
     * into batches a few hundred at a time ({@link #setCurrentKey}; at once when the task is idle,
     * {@link #finishCapture}); then, on {@code executor}, while the task keeps processing into the
     * cache, the batches are written and the RocksDB checkpoint taken — memtable flush and hard
     * links to immutable files. State writes reach RocksDB again when it is done, so the checkpoint
     * holds exactly the state of this moment.
     */
    public CompletableFuture<List<Path>> snapshotAsync(Path target, Executor executor) {
        awaitWritable();
        long start = System.nanoTime();
        cache.freeze();
        writesSuspended = true;
        CompletableFuture<List<Path>> files = new CompletableFuture<>();
        nativeSnapshot = files;
        pendingSnapshot = new PendingSnapshot(target, executor, files, start);
        captureStep();
        LOG.debug(
                "{}: snapshot: {} µs to set dirty entries aside",
                subtask,
                (System.nanoTime() - start) / 1000);
        return files;
    }

    /** A snapshot whose dirty entries are still being captured. */
    private record PendingSnapshot(
            Path target, Executor executor, CompletableFuture<List<Path>> files, long startNanos) {}

    /** Entries a record captures for a pending snapshot: a few microseconds' worth. */
    static final int CAPTURE_STEP = 256;

    /** Captures the next few dirty entries of a pending snapshot; starts it once all are. */
    private void captureStep() {
        if (pendingSnapshot != null) {
            List<WriteBatchBuilder> batches = cache.capture(CAPTURE_STEP);
            if (batches != null) {
                startSnapshot(batches);
            }
        }
    }

    /**
     * Captures the rest of a pending snapshot's dirty entries and starts it; the task calls this
     * when it has nothing to read, so a checkpoint does not wait for records.
     */
    public void finishCapture() {
        if (pendingSnapshot != null) {
            List<WriteBatchBuilder> batches = cache.capture(Integer.MAX_VALUE);
            if (batches == null) {
                throw new IllegalStateException(subtask + ": capture ended without its batches");
            }
            startSnapshot(batches);
        }
    }

    private void startSnapshot(List<WriteBatchBuilder> dirty) {
        PendingSnapshot p = pendingSnapshot;
        pendingSnapshot = null;
        LOG.debug(
                "{}: snapshot: dirty entries captured {} µs after the barrier",
                subtask,
                (System.nanoTime() - p.startNanos()) / 1000);
        try {
            p.executor()
                    .execute(
                            () -> {
                                // Writes resume before the future completes: whoever it wakes
                                // may start the next snapshot, whose suspension must stand.
                                List<Path> files;
                                try {
                                    write(dirty);
                                    files = checkpoint(p.target(), p.startNanos());
                                    sampleProperties();
                                } catch (Throwable t) {
                                    writesSuspended = false;
                                    p.files().completeExceptionally(t);
                                    return;
                                }
                                writesSuspended = false;
                                p.files().complete(files);
                            });
        } catch (RuntimeException e) {
            // No thread to take the snapshot (the job is stopping): the state stays whole.
            write(dirty);
            writesSuspended = false;
            p.files().completeExceptionally(e);
        }
    }

    /**
     * Writes the batches of dirty entries a snapshot detached from the cache, in order. The cache
     * counts them as written: if RocksDB refuses them, state would be lost, so every later state
     * access fails the task (which restarts from its last checkpoint).
     */
    private void write(List<WriteBatchBuilder> dirty) {
        try {
            for (WriteBatchBuilder b : dirty) {
                StateCache.writeAll(db, writeOptions, b.build());
                cache.observe(b);
            }
        } catch (RocksDBException | RuntimeException e) {
            WeirException failure =
                    new WeirException(
                            subtask + ": writing state to RocksDB for a snapshot failed: " + e, e);
            lostWrites = failure;
            throw failure;
        }
    }

    private void throwIfWritesLost() {
        WeirException e = lostWrites;
        if (e != null) {
            throw new WeirException(e.getMessage(), e);
        }
    }

    private List<Path> checkpoint(Path target, long startNanos) {
        try {
            Files.createDirectories(target.getParent());
            try (Checkpoint cp = Checkpoint.create(db)) {
                cp.createCheckpoint(target.toString());
            }
            LOG.debug(
                    "{}: RocksDB checkpoint {} µs",
                    subtask,
                    (System.nanoTime() - startNanos) / 1000);
            try (Stream<Path> files = Files.list(target)) {
                return files.filter(Files::isRegularFile).sorted().toList();
            }
        } catch (RocksDBException | IOException e) {
            throw new WeirException(
                    subtask + ": RocksDB snapshot into " + target + " failed: " + e, e);
        }
    }

    /** True while a RocksDB checkpoint is being taken: state writes must stay in the cache. */
    boolean writesSuspended() {
        return writesSuspended;
    }

    /** Waits until no RocksDB checkpoint is being taken; writes straight to RocksDB call this. */
    void awaitWritable() {
        finishCapture();
        awaitSnapshot();
        throwIfWritesLost();
    }

    private void awaitSnapshot() {
        CompletableFuture<?> f = nativeSnapshot;
        if (!f.isDone()) {
            try {
                f.join();
            } catch (RuntimeException e) {
                // The snapshot's own failure is reported by its checkpoint; writing may go on.
                LOG.debug("{}: a RocksDB checkpoint failed: {}", subtask, e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (cache != null) {
            try {
                finishCapture();
            } catch (RuntimeException e) {
                // A value that could not be serialized: that snapshot is lost, RocksDB closes.
                PendingSnapshot p = pendingSnapshot;
                pendingSnapshot = null;
                if (p != null) {
                    p.files().completeExceptionally(e);
                }
                LOG.debug("{}: snapshot abandoned at close: {}", subtask, e.toString());
            }
        }
        awaitSnapshot();
        for (ColumnFamilyHandle h : families.values()) {
            h.close();
        }
        families.clear();
        if (db != null) {
            db.close();
        }
        writeOptions.close();
        cfOptions.close();
        dbOptions.close();
        LOG.debug("{}: closed RocksDB in {}", subtask, dbDir);
    }

    /** One registered state: its column family and identity. */
    static final class StateTable {
        final int id;
        final String name;
        final String kind;

        /** What checkpoint metadata records of it. */
        final StateInfo info;

        final ColumnFamilyHandle family;

        /** {@code family.getID()}, which is a JNI call. */
        final int familyId;

        /**
         * Whether this backend created the table's column family, empty, and nothing but the state
         * cache has written to it since: neither restored from a checkpoint nor ingested from a
         * savepoint (map states, which bypass the cache, never use the flag).
         */
        boolean fresh;

        StateTable(int id, StateInfo info, ColumnFamilyHandle family, boolean fresh) {
            this.fresh = fresh;
            this.familyId = family.getID();
            this.id = id;
            this.name = info.name();
            this.kind = info.kind();
            this.info = info;
            this.family = family;
        }
    }
}
