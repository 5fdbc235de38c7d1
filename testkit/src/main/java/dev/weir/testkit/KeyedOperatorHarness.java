package dev.weir.testkit;

import dev.weir.Barrier;
import dev.weir.EndOfInput;
import dev.weir.KeyedProcessFunction;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.StateSerializer;
import dev.weir.SubtaskInfo;
import dev.weir.TimeDomain;
import dev.weir.Watermark;
import dev.weir.format.KeyGroups;
import dev.weir.internal.OperatorHarnessDriver;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;

/**
 * Tests one {@link KeyedProcessFunction} without threads or Kafka: feed records, barriers,
 * watermarks and end-of-input on one or more input channels, move processing time, read what it
 * emits (main and side outputs), snapshot its RocksDB state with its pending timers and restore it
 * into a fresh instance, at the same or another parallelism. The same gate, state backend, timers
 * and snapshot files as a running job are used, so barrier alignment, watermark merging, timer
 * firing and restore behave as in production.
 *
 * <pre>{@code
 * try (var h = KeyedOperatorHarness.of(MyFunction::new, Serdes.string()).build()) {
 *     h.processRecord(Record.of("k", 1L, 10));
 *     h.processWatermark(100);              // fires event-time timers up to 100
 *     h.setProcessingTime(5_000);           // fires processing-time timers up to 5000
 *     var snapshot = h.snapshot(1);
 *     try (var restored = h.restore(snapshot)) { … }
 * }
 * }</pre>
 *
 * Processing time comes from the harness's own clock, which starts at 0 and moves only through
 * {@link #setProcessingTime}, unless the builder was given a clock. Not thread-safe: use it from
 * the test thread.
 */
public final class KeyedOperatorHarness<K, V, KO, VO> implements AutoCloseable {
    /** A snapshot of the operator's state and timers. */
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
        private int subtask = 0;
        private int parallelism = 1;
        private InstantSource clock;

        private Builder(
                Supplier<? extends KeyedProcessFunction<K, V, KO, VO>> factory,
                StateSerializer<K> keySerializer) {
            this.factory = factory;
            this.keySerializer = keySerializer;
        }

        /**
         * Number of input channels (default 1); barriers align and watermarks merge across them.
         */
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

        /**
         * Runs the operator as subtask {@code index} of {@code parallelism} (default 0 of 1): it
         * then owns only that subtask's key groups, and a record of another key fails.
         */
        public Builder<K, V, KO, VO> subtask(int index, int parallelism) {
            KeyGroups.checkParallelism(parallelism, maxParallelism);
            if (index < 0 || index >= parallelism) {
                throw new IllegalArgumentException(
                        "subtask must be in [0, " + parallelism + "), got " + index);
            }
            this.subtask = index;
            this.parallelism = parallelism;
            return this;
        }

        /**
         * Processing time from {@code clock} instead of the harness's manual clock; {@link
         * #setProcessingTime} is then not available, {@link #fireProcessingTimers} is.
         */
        public Builder<K, V, KO, VO> clock(InstantSource clock) {
            this.clock = clock;
            return this;
        }

        public KeyedOperatorHarness<K, V, KO, VO> build() {
            ManualClock manual = clock == null ? new ManualClock() : null;
            InstantSource c = clock == null ? manual : clock;
            Path dir = tempDir();
            return new KeyedOperatorHarness<>(
                    this,
                    dir,
                    manual,
                    call(
                            () ->
                                    OperatorHarnessDriver.create(
                                            factory,
                                            keySerializer,
                                            info(),
                                            maxParallelism,
                                            inputs,
                                            dir,
                                            c)));
        }

        private Builder<K, V, KO, VO> copy() {
            Builder<K, V, KO, VO> b = new Builder<>(factory, keySerializer);
            b.inputs = inputs;
            b.maxParallelism = maxParallelism;
            b.subtask = subtask;
            b.parallelism = parallelism;
            b.clock = clock;
            return b;
        }

