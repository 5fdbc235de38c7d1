package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ListState;
import dev.weir.state.ListStateDescriptor;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyedOperatorHarnessTest {
    /** Emits key → running count; remembers the values it saw per key. */
    static final class Counter implements KeyedProcessFunction<String, String, String, Long> {
        private ValueState<Long> count;
        private ListState<String> seen;

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            count = state.valueState(new ValueStateDescriptor<>("count", Serdes.longs()));
            seen = state.listState(new ListStateDescriptor<>("seen", Serdes.string()));
        }

        @Override
        public void process(Record<String, String> r, Context<String, String, Long> out) {
            long c = count.valueOrElse(0L) + 1;
            count.update(c);
            seen.add(r.value());
            out.emit(r.withValue(c));
        }
    }

    private static Record<String, String> rec(String key, String value) {
        return Record.of(key, value, 0);
    }

    private static List<String> render(List<Record<String, Long>> out) {
        return out.stream().map(r -> r.key() + "=" + r.value()).toList();
    }

    @Test
    void twoInputOperatorHoldsAChannelAfterItsBarrierUntilTheOtherDeliversItsOwn() {
        try (var h = KeyedOperatorHarness.of(Counter::new, Serdes.string()).inputs(2).build()) {
            h.processRecord(0, rec("a", "a1"));
            h.processBarrier(0, 1);
            h.processRecord(0, rec("a", "a2-after-barrier"));
            assertThat(render(h.takeOutput())).containsExactly("a=1");
            assertThat(h.isBlocked(0)).isTrue();

            h.processRecord(1, rec("b", "b1"));
            assertThat(render(h.takeOutput()))
                    .as("the other channel keeps flowing")
                    .containsExactly("b=1");
            assertThat(h.barrierSnapshots()).isEmpty();

            h.processBarrier(1, 1);
            assertThat(h.barrierSnapshots()).hasSize(1);
            assertThat(h.isBlocked(0)).isFalse();
            assertThat(render(h.takeOutput()))
                    .as("held record released after the snapshot")
                    .containsExactly("a=2");

            try (var restored = h.restore(h.barrierSnapshots().get(0))) {
                restored.processRecord(rec("a", "x"));
                restored.processRecord(rec("b", "x"));
                assertThat(render(restored.takeOutput()))
                        .as("the snapshot holds the state at the barrier: a counted once, b once")
                        .containsExactly("a=2", "b=2");
            }
        }
    }

    @Test
    void restoringIntoAFreshInstanceAfterEveryRecordGivesTheSameOutputAsOneInstance() {
        List<Record<String, String>> input = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            input.add(rec("k" + (i % 4), "v" + i));
        }
        List<String> uninterrupted;
        try (var h = KeyedOperatorHarness.of(Counter::new, Serdes.string()).build()) {
            input.forEach(h::processRecord);
            uninterrupted = render(h.takeOutput());
        }
        List<String> restoredEachTime = new ArrayList<>();
        var h = KeyedOperatorHarness.of(Counter::new, Serdes.string()).build();
        long id = 1;
        for (Record<String, String> r : input) {
            h.processRecord(r);
            restoredEachTime.addAll(render(h.takeOutput()));
            var snapshot = h.snapshot(id++);
            var next = h.restore(snapshot);
            h.close();
            h = next;
        }
        h.close();
        assertThat(restoredEachTime).isEqualTo(uninterrupted);
        assertThat(uninterrupted).contains("k3=7").hasSize(30);
    }

    @Test
    void endOfInputOnOneChannelLetsTheOtherChannelsBarrierCompleteAlignment() {
        try (var h = KeyedOperatorHarness.of(Counter::new, Serdes.string()).inputs(2).build()) {
            h.processBarrier(0, 5);
            assertThat(h.barrierSnapshots()).isEmpty();
            h.endInput(1);
            assertThat(h.barrierSnapshots())
                    .extracting(KeyedOperatorHarness.Snapshot::checkpointId)
                    .containsExactly(5L);
        }
    }
}
