package dev.weir.testkit;

import dev.weir.Barrier;
import dev.weir.EndOfInput;
import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.StateSerializer;
import dev.weir.SubtaskInfo;
import dev.weir.format.KeyGroups;
import dev.weir.internal.OperatorHarnessDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;

/**
 * Tests one {@link KeyedProcessFunction} without threads or Kafka: feed records, barriers and
 * end-of-input on one or more input channels, read what it emits, snapshot its RocksDB state and
 * restore it into a fresh instance. The same gate, state backend and snapshot files as a running
 * job are used, so barrier alignment and restore behave as in production.
 *
 * <pre>{@code
 * try (var h = KeyedOperatorHarness.of(MyFunction::new, Serdes.string()).build()) {
 *     h.processRecord(Record.of("k", 1L, 0));
 *     var snapshot = h.snapshot(1);
 *     try (var restored = h.restore(snapshot)) { … }
 * }
 * }</pre>
 *
 * Not thread-safe: use it from the test thread.
 */
public final class KeyedOperatorHarness<K, V, KO, VO> implements AutoCloseable {
    /** A snapshot of the operator's state. */
    public static final class Snapshot {
        private final OperatorHarnessDriver.Snapshot inner;

        private Snapshot(OperatorHarnessDriver.Snapshot inner) {
            this.inner = inner;
        }

        public long checkpointId() {
            return inner.checkpointId();
        }
    }

    /** Configures a harness. */
    public static final class Builder<K, V, KO, VO> {
        private final Supplier<? extends KeyedProcessFunction<K, V, KO, VO>> factory;
        private final StateSerializer<K> keySerializer;
        private int inputs = 1;
        private int maxParallelism = KeyGroups.DEFAULT_MAX_PARALLELISM;
        private InstantSource clock = InstantSource.system();

        private Builder(
                Supplier<? extends KeyedProcessFunction<K, V, KO, VO>> factory,
                StateSerializer<K> keySerializer) {
            this.factory = factory;
            this.keySerializer = keySerializer;
        }

        /** Number of input channels (default 1); barriers align across them. */
        public Builder<K, V, KO, VO> inputs(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("inputs must be >= 1, got " + n);
            }
            this.inputs = n;
            return this;
        }

        public Builder<K, V, KO, VO> maxParallelism(int m) {
            KeyGroups.checkParallelism(1, m);
            this.maxParallelism = m;
            return this;
        }

        public Builder<K, V, KO, VO> clock(InstantSource clock) {
            this.clock = clock;
            return this;
        }

        public KeyedOperatorHarness<K, V, KO, VO> build() {
            Path dir = tempDir();
            return new KeyedOperatorHarness<>(
                    this,
                    dir,
                    call(
                            () ->
                                    OperatorHarnessDriver.create(
                                            factory,
                                            keySerializer,
                                            info(),
                                            maxParallelism,
                                            inputs,
                                            dir,
                                            clock)));
        }

        private SubtaskInfo info() {
            return new SubtaskInfo("harness", "operator", 0, 1);
        }
    }

    private final Builder<K, V, KO, VO> config;
    private final Path dir;
    private final OperatorHarnessDriver driver;

    private KeyedOperatorHarness(
            Builder<K, V, KO, VO> config, Path dir, OperatorHarnessDriver driver) {
        this.config = config;
        this.dir = dir;
        this.driver = driver;
    }

    public static <K, V, KO, VO> Builder<K, V, KO, VO> of(
            Supplier<? extends KeyedProcessFunction<K, V, KO, VO>> factory,
            StateSerializer<K> keySerializer) {
        return new Builder<>(factory, keySerializer);
    }

    /** A record on input 0. */
    public void processRecord(Record<K, V> record) {
        driver.add(0, record);
    }

    public void processRecord(int input, Record<K, V> record) {
        driver.add(input, record);
    }

    /**
     * Barrier {@code checkpointId} on {@code input}. When it has arrived on every input the
     * operator snapshots (see {@link #barrierSnapshots}); until then the input is held.
     */
    public void processBarrier(int input, long checkpointId) {
        driver.add(input, new Barrier(checkpointId, 0));
    }

    public void endInput(int input) {
        driver.add(input, EndOfInput.INSTANCE);
    }

    /** Whether {@code input} is held by a barrier alignment in progress. */
    public boolean isBlocked(int input) {
        return driver.isBlocked(input);
    }

    /** Records emitted since the last call. */
    @SuppressWarnings("unchecked")
    public List<Record<KO, VO>> takeOutput() {
        return driver.takeOutput().stream().map(r -> (Record<KO, VO>) (Record<?, ?>) r).toList();
    }

    /** Snapshots the operator now. */
    public Snapshot snapshot(long checkpointId) {
        return new Snapshot(driver.snapshot(checkpointId));
    }

    /** Snapshots taken when barriers aligned, oldest first. */
    public List<Snapshot> barrierSnapshots() {
        return driver.barrierSnapshots().stream().map(Snapshot::new).toList();
    }

    /**
     * A new harness running another version of the function (for example one whose state schema
     * evolved), restored from {@code snapshot}.
     */
    public <KO2, VO2> KeyedOperatorHarness<K, V, KO2, VO2> restore(
            Snapshot snapshot,
            Supplier<? extends KeyedProcessFunction<K, V, KO2, VO2>> newVersion) {
        Builder<K, V, KO2, VO2> b = new Builder<>(newVersion, config.keySerializer);
        b.inputs = config.inputs;
        b.maxParallelism = config.maxParallelism;
        b.clock = config.clock;
        Path d = tempDir();
        return new KeyedOperatorHarness<>(
                b,
                d,
                call(
                        () ->
                                OperatorHarnessDriver.restore(
                                        snapshot.inner,
                                        newVersion,
                                        b.keySerializer,
                                        b.info(),
                                        b.maxParallelism,
                                        b.inputs,
                                        d,
                                        b.clock)));
    }

    /** A new harness whose operator is a fresh instance restored from {@code snapshot}. */
    public KeyedOperatorHarness<K, V, KO, VO> restore(Snapshot snapshot) {
        Path d = tempDir();
        return new KeyedOperatorHarness<>(
                config,
                d,
                call(
                        () ->
                                OperatorHarnessDriver.restore(
                                        snapshot.inner,
                                        config.factory,
                                        config.keySerializer,
                                        config.info(),
                                        config.maxParallelism,
                                        config.inputs,
                                        d,
                                        config.clock)));
    }

    @Override
    public void close() {
        call(
                () -> {
                    driver.close();
                    return null;
                });
    }

    /**
     * Where this harness keeps its RocksDB and snapshot files (deleted on JVM exit is not
     * guaranteed).
     */
    public Path directory() {
        return dir;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("weir-harness-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
