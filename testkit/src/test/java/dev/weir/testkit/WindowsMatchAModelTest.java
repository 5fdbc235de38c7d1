package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.KeyedProcessFunction;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.window.EventTimeSessionWindows;
import dev.weir.window.ProcessWindowFunction;
import dev.weir.window.SlidingEventTimeWindows;
import dev.weir.window.TimeWindow;
import dev.weir.window.TumblingEventTimeWindows;
import dev.weir.window.WindowAssigner;
import dev.weir.window.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random out-of-order records and random watermark steps, through the harness (restored from a
 * snapshot now and then) and through a model that implements the firing contract of {@link Windows}
 * in the plainest way: after every watermark both emitted the same windows with the same contents,
 * and the same records went to the late-data output.
 */
class WindowsMatchAModelTest {
    static final OutputTag<String, Long> LATE = new OutputTag<>("late");

    /** Emits {@code [sorted elements]}. */
    static final ProcessWindowFunction<String, Long, String, String> SORTED =
            (key, window, elements, out) -> {
                List<Long> l = new ArrayList<>();
                elements.forEach(l::add);
                l.sort(null);
                out.emit(Record.of(key, l.toString(), window.maxTimestamp()));
            };

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        List<WindowAssigner<Object>> assigners =
                List.of(
                        TumblingEventTimeWindows.of(Duration.ofMillis(10), Duration.ofMillis(3)),
                        SlidingEventTimeWindows.of(Duration.ofMillis(20), Duration.ofMillis(5)),
                        EventTimeSessionWindows.withGap(Duration.ofMillis(8)));
        long seed = 1;
        for (WindowAssigner<Object> a : assigners) {
            for (long lateness : new long[] {0, 7}) {
                for (boolean keepElements : new boolean[] {false, true}) {
                    cases.add(Arguments.of(a, lateness, keepElements, seed++));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} lateness={1} process={2} seed={3}")
    @MethodSource("cases")
    void randomInputGivesTheWindowsAndLateRecordsOfTheModel(
            WindowAssigner<Object> assigner, long lateness, boolean keepElements, long seed) {
        Model model = new Model(assigner, lateness, keepElements);
        Duration allowed = Duration.ofMillis(lateness);
        if (keepElements) {
            check(
                    Windows.processFunction(assigner, allowed, LATE, SORTED, Serdes.longs()),
                    model,
                    new Random(seed));
        } else {
            check(
                    Windows.reduceFunction(assigner, allowed, LATE, Long::sum, Serdes.longs()),
                    model,
                    new Random(seed));
        }
    }

    private static <VO> void check(
            Supplier<KeyedProcessFunction<String, Long, String, VO>> fn, Model model, Random rnd) {
        var h = KeyedOperatorHarness.of(fn, Serdes.string()).build();
        try {
            long base = 1_000;
            int restores = 0;
            for (int step = 0; step < 400; step++) {
                if (rnd.nextInt(10) < 8) {
                    base += rnd.nextInt(4);
                    var r =
                            Record.of(
                                    "k" + rnd.nextInt(4),
                                    (long) rnd.nextInt(1000),
                                    base - rnd.nextInt(40));
                    h.processRecord(r);
                    model.record(r);
                } else {
                    long wm = base - rnd.nextInt(30);
                    h.processWatermark(wm);
                    assertThat(sorted(h.takeOutput()))
                            .as("after watermark %d", wm)
                            .isEqualTo(model.watermark(wm));
                }
                assertThat(h.takeSideOutput(LATE)).isEqualTo(model.takeLate());
                if (rnd.nextInt(100) < 2 && restores++ < 3) {
                    var restored = h.restore(h.snapshot(step));
                    h.close();
                    h = restored;
                    // A watermark is not state: a restored job's sources send theirs again.
                    h.processWatermark(model.currentWatermark());
                    assertThat(h.takeOutput()).as("nothing fires twice").isEmpty();
                }
            }
            h.processWatermark(1_000_000);
            assertThat(sorted(h.takeOutput())).isEqualTo(model.watermark(1_000_000));
            assertThat(h.pendingEventTimeTimers()).isZero();
            assertThat(model.lateCount).as("the input had late records").isPositive();
        } finally {
            h.close();
        }
    }

    static List<String> sorted(List<? extends Record<String, ?>> out) {
        List<String> l = new ArrayList<>();
        out.forEach(r -> l.add(r.key() + "@" + r.timestamp() + "=" + r.value()));
        l.sort(null);
        return l;
    }

    /** The contract, without state, timers or serialization. */
    static final class Model {
        private final WindowAssigner<Object> assigner;
        private final long lateness;
        private final boolean keepElements;

        /** Per key, the open windows and their values. */
        private final Map<String, TreeMap<Long, Map.Entry<TimeWindow, List<Long>>>> open =
                new HashMap<>();

        private final List<Record<String, Long>> late = new ArrayList<>();
        private long watermark = Long.MIN_VALUE;
        int lateCount;

        Model(WindowAssigner<Object> assigner, long lateness, boolean keepElements) {
            this.assigner = assigner;
            this.lateness = lateness;
            this.keepElements = keepElements;
        }

        private boolean closed(TimeWindow w) {
            return w.maxTimestamp() + lateness <= watermark;
        }

        void record(Record<String, Long> r) {
            List<TimeWindow> windows = assigner.assignWindows(r.timestamp());
            if (windows.stream().allMatch(this::closed)) {
                late.add(r);
                lateCount++;
                return;
            }
            var windowsOfKey = open.computeIfAbsent(r.key(), k -> new TreeMap<>());
            if (!assigner.isMerging()) {
                for (TimeWindow w : windows) {
                    if (!closed(w)) {
                        windowsOfKey
                                .computeIfAbsent(w.start(), s -> Map.entry(w, new ArrayList<>()))
                                .getValue()
                                .add(r.value());
                    }
                }
                return;
            }
            TimeWindow merged = windows.get(0);
            List<Long> values = new ArrayList<>(List.of(r.value()));
            for (var it = windowsOfKey.values().iterator(); it.hasNext(); ) {
                var e = it.next();
                TimeWindow w = e.getKey();
                if (w.start() <= merged.end() && merged.start() <= w.end()) {
                    merged =
                            new TimeWindow(
                                    Math.min(w.start(), merged.start()),
                                    Math.max(w.end(), merged.end()));
                    values.addAll(e.getValue());
                    it.remove();
                }
            }
            windowsOfKey.put(merged.start(), Map.entry(merged, values));
        }

        List<String> watermark(long w) {
            List<String> fired = new ArrayList<>();
            if (w <= watermark) {
                return fired;
            }
            watermark = w;
            open.forEach(
                    (key, windows) ->
                            windows.values()
                                    .removeIf(
                                            e -> {
                                                if (!closed(e.getKey())) {
                                                    return false;
                                                }
                                                fired.add(render(key, e.getKey(), e.getValue()));
                                                return true;
                                            }));
            fired.sort(null);
            return fired;
        }

        private String render(String key, TimeWindow w, List<Long> values) {
            List<Long> sorted = new ArrayList<>(values);
            sorted.sort(null);
            Object result =
                    keepElements
                            ? sorted.toString()
                            : sorted.stream().mapToLong(Long::longValue).sum();
            return key + "@" + w.maxTimestamp() + "=" + result;
        }

        long currentWatermark() {
            return watermark;
        }

        List<Record<String, Long>> takeLate() {
            List<Record<String, Long>> l = new ArrayList<>(late);
            late.clear();
            return l;
        }
    }
}
