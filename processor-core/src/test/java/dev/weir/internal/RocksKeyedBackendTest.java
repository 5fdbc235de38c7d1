package dev.weir.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.Serdes;
import dev.weir.StateSerializer;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroups;
import dev.weir.format.StateInfo;
import dev.weir.state.ListState;
import dev.weir.state.ListStateDescriptor;
import dev.weir.state.MapState;
import dev.weir.state.MapStateDescriptor;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RocksDB keyed-state backend on a real RocksDB, with the write-back cache large, tiny and off.
 */
class RocksKeyedBackendTest {
    private static final SubtaskInfo SUBTASK = new SubtaskInfo("job", "op", 0, 1);
    private static final int MAX_PARALLELISM = 128;
    private static final KeyGroupRange ALL_KEY_GROUPS = KeyGroups.rangeFor(0, MAX_PARALLELISM, 1);

    private static final ValueStateDescriptor<Long> COUNT =
            new ValueStateDescriptor<>("count", Serdes.longs());
    private static final ListStateDescriptor<String> EVENTS =
            new ListStateDescriptor<>("events", Serdes.string());
    private static final MapStateDescriptor<String, Long> SEEN =
            new MapStateDescriptor<>("seen", Serdes.string(), Serdes.longs());

    @TempDir Path tmp;

