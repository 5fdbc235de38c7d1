package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.KeyedProcessFunction;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.window.EventTimeSessionWindows;
import dev.weir.window.SlidingEventTimeWindows;
import dev.weir.window.TumblingEventTimeWindows;
import dev.weir.window.WindowAssigner;
import dev.weir.window.Windows;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A restored window operator starts without a watermark: a record read again after the restore that
 * was late for a window which fired before the checkpoint must stay late, not open that window a
 * second time.
 */
class WindowsAfterRestoreTest {
    static final OutputTag<String, Long> LATE = new OutputTag<>("late");

    private static Supplier<KeyedProcessFunction<String, Long, String, Long>> sums(
            WindowAssigner<Object> assigner) {
        return Windows.reduceFunction(assigner, Duration.ZERO, LATE, Long::sum, Serdes.longs());
    }

    private static void aFiredWindowStaysClosed(WindowAssigner<Object> assigner, long lateTs) {
        KeyedOperatorHarness.Snapshot snapshot;
        try (var h = KeyedOperatorHarness.of(sums(assigner), Serdes.string()).build()) {
            h.processRecord(Record.of("k", 1L, 100));
            h.processRecord(Record.of("k", 2L, 200));
            h.processWatermark(5_000);
            assertThat(h.takeOutput()).isNotEmpty();
            snapshot = h.snapshot(1);
            try (var restored = h.restore(snapshot)) {
                // No watermark yet after the restore: the record is as late as it was before.
                restored.processRecord(Record.of("k", 40L, lateTs));
                assertThat(restored.takeSideOutput(LATE))
                        .containsExactly(Record.of("k", 40L, lateTs));
                restored.processWatermark(10_000);
                assertThat(restored.takeOutput()).isEmpty();
                // A window that never fired for the key still opens.
                restored.processRecord(Record.of("k", 7L, 20_000));
                restored.processWatermark(30_000);
                assertThat(restored.takeOutput()).extracting(Record::value).contains(7L);
                assertThat(restored.takeSideOutput(LATE)).isEmpty();
            }
        }
    }

    @Test
    void aTumblingWindowThatFiredBeforeTheCheckpointStaysClosedAfterTheRestore() {
        aFiredWindowStaysClosed(TumblingEventTimeWindows.of(Duration.ofSeconds(1)), 150);
    }

    @Test
    void slidingWindowsThatFiredBeforeTheCheckpointStayClosedAfterTheRestore() {
        aFiredWindowStaysClosed(
                SlidingEventTimeWindows.of(Duration.ofSeconds(1), Duration.ofMillis(500)), 150);
    }

    @Test
    void aSessionThatFiredBeforeTheCheckpointIsNotOpenedAgainAfterTheRestore() {
        aFiredWindowStaysClosed(EventTimeSessionWindows.withGap(Duration.ofMillis(300)), 150);
    }

    @Test
    void aKeyWithoutFiredWindowsTakesRecordsAsBefore() {
        try (var h =
                KeyedOperatorHarness.of(
                                sums(TumblingEventTimeWindows.of(Duration.ofSeconds(1))),
                                Serdes.string())
                        .build()) {
            var snapshot = h.snapshot(1);
            try (var restored = h.restore(snapshot)) {
                restored.processRecord(Record.of("k", 5L, 150));
                restored.processWatermark(2_000);
                assertThat(restored.takeOutput()).containsExactly(Record.of("k", 5L, 999));
                assertThat(restored.takeSideOutput(LATE)).isEqualTo(List.of());
            }
        }
    }
}
