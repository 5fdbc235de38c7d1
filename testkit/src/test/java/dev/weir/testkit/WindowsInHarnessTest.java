package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.KeyedProcessFunction;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.format.KeyGroups;
import dev.weir.window.AggregateFunction;
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
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Event-time windows driven through the harness: each assigner with out-of-order records and manual
 * watermarks, allowed lateness and late data, session merging, restore at the same and other
 * parallelisms. Output records render as {@code key@timestamp=value}.
 */
class WindowsInHarnessTest {
    static final OutputTag<String, Long> LATE = new OutputTag<>("late");

    static final AggregateFunction<Long, Long, Long> SUM =
            new AggregateFunction<>() {
                @Override
                public Long createAccumulator() {
                    return 0L;
                }

                @Override
                public Long add(Long value, Long acc) {
                    return acc + value;
                }

                @Override
                public Long getResult(Long acc) {
                    return acc;
                }

                @Override
                public Long merge(Long a, Long b) {
                    return a + b;
                }
            };

    /** Emits {@code start..end:[elements in arrival order]}. */
    static final ProcessWindowFunction<String, Long, String, String> LIST =
            (key, window, elements, out) -> {
                List<Long> l = new ArrayList<>();
                elements.forEach(l::add);
                out.emit(
                        Record.of(
                                key,
                                window.start() + ".." + window.end() + ":" + l,
                                window.maxTimestamp()));
            };

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    static Record<String, Long> rec(String key, long value, long timestamp) {
        return Record.of(key, value, timestamp);
    }

    static Supplier<KeyedProcessFunction<String, Long, String, Long>> sum(
            WindowAssigner<Object> assigner, long lateness, OutputTag<String, Long> lateTag) {
        return Windows.aggregateFunction(assigner, ms(lateness), lateTag, SUM, Serdes.longs());
    }

    static Supplier<KeyedProcessFunction<String, Long, String, String>> list(
            WindowAssigner<Object> assigner, long lateness, OutputTag<String, Long> lateTag) {
        return Windows.processFunction(assigner, ms(lateness), lateTag, LIST, Serdes.longs());
    }

    static <VO> KeyedOperatorHarness<String, Long, String, VO> harness(
            Supplier<KeyedProcessFunction<String, Long, String, VO>> fn) {
        return KeyedOperatorHarness.of(fn, Serdes.string()).build();
    }

    static List<String> render(List<? extends Record<String, ?>> out) {
        return out.stream().map(r -> r.key() + "@" + r.timestamp() + "=" + r.value()).toList();
    }

    static double counter(KeyedOperatorHarness<?, ?, ?, ?> h, String name) {
        return h.meterRegistry()
                .get(name)
                .tags("operator", "operator", "subtask", "0")
                .counter()
                .count();
    }

    @Test
    void tumblingWindowsFireOnceEachWhenTheWatermarkReachesTheirLastMillisecond() {
        try (var h = harness(sum(TumblingEventTimeWindows.of(ms(10)), 0, null))) {
            h.processRecord(rec("a", 1, 3));
            h.processRecord(rec("a", 2, 12));
            h.processRecord(rec("b", 5, 7));
            h.processRecord(rec("a", 4, 1));
            h.processRecord(rec("a", 8, 19));
            h.processRecord(rec("a", 16, 10));
            assertThat(h.pendingEventTimeTimers()).as("one timer per window").isEqualTo(3);
            h.processWatermark(8);
            assertThat(h.takeOutput()).isEmpty();
            h.processWatermark(9);
            assertThat(render(h.takeOutput())).containsExactlyInAnyOrder("a@9=5", "b@9=5");
            h.processRecord(rec("a", 32, 9)); // its window fired: late, dropped
            h.processRecord(rec("a", 64, 10));
            h.processWatermark(19);
            assertThat(render(h.takeOutput())).containsExactly("a@19=90");
            h.processWatermark(1_000);
            assertThat(h.takeOutput()).isEmpty();
            assertThat(h.pendingEventTimeTimers()).isZero();
            assertThat(counter(h, Windows.LATE_DROPPED_METER)).isEqualTo(1);
        }
    }

