package dev.weir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.internal.TestJob;
import dev.weir.spi.Sink;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import dev.weir.spi.Source;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceReader;
import dev.weir.spi.SourceWatermarks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watermarks and timers through a running job: sources tracking splits, channels, gates merging
 * watermarks, keyed operators firing timers, a side output with its own sink.
 */
class EventTimeJobTest {
    static final OutputTag<String, Long> SIDE = new OutputTag<>("odd");

    @TempDir Path dir;

    /**
     * Each source subtask owns two splits ({@code <subtask>-a}, {@code <subtask>-b}) of the given
     * records, or only an empty split when {@code emptySplit}.
     */
    record SplitSource(Map<String, List<Record<String, Long>>> records, boolean emptySplit)
            implements Source<String, Long> {
        @Override
        public SourceReader<String, Long> createReader(SourceContext context) {
            int me = context.subtask().subtask();
            List<String> ids = new ArrayList<>(List.of(me + "-a", me + "-b"));
            if (emptySplit) {
                ids.add(me + "-empty");
            }
            SourceWatermarks wm = context.watermarks();
            wm.assigned(ids);
            return new SourceReader<>() {
                private final int[] next = new int[ids.size()];

                @Override
                public List<Record<String, Long>> poll(Duration timeout) {
                    List<Record<String, Long>> out = new ArrayList<>();
                    for (int i = 0; i < ids.size(); i++) {
                        List<Record<String, Long>> l = records.getOrDefault(ids.get(i), List.of());
                        for (int n = 0; n < 7 && next[i] < l.size(); n++) {
                            out.add(wm.split(ids.get(i)).onRecord(l.get(next[i]++)));
                        }
                    }
                    if (out.isEmpty()) {
                        sleep(Math.min(10, timeout.toMillis()));
                    }
                    return out;
                }

                @Override
                public Map<String, Long> snapshotPositions(long checkpointId) {
                    return Map.of();
                }

                @Override
                public void close() {}
            };
        }
    }

    record Collect(Queue<Record<String, Long>> into) implements Sink<String, Long> {
        @Override
        public SinkWriter<String, Long> createWriter(SinkContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Record<String, Long> record) {
                    into.add(record);
                }

                @Override
                public void prepareCheckpoint(long checkpointId) {}

                @Override
                public void close() {}
            };
        }
    }

    /** Registers a timer at each record's timestamp; a timer emits (key, timestamp). */
    static final class TimerPerRecord implements KeyedProcessFunction<String, Long, String, Long> {
        @Override
        public void process(Record<String, Long> r, Context<String, String, Long> ctx) {
            ctx.timerService().registerEventTimeTimer(r.timestamp());
            if (r.value() % 2 == 1) {
                ctx.output(SIDE, r);
            }
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext<String, String, Long> ctx) {
            ctx.emit(Record.of(ctx.currentKey(), timestamp, timestamp));
        }
    }

    private static Map<String, List<Record<String, Long>>> input(long seed, int perSplit) {
        Random random = new Random(seed);
        Map<String, List<Record<String, Long>>> in = new java.util.HashMap<>();
        long value = 0;
        for (int sub = 0; sub < 2; sub++) {
            for (String s : List.of("a", "b")) {
                List<Record<String, Long>> l = new ArrayList<>();
                for (int i = 0; i < perSplit; i++) {
                    // Ascending with disorder below the 50 ms bound.
                    long ts = i * 10L + random.nextInt(40);
                    l.add(Record.of("k" + random.nextInt(50), value++, ts));
                }
                // Far ahead, so the watermark passes every timer above.
                l.add(Record.of("end", -2L, 1_000_000));
                in.put(sub + "-" + s, l);
            }
        }
        return in;
    }

    private Job job(
            Source<String, Long> source,
            WatermarkStrategy<String, Long> strategy,
            Queue<Record<String, Long>> out,
            Queue<Record<String, Long>> side) {
        JobBuilder b = Job.builder();
        DataStream<String, Long> timers =
                b.source("in", source, strategy)
                        .keyBy(Serdes.string())
                        .process("timers", TimerPerRecord::new);
        timers.sink("out", new Collect(out));
        timers.sideOutput(SIDE)
                .map(r -> r.withValue(r.value() * 10))
                .sink("side", new Collect(side));
        return b.build();
    }

    @Test
    void everyTimerBelowTheWatermarkFiresOnceAndSideOutputsReachTheirSink() throws Exception {
        Map<String, List<Record<String, Long>>> in = input(1, 300);
        Queue<Record<String, Long>> out = new ConcurrentLinkedQueue<>();
        Queue<Record<String, Long>> side = new ConcurrentLinkedQueue<>();
        java.util.Set<String> expected = new java.util.TreeSet<>();
        List<Long> odd = new ArrayList<>();
        in.values()
                .forEach(
                        l ->
                                l.forEach(
                                        r -> {
                                            if (!r.key().equals("end")) {
                                                expected.add(r.key() + "@" + r.timestamp());
                                            }
                                            if (r.value() % 2 == 1) {
                                                odd.add(r.value() * 10);
                                            }
                                        }));
        try (RunningJob running =
                Weir.start(
                        job(
                                new SplitSource(in, false),
                                WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(50)),
                                out,
                                side),
                        TestJob.config(dir, "event-time").with("parallelism", "2"))) {
            awaitSize(out, expected.size());
            awaitSize(side, odd.size());
            assertThat(running.failure()).isEmpty();
        }
        List<String> fired = out.stream().map(r -> r.key() + "@" + r.value()).sorted().toList();
        assertThat(fired).doesNotHaveDuplicates();
        assertThat(new java.util.TreeSet<>(fired)).isEqualTo(expected);
        assertThat(side.stream().map(Record::value).sorted().toList())
                .isEqualTo(odd.stream().sorted().toList());
    }

    @Test
    void anIdleSplitHoldsEventTimeBackUntilItsIdlenessTimeout() throws Exception {
        Map<String, List<Record<String, Long>>> in = input(2, 50);
        long keys =
                in.values().stream()
                        .flatMap(List::stream)
                        .filter(r -> !r.key().equals("end"))
                        .map(r -> r.key() + "@" + r.timestamp())
                        .distinct()
                        .count();
        Queue<Record<String, Long>> out = new ConcurrentLinkedQueue<>();
        try (RunningJob running =
                Weir.start(
                        job(
                                new SplitSource(in, true),
                                WatermarkStrategy.<String, Long>forBoundedOutOfOrderness(
                                                Duration.ofMillis(50))
                                        .withIdleness(Duration.ofMillis(300)),
                                out,
                                new ConcurrentLinkedQueue<>()),
                        TestJob.config(dir, "idle").with("parallelism", "2"))) {
            awaitSize(out, keys);
            assertThat(running.failure()).isEmpty();
        }
        // Without idleness the empty split stops event time: nothing fires.
        Queue<Record<String, Long>> held = new ConcurrentLinkedQueue<>();
        try (RunningJob running =
                Weir.start(
                        job(
                                new SplitSource(in, true),
                                WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(50)),
                                held,
                                new ConcurrentLinkedQueue<>()),
                        TestJob.config(dir, "held").with("parallelism", "2"))) {
            Thread.sleep(1500);
            assertThat(running.recordsIn())
                    .isEqualTo(in.values().stream().mapToLong(List::size).sum());
            assertThat(held).isEmpty();
        }
    }

    private static void awaitSize(Queue<?> q, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (q.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat((long) q.size()).as("records arrived").isGreaterThanOrEqualTo(n);
        Thread.sleep(200); // and no more after
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
