package dev.weir.internal;

import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.StreamElement;
import dev.weir.SubtaskInfo;
import dev.weir.config.JobOptions;
import dev.weir.examples.AmountSerde;
import dev.weir.format.KeyGroups;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Microbenchmarks of the per-record paths a profile of keyed-aggregate shows: routing a key to its
 * key group, reading and updating keyed state through the write-back cache (and without it,
 * straight to RocksDB), handing records between subtasks in batches, and the example's serializers.
 * Run with {@code benchmarks/run.sh jmh}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgs = {"-Xmx1g"})
public class HotPathBenchmarks {
    private static final int KEYS = 100_000;

    /** Keys and records shared by the benchmarks. */
    @State(Scope.Thread)
    public static class Keys {
        String[] keys;
        byte[][] json;

        /** A fixed random order of the keys, so state access is not sequential in memory. */
        int[] order;

        int next;

        @Setup
        public void setUp() {
            keys = new String[KEYS];
            json = new byte[KEYS][];
            for (int i = 0; i < KEYS; i++) {
                keys[i] = "user-" + i;
                json[i] =
                        ("{\"amount\":"
                                        + (i % 1000)
                                        + ",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}")
                                .getBytes(StandardCharsets.UTF_8);
            }
            order = new int[KEYS];
            for (int i = 0; i < KEYS; i++) {
                order[i] = i;
            }
            java.util.Random random = new java.util.Random(42);
            for (int i = KEYS - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }

        int index() {
            int i = next;
            next = i + 1 == KEYS ? 0 : i + 1;
            return order[i];
        }
    }

    @Benchmark
    public int keyGroupRouting(Keys k) {
        byte[] bytes = Serdes.string().serialize(k.keys[k.index()]);
        return KeyGroups.subtaskFor(KeyGroups.keyGroupFor(bytes, 128), 128, 2);
    }

    @Benchmark
    public long amountDeserialization(Keys k) {
        return new AmountSerde().deserialize(k.json[k.index()]);
    }

    /** One subtask's RocksDB backend with a value state. */
    @State(Scope.Thread)
    public static class Backend {
        @Param({"100000", "0"})
        int cacheEntries;

        Path dir;
        RocksKeyedBackend backend;
        ValueState<Long> state;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("weir-jmh-");
            backend =
                    new RocksKeyedBackend(
                            new SubtaskInfo("jmh", "op", 0, 1),
                            dir.resolve("db"),
                            KeyGroups.rangeFor(0, 128, 1),
                            128,
                            new StateCache.Limits(
                                    cacheEntries,
                                    JobOptions.STATE_CACHE_MAX_BYTES.defaultValue().orElseThrow(),
                                    JobOptions.STATE_CACHE_MAX_DIRTY.defaultValue().orElseThrow()),
                            Map.of());
            state = backend.valueState(new ValueStateDescriptor<>("count", Serdes.longs()));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            backend.close();
            LocalCheckpointStorage.deleteTree(dir);
        }
    }

    /** get + update of one key's value, the per-record state access of keyed-aggregate. */
    @Benchmark
    public void stateReadModifyWrite(Keys k, Backend b) {
        b.backend.setCurrentKey(Serdes.string().serialize(k.keys[k.index()]));
        b.state.update(b.state.valueOrElse(0L) + 1);
    }

    /** get of one key's value: the cache lookup alone (every key cached after the first pass). */
    @Benchmark
    public long stateRead(Keys k, Backend b) {
        b.backend.setCurrentKey(Serdes.string().serialize(k.keys[k.index()]));
        return b.state.valueOrElse(0L);
    }

    /** A channel of batches read through an input gate, as between two subtasks (one thread). */
    @State(Scope.Thread)
    public static class Handoff {
        Channel channel;
        ChannelWriter writer;
        InputGate gate;
        Record<String, String> record = Record.of("k", "v", 0);

        @Setup
        public void setUp() {
            channel = new Channel(64, new Wakeup());
            writer = new ChannelWriter(channel, 256, () -> false);
            gate = new InputGate(1, c -> channel.poll(), InstantSource.system());
        }
    }

    /** Cost per record of handing it to the next subtask: batch, queue, gate. */
    @Benchmark
    @OperationsPerInvocation(256)
    public void channelHandoffPerRecord(Handoff h, Blackhole bh) {
        for (int i = 0; i < 256; i++) {
            h.writer.add(h.record);
        }
        StreamElement e;
        while ((e = h.gate.poll()) != null) {
            bh.consume(e);
        }
    }
}