    @Test
    void tumblingWindowsWithAnOffsetStartAtTheOffset() {
        var plus3 = TumblingEventTimeWindows.of(ms(10), ms(3));
        assertThat(plus3.assignWindows(2)).containsExactly(new TimeWindow(-7, 3));
        assertThat(plus3.assignWindows(3)).containsExactly(new TimeWindow(3, 13));
        assertThat(TumblingEventTimeWindows.of(ms(10), ms(-3)).assignWindows(0))
                .containsExactly(new TimeWindow(-3, 7));
        try (var h = harness(sum(plus3, 0, null))) {
            h.processRecord(rec("a", 1, 2));
            h.processRecord(rec("a", 2, 3));
            h.processRecord(rec("a", 4, 12));
            h.processWatermark(2);
            assertThat(render(h.takeOutput())).containsExactly("a@2=1");
            h.processWatermark(12);
            assertThat(render(h.takeOutput())).containsExactly("a@12=6");
        }
    }

    @Test
    void slidingWindowsTakeEachRecordIntoEveryWindowThatCoversIt() {
        var sliding = SlidingEventTimeWindows.of(ms(10), ms(5));
        assertThat(sliding.assignWindows(7))
                .containsExactly(new TimeWindow(0, 10), new TimeWindow(5, 15));
        try (var h = harness(sum(sliding, 0, null))) {
            h.processRecord(rec("a", 4, 12));
            h.processRecord(rec("a", 1, 3));
            h.processRecord(rec("a", 2, 7));
            assertThat(h.pendingEventTimeTimers()).isEqualTo(4);
            h.processWatermark(100);
            assertThat(render(h.takeOutput()))
                    .containsExactly("a@4=1", "a@9=3", "a@14=6", "a@19=4");
        }
    }

    @Test
    void aRecordLateForSomeOfItsSlidingWindowsGoesIntoTheOpenOnesAndIsNotCountedLate() {
        try (var h = harness(sum(SlidingEventTimeWindows.of(ms(10), ms(5)), 0, LATE))) {
            h.processRecord(rec("a", 1, 3));
            h.processWatermark(9);
            assertThat(render(h.takeOutput())).containsExactly("a@4=1", "a@9=1");
            h.processRecord(rec("a", 2, 8)); // [0,10) fired, [5,15) is open
            h.processRecord(rec("a", 100, 4)); // [-5,5) and [0,10) both fired: late
            h.processWatermark(100);
            assertThat(render(h.takeOutput())).containsExactly("a@14=2");
            assertThat(h.takeSideOutput(LATE)).containsExactly(rec("a", 100, 4));
            assertThat(counter(h, Windows.LATE_SIDE_OUTPUT_METER)).isEqualTo(1);
            assertThat(counter(h, Windows.LATE_DROPPED_METER)).isZero();
        }
    }

    @Test
    void aRecordInTheGapBetweenSlidingWindowsIsInNoneAndIsNotLate() {
        try (var h = harness(sum(SlidingEventTimeWindows.of(ms(5), ms(10)), 0, LATE))) {
            h.processRecord(rec("a", 1, 3));
            h.processRecord(rec("a", 2, 7));
            h.processWatermark(100);
            assertThat(render(h.takeOutput())).containsExactly("a@4=1");
            assertThat(h.takeSideOutput(LATE)).isEmpty();
        }
    }

    @Test
    void aRecordWithinTheAllowedLatenessCountsAndTheWindowStillFiresOnce() {
        try (var h = harness(sum(TumblingEventTimeWindows.of(ms(10)), 5, LATE))) {
            h.processRecord(rec("a", 1, 3));
            h.processWatermark(9);
            assertThat(h.takeOutput()).as("fires at maxTimestamp + lateness").isEmpty();
            h.processRecord(rec("a", 2, 4)); // behind the watermark, within the lateness
            h.processWatermark(13);
            assertThat(h.takeOutput()).isEmpty();
            h.processWatermark(14);
            assertThat(render(h.takeOutput())).containsExactly("a@9=3");
            Record<String, Long> late = rec("a", 4, 5);
            h.processRecord(late);
            h.processWatermark(1_000);
            assertThat(h.takeOutput()).isEmpty();
            assertThat(h.takeSideOutput(LATE)).as("unchanged").containsExactly(late);
            assertThat(counter(h, Windows.LATE_SIDE_OUTPUT_METER)).isEqualTo(1);
            assertThat(counter(h, Windows.LATE_DROPPED_METER)).isZero();
        }
    }

