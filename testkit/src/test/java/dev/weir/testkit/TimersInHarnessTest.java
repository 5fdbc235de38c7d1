package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.KeyedProcessFunction;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.TimeDomain;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Timers, watermarks and side outputs of a keyed function, driven through the harness. */
class TimersInHarnessTest {
    static final OutputTag<String, String> SIDE = new OutputTag<>("side");

    /**
     * Values are commands: {@code e:T} registers an event-time timer at T, {@code p:T} a
     * processing-time one, {@code de:T}/{@code dp:T} delete them, {@code side} echoes the record to
     * the side output. A timer emits {@code <domain>@<timestamp>#<n>}, n counting the key's
     * firings.
     */
    static final class Commands implements KeyedProcessFunction<String, String, String, String> {
        private ValueState<Long> fired;

        @Override
        public void open(OpenContext context) {
            fired = context.state().valueState(new ValueStateDescriptor<>("fired", Serdes.longs()));
        }

        @Override
        public void process(Record<String, String> r, Context<String, String, String> ctx) {
            String[] c = r.value().split(":");
            switch (c[0]) {
                case "e" -> ctx.timerService().registerEventTimeTimer(Long.parseLong(c[1]));
                case "p" -> ctx.timerService().registerProcessingTimeTimer(Long.parseLong(c[1]));
                case "de" -> ctx.timerService().deleteEventTimeTimer(Long.parseLong(c[1]));
                case "dp" -> ctx.timerService().deleteProcessingTimeTimer(Long.parseLong(c[1]));
                case "side" -> ctx.output(SIDE, r);
                default -> throw new IllegalArgumentException(r.value());
            }
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext<String, String, String> ctx) {
            long n = fired.valueOrElse(0L) + 1;
            fired.update(n);
            String domain = ctx.timeDomain() == TimeDomain.EVENT_TIME ? "event" : "processing";
            ctx.emit(Record.of(ctx.currentKey(), domain + "@" + timestamp + "#" + n, timestamp));
        }
    }

    private static KeyedOperatorHarness<String, String, String, String> harness() {
        return KeyedOperatorHarness.of(Commands::new, Serdes.string()).build();
    }

    private static List<String> fired(List<Record<String, String>> out) {
        List<String> l = new ArrayList<>();
        out.forEach(r -> l.add(r.key() + "=" + r.value()));
        return l;
    }

    @Test
    void eventTimeTimersFireInTimestampOrderOncePerKeyAndTimestamp() {
        try (var h = harness()) {
            h.processRecord(Record.of("b", "e:20", 0));
            h.processRecord(Record.of("a", "e:30", 0));
            h.processRecord(Record.of("a", "e:10", 0));
            h.processRecord(Record.of("a", "e:10", 0)); // the same timer again: one
            h.processRecord(Record.of("c", "e:40", 0));
            assertThat(h.pendingEventTimeTimers()).isEqualTo(4);
            h.processWatermark(9);
            assertThat(h.takeOutput()).isEmpty();
            h.processWatermark(30);
            assertThat(fired(h.takeOutput()))
                    .containsExactly("a=event@10#1", "b=event@20#1", "a=event@30#2");
            assertThat(h.currentWatermark()).isEqualTo(30);
            // A watermark never goes back, and one at or below the current one fires nothing.
            h.processRecord(Record.of("d", "e:25", 0));
            h.processWatermark(20);
            assertThat(h.takeOutput()).isEmpty();
            h.processWatermark(40);
            assertThat(fired(h.takeOutput())).containsExactly("d=event@25#1", "c=event@40#1");
            assertThat(h.pendingEventTimeTimers()).isZero();
        }
    }

    @Test
    void aDeletedTimerNeverFiresAndDeletingAMissingOneDoesNothing() {
        try (var h = harness()) {
            h.processRecord(Record.of("a", "e:10", 0));
            h.processRecord(Record.of("a", "e:11", 0));
            h.processRecord(Record.of("a", "de:10", 0));
            h.processRecord(Record.of("b", "de:11", 0)); // another key's timer stays
            h.processRecord(Record.of("a", "de:99", 0));
            h.processWatermark(100);
            assertThat(fired(h.takeOutput())).containsExactly("a=event@11#1");
        }
    }