        private SubtaskInfo info() {
            return new SubtaskInfo("harness", "operator", subtask, parallelism);
        }
    }

    /** The harness's own processing time: moves only when the test says. */
    private static final class ManualClock implements InstantSource {
        private long millis;

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public long millis() {
            return millis;
        }
    }

    private final Builder<K, V, KO, VO> config;
    private final Path dir;
    private final ManualClock manual;
    private final OperatorHarnessDriver driver;

    private KeyedOperatorHarness(
            Builder<K, V, KO, VO> config,
            Path dir,
            ManualClock manual,
            OperatorHarnessDriver driver) {
        this.config = config;
        this.dir = dir;
        this.manual = manual;
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
     * Watermark {@code timestamp} on input 0: with one input, event-time timers up to it fire now.
     */
    public void processWatermark(long timestamp) {
        driver.add(0, new Watermark(timestamp));
    }

    /**
     * Watermark {@code timestamp} on {@code input}; the operator's watermark is the minimum over
     * the inputs that are not idle, and timers fire when it moves.
     */
    public void processWatermark(int input, long timestamp) {
        driver.add(input, new Watermark(timestamp));
    }

    /** Input {@code input}'s sender is idle: it no longer holds the watermark back. */
    public void markIdle(int input) {
        driver.add(input, Watermark.IDLE);
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

    /**
     * Moves the harness's clock to {@code millis} (never backwards) and fires the processing-time
     * timers due.
     *
     * @throws IllegalStateException if the builder was given a clock of its own
     */
    public void setProcessingTime(long millis) {
        if (manual == null) {
            throw new IllegalStateException(
                    "this harness reads the clock it was given; use fireProcessingTimers()");
        }
        if (millis < manual.millis) {
            throw new IllegalArgumentException(
                    "processing time cannot go back from " + manual.millis + " to " + millis);
        }
        manual.millis = millis;
        driver.fireProcessingTimers();
    }

    /** Moves processing time on by {@code d}; see {@link #setProcessingTime}. */
    public void advanceProcessingTime(Duration d) {
        setProcessingTime(manual == null ? 0 : manual.millis + d.toMillis());
    }

    /** Fires the processing-time timers due at the clock's time now. */
    public void fireProcessingTimers() {
        driver.fireProcessingTimers();
    }

    /** The operator's current watermark ({@link Long#MIN_VALUE} before the first). */
    public long currentWatermark() {
        return driver.currentWatermark();
    }

    /** Event-time timers registered and not fired or deleted yet. */
    public long pendingEventTimeTimers() {
        return driver.pendingTimers(TimeDomain.EVENT_TIME);
    }

    /** Processing-time timers registered and not fired or deleted yet. */
    public long pendingProcessingTimeTimers() {
        return driver.pendingTimers(TimeDomain.PROCESSING_TIME);
    }

    /**
     * The meter registry the function registered its meters in ({@code
     * OpenContext.meterRegistry()}); a restored harness has a fresh one.
     */
    public MeterRegistry meterRegistry() {
        return driver.meterRegistry();
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

    /** Records emitted to side output {@code tag} since the last call. */
    @SuppressWarnings("unchecked")
    public <K2, V2> List<Record<K2, V2>> takeSideOutput(OutputTag<K2, V2> tag) {
        return driver.takeSideOutput(tag).stream()
                .map(r -> (Record<K2, V2>) (Record<?, ?>) r)
                .toList();
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
        b.subtask = config.subtask;
        b.parallelism = config.parallelism;
        b.clock = config.clock;
        return restored(
                b,
                (d, c) ->
                        OperatorHarnessDriver.restore(
                                snapshot.inner,
                                newVersion,
                                b.keySerializer,
                                b.info(),
                                b.maxParallelism,
                                b.inputs,
                                d,
                                c));
    }

    /**
     * A new harness whose operator is a fresh instance restored from {@code snapshot}, with its
     * timers pending; processing time starts where this harness's is.
     */
    public KeyedOperatorHarness<K, V, KO, VO> restore(Snapshot snapshot) {
        return restore(snapshot, config.factory);
    }

    /**
     * A new harness running subtask {@code subtask} of {@code parallelism}, restored from {@code
     * snapshots} (one per subtask of the old parallelism, in any order) as a job restored at a new
     * parallelism is: it takes the state and timers of the key groups it now owns.
     */
    public KeyedOperatorHarness<K, V, KO, VO> restoreRescaled(
            List<Snapshot> snapshots, int subtask, int parallelism) {
        Builder<K, V, KO, VO> b = config.copy().subtask(subtask, parallelism);
        List<OperatorHarnessDriver.Snapshot> inner = snapshots.stream().map(s -> s.inner).toList();
        return restored(
                b,
                (d, c) ->
                        OperatorHarnessDriver.restoreRescaled(
                                inner,
                                b.factory,
                                b.keySerializer,
                                b.info(),
                                b.maxParallelism,
                                b.inputs,
                                d,
                                c));
    }

    private interface DriverFactory {
        OperatorHarnessDriver create(Path dir, InstantSource clock) throws Exception;
    }

    private <KO2, VO2> KeyedOperatorHarness<K, V, KO2, VO2> restored(
            Builder<K, V, KO2, VO2> b, DriverFactory factory) {
        ManualClock m = null;
        if (b.clock == null) {
            m = new ManualClock();
            m.millis = manual == null ? 0 : manual.millis;
        }
        InstantSource c = m != null ? m : b.clock;
        Path d = tempDir();
        return new KeyedOperatorHarness<>(b, d, m, call(() -> factory.create(d, c)));
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