    @Test
    void lateRecordsAreCountedAsDroppedWithoutATagAndAsSideOutputWithOne() {
        try (var drop = harness(sum(TumblingEventTimeWindows.of(ms(10)), 0, null));
                var side = harness(sum(TumblingEventTimeWindows.of(ms(10)), 0, LATE))) {
            for (var h : List.of(drop, side)) {
                h.processRecord(rec("a", 1, 5));
                h.processWatermark(20);
                h.processRecord(rec("a", 1, 9));
                h.processRecord(rec("b", 1, 19)); // [10,20) fired too: late
                // Behind the watermark, but its window [20,30) is open: not late.
                h.processRecord(rec("c", 1, 20));
            }
            assertThat(counter(drop, Windows.LATE_DROPPED_METER)).isEqualTo(2);
            assertThat(counter(drop, Windows.LATE_SIDE_OUTPUT_METER)).isZero();
            assertThat(drop.takeSideOutput(LATE)).isEmpty();
            assertThat(counter(side, Windows.LATE_SIDE_OUTPUT_METER)).isEqualTo(2);
            assertThat(counter(side, Windows.LATE_DROPPED_METER)).isZero();
            assertThat(side.takeSideOutput(LATE)).containsExactly(rec("a", 1, 9), rec("b", 1, 19));
        }
    }

    @Test
    void sessionsMergeAndARecordBetweenTwoSessionsBridgesThem() {
        try (var h = harness(sum(EventTimeSessionWindows.withGap(ms(10)), 0, null))) {
            h.processRecord(rec("a", 1, 0));
            h.processRecord(rec("a", 2, 5)); // [0,15)
            h.processRecord(rec("a", 4, 22)); // [22,32)
            h.processRecord(rec("b", 100, 3)); // [3,13)
            h.processRecord(rec("c", 1000, 100));
            h.processRecord(rec("c", 2000, 110)); // exactly one gap apart: windows touch
            assertThat(h.pendingEventTimeTimers()).isEqualTo(4);
            h.processRecord(rec("a", 8, 12)); // [12,22) touches both: [0,32)
            assertThat(h.pendingEventTimeTimers()).isEqualTo(3);
            h.processWatermark(12);
            assertThat(render(h.takeOutput())).containsExactly("b@12=100");
            h.processWatermark(30);
            assertThat(h.takeOutput()).isEmpty();
            h.processWatermark(200);
            assertThat(render(h.takeOutput())).containsExactly("a@31=15", "c@119=3000");
            assertThat(h.pendingEventTimeTimers()).isZero();
        }
    }

    @Test
    void aSessionRecordIsJudgedLateOnItsOwnWindowBeforeMerging() {
        try (var h = harness(sum(EventTimeSessionWindows.withGap(ms(10)), 0, LATE))) {
            h.processRecord(rec("a", 1, 0)); // [0,10)
            h.processWatermark(5);
            h.processRecord(rec("a", 2, 1)); // own [1,11) open: merges into [0,11)
            h.processWatermark(10);
            assertThat(render(h.takeOutput())).containsExactly("a@10=3");
            h.processRecord(rec("a", 4, 0)); // own [0,10): late
            h.processRecord(rec("a", 8, 2)); // own [2,12): a new session
            h.processWatermark(11);
            assertThat(render(h.takeOutput())).containsExactly("a@11=8");
            assertThat(h.takeSideOutput(LATE)).containsExactly(rec("a", 4, 0));
        }
    }

    @Test
    void processWindowsGetTheirElementsInArrivalOrder() {
        try (var h = harness(list(TumblingEventTimeWindows.of(ms(10)), 0, null))) {
            h.processRecord(rec("a", 3, 5));
            h.processRecord(rec("a", 1, 1));
            h.processRecord(rec("a", 7, 12));
            h.processRecord(rec("a", 2, 2));
            h.processWatermark(100);
            assertThat(render(h.takeOutput()))
                    .containsExactly("a@9=0..10:[3, 1, 2]", "a@19=10..20:[7]");
        }
        try (var h = harness(list(SlidingEventTimeWindows.of(ms(10), ms(5)), 0, null))) {
            h.processRecord(rec("a", 2, 7));
            h.processRecord(rec("a", 1, 3));
            h.processWatermark(100);
            assertThat(render(h.takeOutput()))
                    .containsExactly("a@4=-5..5:[1]", "a@9=0..10:[2, 1]", "a@14=5..15:[2]");
        }
    }