    @Test
    void processingTimeTimersFireWhenTheClockReachesThem() {
        try (var h = harness()) {
            h.processRecord(Record.of("a", "p:1000", 0));
            h.processRecord(Record.of("b", "p:500", 0));
            h.processRecord(Record.of("c", "p:700", 0));
            h.processRecord(Record.of("c", "dp:700", 0));
            h.setProcessingTime(499);
            assertThat(h.takeOutput()).isEmpty();
            h.setProcessingTime(1000);
            assertThat(fired(h.takeOutput()))
                    .containsExactly("b=processing@500#1", "a=processing@1000#1");
            // Event time does not fire processing-time timers.
            h.processRecord(Record.of("a", "p:2000", 0));
            h.processWatermark(Long.MAX_VALUE - 1);
            assertThat(h.takeOutput()).isEmpty();
            assertThat(h.pendingProcessingTimeTimers()).isEqualTo(1);
        }
    }

    @Test
    void theWatermarkIsTheMinimumOverInputsLeavingOutIdleOnes() {
        try (var h = KeyedOperatorHarness.of(Commands::new, Serdes.string()).inputs(2).build()) {
            h.processRecord(Record.of("a", "e:50", 0));
            h.processWatermark(0, 100);
            assertThat(h.takeOutput()).isEmpty();
            assertThat(h.currentWatermark()).isEqualTo(Long.MIN_VALUE);
            h.processWatermark(1, 60);
            assertThat(fired(h.takeOutput())).containsExactly("a=event@50#1");
            assertThat(h.currentWatermark()).isEqualTo(60);
            h.processRecord(Record.of("a", "e:90", 0));
            h.markIdle(1);
            assertThat(h.currentWatermark()).isEqualTo(100);
            assertThat(fired(h.takeOutput())).containsExactly("a=event@90#2");
        }
    }

    @Test
    void timersPendingAtASnapshotFireOnceAfterTheRestore() {
        KeyedOperatorHarness.Snapshot snapshot;
        try (var h = harness()) {
            for (int i = 0; i < 100; i++) {
                h.processRecord(Record.of("k" + i, "e:" + (1000 + i), 0));
                h.processRecord(Record.of("k" + i, "p:" + (5000 + i), 0));
            }
            h.processWatermark(1049); // k0..k49 fire before the snapshot
            assertThat(h.takeOutput()).hasSize(50);
            snapshot = h.snapshot(1);
            try (var restored = h.restore(snapshot)) {
                assertThat(restored.pendingEventTimeTimers()).isEqualTo(50);
                assertThat(restored.pendingProcessingTimeTimers()).isEqualTo(100);
                restored.processWatermark(2000);
                restored.setProcessingTime(6000);
                List<String> out = fired(restored.takeOutput());
                assertThat(out).hasSize(150).doesNotHaveDuplicates();
                assertThat(out.subList(0, 50))
                        .allMatch(s -> s.contains("=event@"))
                        .contains("k50=event@1050#1", "k99=event@1099#1");
                assertThat(out).contains("k0=processing@5000#2", "k99=processing@5099#2");
            }
        }
    }