    @ParameterizedTest(name = "cache entries {0}")
    @ValueSource(ints = {100_000, 2, 0})
    void valueListAndMapStateAreIsolatedPerKey(int cacheEntries) {
        List<String> keys = keys("user-", 20);
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), cacheEntries)) {
            Driver d = new Driver(backend);
            for (int i = 0; i < keys.size(); i++) {
                d.key(keys.get(i));
                d.setCount(i);
                d.addEvent("e" + i);
                d.addEvent("f" + i);
                d.putSeen("x", i);
                d.putSeen("only-" + i, -i);
            }
            d.key(keys.get(3));
            d.clearCount();
            d.clearEvents();
            d.clearSeen();
            d.key(keys.get(4));
            d.updateEvents(List.of("replaced"));
            d.removeSeen("x");

            assertHolds(backend, d.model, keys);
        }
    }

    @ParameterizedTest(name = "cache entries {0}")
    @ValueSource(ints = {100_000, 2, 0})
    void mapStateOfAKeyDoesNotSeeEntriesOfAKeyItIsAPrefixOf(int cacheEntries) {
        String[] pair = prefixPairInOneKeyGroup();
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), cacheEntries)) {
            Driver d = new Driver(backend);
            d.key(pair[0]);
            d.putSeen("a", 1);
            d.key(pair[1]);
            d.putSeen("b", 2);
            d.putSeen("c", 3);

            assertHolds(backend, d.model, List.of(pair));
            backend.setCurrentKey(utf8(pair[0]));
            backend.mapState(SEEN).clear();
            backend.setCurrentKey(utf8(pair[1]));
            assertThat(backend.mapState(SEEN).entries()).hasSize(2);
        }
    }

    @ParameterizedTest(name = "cache entries {0}")
    @ValueSource(ints = {100_000, 2, 0})
    void restoringACopyOfASnapshotYieldsExactlyTheStateAtSnapshotTime(int cacheEntries) {
        List<String> keys = keys("k", 30);
        List<String> laterKeys = keys("new-", 10);
        Model atFirst;
        Model atSecond;
        Path snap1 = tmp.resolve("snapshots/1");
        Path snap2 = tmp.resolve("snapshots/2");
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), cacheEntries)) {
            Driver d = new Driver(backend);
            writeInitialState(d, keys);
            List<Path> files = backend.snapshot(snap1);
            atFirst = d.model.copy();
            assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(f).startsWith(snap1));

            updateEverything(d, keys, laterKeys);
            backend.snapshot(snap2);
            atSecond = d.model.copy();

            updateEverything(d, keys, laterKeys);
            assertHolds(backend, d.model, union(keys, laterKeys));
        }

        try (RocksKeyedBackend restored =
                open(copyOf(snap1, tmp.resolve("restore-1")), cacheEntries)) {
            assertHolds(restored, atFirst, union(keys, laterKeys));
        }
        try (RocksKeyedBackend restored =
                open(copyOf(snap2, tmp.resolve("restore-2")), cacheEntries)) {
            assertHolds(restored, atSecond, union(keys, laterKeys));
        }
    }

    @ParameterizedTest(name = "cache entries {0}")
    @ValueSource(ints = {100_000, 2, 0})
    void restoredBackendKeepsWorkingAndSnapshotsAgain(int cacheEntries) {
        List<String> keys = keys("k", 10);
        Path snap = tmp.resolve("snap");
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), cacheEntries)) {
            writeInitialState(new Driver(backend), keys);
            backend.snapshot(snap);
        }
        Model expected;
        Path again = tmp.resolve("again");
        try (RocksKeyedBackend restored =
                open(copyOf(snap, tmp.resolve("restored")), cacheEntries)) {
            Driver d = new Driver(restored);
            d.model.putAll(modelOf(restored, keys));
            d.key(keys.get(0));
            d.setCount(-7);
            d.addEvent("after-restore");
            d.putSeen("z", 26);
            restored.snapshot(again);
            expected = d.model.copy();
        }
        try (RocksKeyedBackend restoredAgain =
                open(copyOf(again, tmp.resolve("restored-again")), cacheEntries)) {
            assertHolds(restoredAgain, expected, keys);
        }
    }

    @Test
    void byteArrayValuesReadOrWrittenStayTheCallersOwn() {
        ValueStateDescriptor<byte[]> blob = new ValueStateDescriptor<>("blob", Serdes.bytes());
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), 10)) {
            ValueState<byte[]> state = backend.valueState(blob);
            backend.setCurrentKey(utf8("k"));
            byte[] written = {1, 2, 3};
            state.update(written);
            written[0] = 9;
            byte[] read = state.valueOrElse(null);
            assertThat(read).containsExactly(1, 2, 3);
            // The cache updates a value of the same length in place; what was read stays.
            state.update(new byte[] {4, 5, 6});
            assertThat(read).containsExactly(1, 2, 3);
            read[1] = 9;
            assertThat(state.valueOrElse(null)).containsExactly(4, 5, 6);
        }
    }

    @Test
    void everyStateInsertsIntoItsMemtableWithAHintPerKeyGroup() throws Exception {
        Path dir = tmp.resolve("db");
        try (RocksKeyedBackend backend = open(dir, 10)) {
            backend.valueState(COUNT);
            backend.setCurrentKey(utf8("k"));
            backend.valueState(COUNT).update(1L);
        }
        Path options;
        try (Stream<Path> files = Files.list(dir)) {
            options =
                    files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-"))
                            .max(Path::compareTo)
                            .orElseThrow();
        }
        List<String> lines = Files.readAllLines(options);
        // The default column family and the state's.
        assertThat(lines.stream().filter(l -> l.startsWith("[CFOptions ")))
                .containsExactly("[CFOptions \"default\"]", "[CFOptions \"count\"]");
        assertThat(
                        lines.stream()
                                .map(String::trim)
                                .filter(
                                        l ->
                                                l.equals(
                                                        "memtable_insert_with_hint_prefix_extractor="
                                                                + "rocksdb.FixedPrefix.2")))
                .hasSize(2);
    }

    /**
     * A snapshot that starts the moment the previous one's files are reported (the task sees the
     * future complete and takes the next barrier) must keep writes out of RocksDB until its own
     * checkpoint is taken: the previous snapshot may not clear the suspension behind its back.
     */
    @Test
    void aSnapshotStartedAsThePreviousOneCompletesStillHoldsExactlyItsBarriersState()
            throws Exception {
        List<Runnable> first = new ArrayList<>();
        List<Runnable> second = new ArrayList<>();
        Path snapshot2 = tmp.resolve("snap2");
        try (RocksKeyedBackend backend =
                open(
                        tmp.resolve("db"),
                        ALL_KEY_GROUPS,
                        new StateCache.Limits(1, Long.MAX_VALUE, 1))) {
            ValueState<Long> count = backend.valueState(COUNT);
            backend.setCurrentKey(utf8("k"));
            count.update(1L);
            var files1 = backend.snapshotAsync(tmp.resolve("snap1"), first::add);
            backend.setCurrentKey(utf8("k"));
            count.update(2L);
            backend.finishCapture();
            List<java.util.concurrent.CompletableFuture<List<Path>>> files2 = new ArrayList<>();
            files1.thenRun(() -> files2.add(backend.snapshotAsync(snapshot2, second::add)));
            first.forEach(Runnable::run);
            assertThat(files2).hasSize(1);
            backend.setCurrentKey(utf8("k"));
            count.update(3L);
            backend.setCurrentKey(utf8("other"));
            count.update(3L);
            backend.finishCapture();
            second.forEach(Runnable::run);
            assertThat(files2.get(0).join()).isNotEmpty();
        }
        try (RocksKeyedBackend restored = open(copyOf(snapshot2, tmp.resolve("restored")), 100)) {
            ValueState<Long> count = restored.valueState(COUNT);
            restored.setCurrentKey(utf8("k"));
            assertThat(count.value()).as("value of k at the second barrier").contains(2L);
            restored.setCurrentKey(utf8("other"));
            assertThat(count.value()).as("a key first written after the second barrier").isEmpty();
        }
    }

    @Test
    void writesWhileTheRocksDbCheckpointIsTakenStayOutOfItAndLandAfterwards() throws Exception {
        List<Runnable> deferred = new ArrayList<>();
        Path snapshot = tmp.resolve("snap");
        // A one-entry cache that writes every dirty value at once: without the suspension these
        // writes would reach RocksDB before the deferred checkpoint runs.
        try (RocksKeyedBackend backend =
                open(
                        tmp.resolve("db"),
                        ALL_KEY_GROUPS,
                        new StateCache.Limits(1, Long.MAX_VALUE, 1))) {
            ValueState<Long> count = backend.valueState(COUNT);
            for (int i = 0; i < 5; i++) {
                backend.setCurrentKey(utf8("k" + i));
                count.update(1L);
            }
            var files = backend.snapshotAsync(snapshot, deferred::add);
            for (int i = 0; i < 5; i++) {
                backend.setCurrentKey(utf8("k" + i));
                count.update(2L);
            }
            assertThat(files).isNotDone();
            deferred.forEach(Runnable::run);
            assertThat(files.join()).isNotEmpty();
            backend.setCurrentKey(utf8("k6"));
            count.update(2L);
            for (int i = 0; i < 5; i++) {
                backend.setCurrentKey(utf8("k" + i));
                assertThat(count.value()).as("live value of k%d", i).contains(2L);
            }
        }
        try (RocksKeyedBackend restored = open(copyOf(snapshot, tmp.resolve("restored")), 100)) {
            ValueState<Long> count = restored.valueState(COUNT);
            for (int i = 0; i < 5; i++) {
                restored.setCurrentKey(utf8("k" + i));
                assertThat(count.value()).as("snapshot value of k%d", i).contains(1L);
            }
        }
    }

    @Test
    void aBarriersStateIsCapturedWhileRecordsGoOnAndTheSnapshotHoldsItAsItWasAtTheBarrier()
            throws Exception {
        List<Runnable> deferred = new ArrayList<>();
        Path snapshot = tmp.resolve("snap");
        int keys = 3 * RocksKeyedBackend.CAPTURE_STEP;
        try (RocksKeyedBackend backend =
                open(
                        tmp.resolve("db"),
                        ALL_KEY_GROUPS,
                        new StateCache.Limits(10_000, 1L << 30, 10_000))) {
            ValueState<Long> count = backend.valueState(COUNT);
            ListState<String> events = backend.listState(EVENTS);
            for (int i = 0; i < keys; i++) {
                backend.setCurrentKey(utf8("k" + i));
                count.update((long) i);
                events.add("e" + i);
            }
            var files = backend.snapshotAsync(snapshot, deferred::add);
            assertThat(deferred)
                    .as("%d dirty entries are not captured at the barrier", 2 * keys)
                    .isEmpty();
            // The last keys dirtied are the last in turn: these records reach them first. A list
            // state changes its cached list in place, so it must be captured before.
            for (int i = keys - 1; i >= keys - 20; i--) {
                backend.setCurrentKey(utf8("k" + i));
                count.update(-1L);
                events.add("after");
            }
            backend.finishCapture();
            assertThat(deferred).as("the snapshot, started once all are captured").hasSize(1);
            assertThat(files).isNotDone();
            deferred.forEach(Runnable::run);
            assertThat(files.join()).isNotEmpty();
            backend.setCurrentKey(utf8("k" + (keys - 1)));
            assertThat(count.value()).as("live value").contains(-1L);
            assertThat(events.get()).as("live list").containsExactly("e" + (keys - 1), "after");
        }
        try (RocksKeyedBackend restored = open(copyOf(snapshot, tmp.resolve("restored")), 100)) {
            ValueState<Long> count = restored.valueState(COUNT);
            ListState<String> events = restored.listState(EVENTS);
            for (int i = 0; i < keys; i++) {
                restored.setCurrentKey(utf8("k" + i));
                assertThat(count.value()).as("snapshot value of k%d", i).contains((long) i);
                assertThat(events.get()).as("snapshot list of k%d", i).containsExactly("e" + i);
            }
        }
    }

    @Test
    void aValueThatCannotBeSerializedFailsTheRecordThatCapturesItAndCloseStillCloses()
            throws Exception {
        int keys = 3 * RocksKeyedBackend.CAPTURE_STEP;
        // The last key's list, captured after the barrier by a later record.
        String unserializable = "e" + (keys - 1);
        boolean[] broken = {false};
        StateSerializer<String> fragile =
                new StateSerializer<>() {
                    @Override
                    public byte[] serialize(String value) {
                        if (broken[0] && value.equals(unserializable)) {
                            throw new IllegalStateException("cannot serialize " + value);
                        }
                        return utf8(value);
                    }

                    @Override
                    public String deserialize(byte[] bytes) {
                        return new String(bytes, StandardCharsets.UTF_8);
                    }
                };
        List<Runnable> deferred = new ArrayList<>();
        RocksKeyedBackend backend =
                open(
                        tmp.resolve("db"),
                        ALL_KEY_GROUPS,
                        new StateCache.Limits(10_000, 1L << 30, 10_000));
        ListState<String> events = backend.listState(new ListStateDescriptor<>("events", fragile));
        for (int i = 0; i < keys; i++) {
            backend.setCurrentKey(utf8("k" + i));
            events.add("e" + i);
        }
        broken[0] = true;
        var files = backend.snapshotAsync(tmp.resolve("snap"), deferred::add);

        assertThatThrownBy(
                        () -> {
                            for (int i = 0; i < keys; i++) {
                                backend.setCurrentKey(utf8("k" + i));
                            }
                        })
                .hasMessageContaining("cannot serialize " + unserializable);
        backend.close();
        assertThat(files).isCompletedExceptionally();
        assertThat(deferred).isEmpty();
    }

    @Test
    void keyOfAKeyGroupOutsideTheBackendsRangeIsRejected() {
        KeyGroupRange firstHalf = KeyGroups.rangeFor(0, MAX_PARALLELISM, 2);
        String outside =
                IntStream.range(0, 1_000)
                        .mapToObj(i -> "key-" + i)
                        .filter(k -> !firstHalf.contains(keyGroup(k)))
                        .findFirst()
                        .orElseThrow();
        String inside =
                IntStream.range(0, 1_000)
                        .mapToObj(i -> "key-" + i)
                        .filter(k -> firstHalf.contains(keyGroup(k)))
                        .findFirst()
                        .orElseThrow();
        try (RocksKeyedBackend backend =
                open(tmp.resolve("db"), firstHalf, new StateCache.Limits(100, Long.MAX_VALUE, 3))) {
            backend.setCurrentKey(utf8(inside));

            assertThatThrownBy(() -> backend.setCurrentKey(utf8(outside)))
                    .isInstanceOf(WeirException.class)
                    .hasMessageContaining("key group " + keyGroup(outside))
                    .hasMessageContaining(firstHalf.toString());
        }
    }

    @Test
    void registeringAStateNameAgainWithAnotherKindFails() {
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), 100)) {
            backend.valueState(new ValueStateDescriptor<>("s", Serdes.longs()));

            assertThatThrownBy(
                            () ->
                                    backend.listState(
                                            new ListStateDescriptor<>("s", Serdes.string())))
                    .isInstanceOf(WeirException.class)
                    .hasMessageContaining("'s'")
                    .hasMessageContaining("value")
                    .hasMessageContaining("list");
            assertThatThrownBy(
                            () ->
                                    backend.mapState(
                                            new MapStateDescriptor<>(
                                                    "s", Serdes.string(), Serdes.string())))
                    .isInstanceOf(WeirException.class)
                    .hasMessageContaining("map");
        }
    }

    @Test
    void aNewStateReadsRocksDbOnlyOnceTheCacheHasEvicted() {
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), 100)) {
            ValueState<Long> count = backend.valueState(COUNT);
            for (int i = 0; i < 90; i++) {
                backend.setCurrentKey(utf8("k" + i));
                assertThat(count.value()).isEmpty();
                count.update((long) i);
            }
            // Every key RocksDB could hold is in the cache: a key seen first is absent.
            assertThat(backend.cache().misses.get()).isZero();
            for (int i = 90; i < 300; i++) {
                backend.setCurrentKey(utf8("k" + i));
                count.update((long) i);
            }
            for (int i = 0; i < 300; i++) {
                backend.setCurrentKey(utf8("k" + i));
                assertThat(count.value()).as("k%d", i).contains((long) i);
            }
            backend.setCurrentKey(utf8("new"));
            assertThat(count.value()).isEmpty();
            assertThat(backend.cache().misses.get()).isPositive();
        }
    }

    @Test
    void aRestoredStateIsReadFromRocksDbOnAMiss() {
        Path snap = tmp.resolve("snap");
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), 100)) {
            ValueState<Long> count = backend.valueState(COUNT);
            backend.setCurrentKey(utf8("alice"));
            count.update(7L);
            backend.snapshot(snap);
        }
        try (RocksKeyedBackend restored =
                restoredCopy(snap, Map.of("count", StateInfo.of("count", "value", "long:be64")))) {
            ValueState<Long> count = restored.valueState(COUNT);
            restored.setCurrentKey(utf8("alice"));
            assertThat(count.value()).contains(7L);
        }
        // And a new backend that state was ingested into, as from a savepoint.
        try (RocksKeyedBackend ingested = open(tmp.resolve("ingested"), 100)) {
            ingested.ingest(
                    c -> {
                        byte[] key = utf8("bob");
                        int kg =
                                KeyGroups.keyGroupOfHash(
                                        dev.weir.format.Murmur3.hash32(key), MAX_PARALLELISM);
                        c.accept(kg, "count", key, Serdes.longs().serialize(9L));
                    });
            ValueState<Long> count = ingested.valueState(COUNT);
            ingested.setCurrentKey(utf8("bob"));
            assertThat(count.value()).contains(9L);
        }
    }

    @Test
    void registeringAStateNameAgainWithTheSameKindSharesTheState() {
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), 100)) {
            ValueState<Long> first = backend.valueState(COUNT);
            ValueState<Long> second = backend.valueState(COUNT);
            backend.setCurrentKey(utf8("alice"));

            first.update(5L);

            assertThat(second.value()).contains(5L);
            assertThat(backend.stateInfos()).hasSize(1);
        }
    }

    @Test
    void stateCheckpointedAsOneKindCannotBeRestoredAsAnother() {
        Map<String, StateInfo> restored = Map.of("s", StateInfo.of("s", "value", "long:be64"));
        try (RocksKeyedBackend backend =
                new RocksKeyedBackend(
                        SUBTASK,
                        tmp.resolve("db"),
                        ALL_KEY_GROUPS,
                        MAX_PARALLELISM,
                        new StateCache.Limits(100, Long.MAX_VALUE, 3),
                        restored)) {
            assertThatThrownBy(
                            () ->
                                    backend.listState(
                                            new ListStateDescriptor<>("s", Serdes.string())))
                    .isInstanceOf(WeirException.class)
                    .hasMessageContaining("'s'")
                    .hasMessageContaining("checkpointed as value");
        }
    }

    /** Strings whose schema holds "->"; a writer schema "v1" is migrated by adding a suffix. */
    private static final class ArrowSerde implements StateSerializer<String> {
        private final String schema;

        ArrowSerde(String schema) {
            this.schema = schema;
        }

        @Override
        public byte[] serialize(String value) {
            return utf8(value);
        }

        @Override
        public String deserialize(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public String schema() {
            return schema;
        }

        @Override
        public Optional<UnaryOperator<byte[]>> migrationFrom(String writerSchema) {
            if (!writerSchema.equals("v1 (a->b)")) {
                throw new IllegalArgumentException("unexpected writer schema " + writerSchema);
            }
            return Optional.of(b -> utf8(deserialize(b) + " migrated"));
        }
    }

    @Test
    void aMapStateRecordedJoinedMigratesItsValuesWhenItsKeySchemaHoldsAnArrow() {
        ArrowSerde keys = new ArrowSerde("key (x->y)");
        Path snap = tmp.resolve("snap");
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), 100)) {
            MapState<String, String> m =
                    backend.mapState(
                            new MapStateDescriptor<>("m", keys, new ArrowSerde("v1 (a->b)")));
            backend.setCurrentKey(utf8("alice"));
            m.put("k", "old");
            backend.snapshot(snap);
        }
        // As metadata format 2 recorded the state: both schemas in one string.
        StateInfo joined = new StateInfo("m", "map", Optional.empty(), "key (x->y)->v1 (a->b)");
        try (RocksKeyedBackend restored = restoredCopy(snap, Map.of("m", joined))) {
            MapState<String, String> m =
                    restored.mapState(
                            new MapStateDescriptor<>("m", keys, new ArrowSerde("v2 (a->b)")));
            restored.setCurrentKey(utf8("alice"));

            assertThat(m.get("k")).contains("old migrated");
            assertThat(restored.stateInfos())
                    .containsExactly(StateInfo.map("m", "key (x->y)", "v2 (a->b)"));
        }
    }

    @Test
    void stateInfosListRegisteredStatesInRegistrationOrder() {
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), 100)) {
            assertThat(backend.stateInfos()).isEmpty();

            backend.mapState(SEEN);
            backend.valueState(COUNT);
            backend.listState(EVENTS);

            assertThat(backend.stateInfos())
                    .containsExactly(
                            StateInfo.map("seen", "string:utf8", "long:be64"),
                            StateInfo.of("count", "value", "long:be64"),
                            StateInfo.of("events", "list", "string:utf8"));
        }
    }

    @Test
    void stateUsedBeforeAnyKeyIsSetFails() {
        try (RocksKeyedBackend backend = open(tmp.resolve("db"), 100)) {
            ValueState<Long> count = backend.valueState(COUNT);

            assertThatThrownBy(count::value)
                    .isInstanceOf(WeirException.class)
                    .hasMessageContaining("outside of processing a record");
        }
    }

    // ---- workload -------------------------------------------------------------------------

    private static void writeInitialState(Driver d, List<String> keys) {
        for (int i = 0; i < keys.size(); i++) {
            d.key(keys.get(i));
            d.setCount(i);
            d.addEvent("e" + i);
            d.addEvent("f" + i);
            d.putSeen("x", i);
            d.putSeen("y" + i, -i);
        }
    }

    /** Changes, clears and adds state of every kind, for old keys and new ones. */
    private static void updateEverything(Driver d, List<String> keys, List<String> laterKeys) {
        for (int i = 0; i < keys.size(); i++) {
            d.key(keys.get(i));
            switch (i % 4) {
                case 0 -> {
                    d.setCount(d.model.counts.getOrDefault(keys.get(i), 0L) + 100);
                    d.addEvent("g" + i);
                    d.putSeen("x", 1_000 + i);
                }
                case 1 -> {
                    d.clearCount();
                    d.updateEvents(List.of());
                    d.removeSeen("x");
                }
                case 2 -> {
                    d.updateEvents(List.of("u" + i));
                    d.clearSeen();
                }
                default -> {
                    d.clearEvents();
                    d.putSeen("w" + i, i);
                }
            }
        }
        for (String k : laterKeys) {
            d.key(k);
            d.setCount(d.model.counts.getOrDefault(k, 0L) + 1);
            d.addEvent("late");
            d.putSeen("late", 1);
        }
    }

    // ---- model and assertions ------------------------------------------------------------

    /** What the state should be: absent keys have no value, no list and no map entries. */
    private static final class Model {
        final Map<String, Long> counts = new HashMap<>();
        final Map<String, List<String>> events = new HashMap<>();
        final Map<String, TreeMap<String, Long>> seen = new HashMap<>();

        Model copy() {
            Model m = new Model();
            m.putAll(this);
            return m;
        }

        void putAll(Model other) {
            counts.putAll(other.counts);
            other.events.forEach((k, v) -> events.put(k, new ArrayList<>(v)));
            other.seen.forEach((k, v) -> seen.put(k, new TreeMap<>(v)));
        }
    }

    /** Applies each operation to the backend's state and to the model. */
    private static final class Driver {
        final RocksKeyedBackend backend;
        final ValueState<Long> count;
        final ListState<String> events;
        final MapState<String, Long> seen;
        final Model model = new Model();
        String current;

        Driver(RocksKeyedBackend backend) {
            this.backend = backend;
            this.count = backend.valueState(COUNT);
            this.events = backend.listState(EVENTS);
            this.seen = backend.mapState(SEEN);
        }

        void key(String key) {
            backend.setCurrentKey(utf8(key));
            current = key;
        }

        void setCount(long v) {
            count.update(v);
            model.counts.put(current, v);
        }

        void clearCount() {
            count.clear();
            model.counts.remove(current);
        }

        void addEvent(String e) {
            events.add(e);
            model.events.computeIfAbsent(current, k -> new ArrayList<>()).add(e);
        }

        void updateEvents(List<String> list) {
            events.update(list);
            if (list.isEmpty()) {
                model.events.remove(current);
            } else {
                model.events.put(current, new ArrayList<>(list));
            }
        }

        void clearEvents() {
            events.clear();
            model.events.remove(current);
        }

        void putSeen(String userKey, long v) {
            seen.put(userKey, v);
            model.seen.computeIfAbsent(current, k -> new TreeMap<>()).put(userKey, v);
        }

        void removeSeen(String userKey) {
            seen.remove(userKey);
            TreeMap<String, Long> m = model.seen.get(current);
            if (m != null) {
                m.remove(userKey);
                if (m.isEmpty()) {
                    model.seen.remove(current);
                }
            }
        }

        void clearSeen() {
            seen.clear();
            model.seen.remove(current);
        }
    }

    private static void assertHolds(RocksKeyedBackend backend, Model expected, List<String> keys) {
        Model actual = modelOf(backend, keys);
        assertThat(actual.counts).as("value state").isEqualTo(expected.counts);
        assertThat(actual.events).as("list state").isEqualTo(expected.events);
        assertThat(actual.seen).as("map state").isEqualTo(expected.seen);
    }

    private static Model modelOf(RocksKeyedBackend backend, List<String> keys) {
        ValueState<Long> count = backend.valueState(COUNT);
        ListState<String> events = backend.listState(EVENTS);
        MapState<String, Long> seen = backend.mapState(SEEN);
        Model m = new Model();
        for (String k : keys) {
            backend.setCurrentKey(utf8(k));
            count.value().ifPresent(v -> m.counts.put(k, v));
            if (!events.get().isEmpty()) {
                m.events.put(k, new ArrayList<>(events.get()));
            }
            LinkedHashMap<String, Long> entries = new LinkedHashMap<>();
            seen.entries().forEach(e -> entries.put(e.getKey(), e.getValue()));
            assertThat(seen.isEmpty())
                    .as("isEmpty of map state of %s", k)
                    .isEqualTo(entries.isEmpty());
            if (!entries.isEmpty()) {
                assertThat(new ArrayList<>(entries.keySet()))
                        .as("map entries of %s in key order", k)
                        .isSorted();
                entries.forEach((uk, v) -> assertThat(seen.get(uk)).contains(v));
                m.seen.put(k, new TreeMap<>(entries));
            }
        }
        return m;
    }

    // ---- helpers --------------------------------------------------------------------------

    private static RocksKeyedBackend open(Path dir, int cacheEntries) {
        return open(dir, ALL_KEY_GROUPS, new StateCache.Limits(cacheEntries, Long.MAX_VALUE, 3));
    }

    private static RocksKeyedBackend open(
            Path dir, KeyGroupRange keyGroups, StateCache.Limits cache) {
        return new RocksKeyedBackend(SUBTASK, dir, keyGroups, MAX_PARALLELISM, cache, Map.of());
    }

    /** A backend opened on a copy of snapshot {@code snap} that recorded {@code states}. */
    private RocksKeyedBackend restoredCopy(Path snap, Map<String, StateInfo> states) {
        return new RocksKeyedBackend(
                SUBTASK,
                copyOf(snap, tmp.resolve("restored")),
                ALL_KEY_GROUPS,
                MAX_PARALLELISM,
                new StateCache.Limits(100, Long.MAX_VALUE, 3),
                states);
    }

    private static Path copyOf(Path source, Path target) {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.collect(Collectors.toList())) {
                Files.copy(p, target.resolve(source.relativize(p).toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** Two keys, one a prefix of the other, in the same key group. */
    private static String[] prefixPairInOneKeyGroup() {
        for (int i = 0; ; i++) {
            String shorter = "p" + i;
            String longer = shorter + "0";
            if (keyGroup(shorter) == keyGroup(longer)) {
                return new String[] {shorter, longer};
            }
        }
    }

    private static List<String> keys(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    private static List<String> union(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    private static int keyGroup(String key) {
        return KeyGroups.keyGroupFor(utf8(key), MAX_PARALLELISM);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