    @Test
    void mergedProcessSessionsHoldTheElementsOfEveryMergedSession() {
        try (var h = harness(list(EventTimeSessionWindows.withGap(ms(10)), 0, null))) {
            h.processRecord(rec("a", 1, 0));
            h.processRecord(rec("a", 2, 5)); // [0,15)
            h.processRecord(rec("a", 4, 22)); // [22,32)
            h.processRecord(rec("a", 8, 12)); // bridges them
            h.processRecord(rec("a", 16, 40));
            h.processWatermark(100);
            assertThat(render(h.takeOutput()))
                    .containsExactly("a@31=0..32:[1, 2, 4, 8]", "a@49=40..50:[16]");
        }
    }

    @Test
    void openWindowsAndPendingTimersSurviveARestoreAndFireOnceWithTheirResults() {
        try (var h = harness(sum(TumblingEventTimeWindows.of(ms(10)), 0, null))) {
            for (int i = 0; i < 50; i++) {
                h.processRecord(rec("k" + i, i, 5));
                h.processRecord(rec("k" + i, 1000, 15));
            }
            h.processWatermark(9);
            assertThat(h.takeOutput()).hasSize(50);
            var snapshot = h.snapshot(1);
            try (var restored = h.restore(snapshot)) {
                assertThat(restored.pendingEventTimeTimers()).isEqualTo(50);
                for (int i = 0; i < 50; i++) {
                    restored.processRecord(rec("k" + i, i, 19));
                }
                restored.processWatermark(1_000);
                List<String> out = render(restored.takeOutput());
                assertThat(out).hasSize(50).doesNotHaveDuplicates();
                for (int i = 0; i < 50; i++) {
                    assertThat(out).contains("k" + i + "@19=" + (1000 + i));
                }
            }
        }
    }

    @Test
    void sessionsOpenAtASnapshotMergeWithRecordsAfterTheRestore() {
        try (var h = harness(list(EventTimeSessionWindows.withGap(ms(10)), 0, null))) {
            h.processRecord(rec("a", 1, 0));
            h.processRecord(rec("a", 2, 5));
            h.processRecord(rec("a", 4, 22));
            try (var restored = h.restore(h.snapshot(1))) {
                restored.processRecord(rec("a", 8, 12));
                restored.processWatermark(100);
                assertThat(render(restored.takeOutput()))
                        .containsExactly("a@31=0..32:[1, 2, 4, 8]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void restoredAtAnotherParallelismEveryWindowFiresOnceWithItsResult(int parallelism) {
        int keys = 200;
        List<KeyedOperatorHarness.Snapshot> snapshots = new ArrayList<>();
        try (var h = harness(sum(SlidingEventTimeWindows.of(ms(20), ms(10)), 0, null))) {
            for (int i = 0; i < keys; i++) {
                h.processRecord(rec("k" + i, 1, 5)); // [-10,10) and [0,20)
                h.processRecord(rec("k" + i, 10, 15)); // [0,20) and [10,30)
            }
            h.processWatermark(9);
            assertThat(h.takeOutput()).hasSize(keys); // [-10,10) of every key
            snapshots.add(h.snapshot(1));
            Map<String, Integer> fired = new HashMap<>();
            for (int sub = 0; sub < parallelism; sub++) {
                try (var part = h.restoreRescaled(snapshots, sub, parallelism)) {
                    for (int i = 0; i < keys; i++) {
                        if (owner("k" + i, parallelism) == sub) {
                            part.processRecord(rec("k" + i, 100, 25)); // [10,30) and [20,40)
                        }
                    }
                    part.processWatermark(1_000);
                    List<String> out = render(part.takeOutput());
                    assertThat(out).isNotEmpty();
                    out.forEach(o -> fired.merge(o, 1, Integer::sum));
                }
            }
            assertThat(fired.values()).allMatch(n -> n == 1);
            assertThat(fired).hasSize(3 * keys);
            for (int i = 0; i < keys; i++) {
                assertThat(fired)
                        .containsKeys("k" + i + "@19=11", "k" + i + "@29=110", "k" + i + "@39=100");
            }
        }
    }

    private static int owner(String key, int parallelism) {
        int group =
                KeyGroups.keyGroupFor(
                        Serdes.string().serialize(key), KeyGroups.DEFAULT_MAX_PARALLELISM);
        return KeyGroups.subtaskFor(group, KeyGroups.DEFAULT_MAX_PARALLELISM, parallelism);
    }
}