    /**
     * Tens of thousands of registrations, deletions and firings, so that timers are written to
     * RocksDB in several batches while others are pending, deleted after being written, and
     * registered again after being deleted: the snapshot holds exactly the pending ones, checked
     * against a model, before and after the restore.
     */
    @Test
    void aLongRunOfRegistrationsDeletionsAndFiringsIsSnapshotExactly() {
        java.util.Random rnd = new java.util.Random(16);
        java.util.Set<String> pending = new java.util.TreeSet<>();
        List<String> expectedFired = new ArrayList<>();
        List<String> actualFired = new ArrayList<>();
        KeyedOperatorHarness.Snapshot snapshot;
        try (var h = harness()) {
            long wm = 0;
            for (int i = 0; i < 60_000; i++) {
                String key = "k" + rnd.nextInt(300);
                long ts = wm + 1 + rnd.nextInt(50);
                if (rnd.nextInt(3) == 0) {
                    h.processRecord(Record.of(key, "de:" + ts, 0));
                    pending.remove(key + "@" + ts);
                } else {
                    h.processRecord(Record.of(key, "e:" + ts, 0));
                    pending.add(key + "@" + ts);
                }
                if (rnd.nextInt(500) == 0) {
                    wm += 1 + rnd.nextInt(10);
                    h.processWatermark(wm);
                    long due = wm;
                    for (var it = pending.iterator(); it.hasNext(); ) {
                        String t = it.next();
                        if (Long.parseLong(t.substring(t.indexOf('@') + 1)) <= due) {
                            expectedFired.add(t);
                            it.remove();
                        }
                    }
                    h.takeOutput().forEach(r -> actualFired.add(firing(r)));
                }
            }
            assertThat(actualFired).containsExactlyInAnyOrderElementsOf(expectedFired);
            assertThat(h.pendingEventTimeTimers()).isEqualTo(pending.size());
            snapshot = h.snapshot(1);
            try (var restored = h.restore(snapshot)) {
                assertThat(restored.pendingEventTimeTimers()).isEqualTo(pending.size());
                restored.processWatermark(Long.MAX_VALUE);
                List<String> after = new ArrayList<>();
                restored.takeOutput().forEach(r -> after.add(firing(r)));
                assertThat(after).containsExactlyInAnyOrderElementsOf(pending);
            }
        }
    }

    /** {@code key@timestamp} of a firing's output. */
    private static String firing(Record<String, String> r) {
        String v = r.value();
        return r.key() + "@" + v.substring(v.indexOf('@') + 1, v.indexOf('#'));
    }

    @Test
    void restoredAtAnotherParallelismEachSubtaskFiresTheTimersOfItsOwnKeys() {
        List<KeyedOperatorHarness.Snapshot> snapshots = new ArrayList<>();
        KeyedOperatorHarness<String, String, String, String> first = harness();
        try (first) {
            for (int i = 0; i < 200; i++) {
                first.processRecord(Record.of("k" + i, "e:" + i, 0));
            }
            snapshots.add(first.snapshot(7));
            List<String> all = new ArrayList<>();
            for (int sub = 0; sub < 3; sub++) {
                try (var part = first.restoreRescaled(snapshots, sub, 3)) {
                    part.processWatermark(1000);
                    List<String> out = fired(part.takeOutput());
                    assertThat(out).isNotEmpty();
                    all.addAll(out);
                }
            }
            assertThat(all).hasSize(200).doesNotHaveDuplicates();
            // And back from three subtasks to one.
            List<KeyedOperatorHarness.Snapshot> three = new ArrayList<>();
            for (int sub = 0; sub < 3; sub++) {
                try (var part = first.restoreRescaled(snapshots, sub, 3)) {
                    three.add(part.snapshot(8));
                }
            }
            try (var one = first.restoreRescaled(three, 0, 1)) {
                assertThat(one.pendingEventTimeTimers()).isEqualTo(200);
            }
        }
    }

    @Test
    void sideOutputsAreApartFromTheMainOutput() {
        try (var h = harness()) {
            h.processRecord(Record.of("a", "side", 5));
            assertThat(h.takeOutput()).isEmpty();
            assertThat(h.takeSideOutput(SIDE)).containsExactly(Record.of("a", "side", 5));
            assertThat(h.takeSideOutput(new OutputTag<String, String>("other"))).isEmpty();
        }
    }

    @Test
    void aJobCannotDeclareStateUnderWeirsReservedNames() {
        KeyedOperatorHarness.Builder<String, String, String, String> b =
                KeyedOperatorHarness.of(
                        () ->
                                new KeyedProcessFunction<String, String, String, String>() {
                                    @Override
                                    public void open(OpenContext c) {
                                        c.state()
                                                .valueState(
                                                        new ValueStateDescriptor<>(
                                                                "_weir.timers.event-time",
                                                                Serdes.longs()));
                                    }

                                    @Override
                                    public void process(
                                            Record<String, String> r,
                                            Context<String, String, String> ctx) {}
                                },
                        Serdes.string());
        assertThatThrownBy(b::build).hasMessageContaining("reserved for Weir's own state");
    }
}
