package dev.weir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.Barrier;
import dev.weir.EndOfInput;
import dev.weir.Record;
import dev.weir.StreamElement;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Drives an {@link InputGate} from in-memory channel queues on the test thread. */
class InputGateTest {
    private static final Barrier B1 = new Barrier(1, 100);
    private static final Barrier B2 = new Barrier(2, 200);
    private static final EndOfInput EOI = EndOfInput.INSTANCE;

    private final List<Deque<StreamElement[]>> channels = new ArrayList<>();
    private final ManualClock clock = new ManualClock(1_000);

    @Test
    void recordsAfterABarrierAreHeldUntilTheBarrierArrivedOnEveryChannel() {
        InputGate gate = gate(2);
        feed(0, rec("a0"), B1, rec("a1"));
        feed(1, rec("b0"), rec("b1"));

        assertThat(drain(gate)).containsExactlyInAnyOrder(rec("a0"), rec("b0"), rec("b1"));
        assertThat(gate.isBlocked(0)).isTrue();
        assertThat(gate.isBlocked(1)).isFalse();

        feed(1, rec("b2"), B1, rec("b3"));
        List<StreamElement> out = drain(gate);

        assertThat(out).containsExactlyInAnyOrder(rec("b2"), B1, rec("a1"), rec("b3"));
        assertSplits(out, B1, List.of(rec("b2")), List.of(rec("a1"), rec("b3")));
        assertThat(gate.isBlocked(0)).isFalse();
        assertThat(gate.isBlocked(1)).isFalse();
    }

    @Test
    void alignedBarrierIsReturnedExactlyOnceAfterEveryPreBarrierRecordOfEveryChannel() {
        InputGate gate = gate(3);
        feed(0, rec("a0"), rec("a1"), B1, rec("a2"));
        feed(1, rec("b0"));
        feed(1, rec("b1"), B1);
        feed(1, rec("b2"));
        feed(2, B1, rec("c0"));

        List<StreamElement> out = drain(gate);

        assertThat(out).hasSize(8);
        assertSplits(
                out,
                B1,
                List.of(rec("a0"), rec("a1"), rec("b0"), rec("b1")),
                List.of(rec("a2"), rec("b2"), rec("c0")));
        assertThat(gate.poll()).isNull();
    }

    @Test
    void recordsOfOneChannelKeepTheirOrder() {
        InputGate gate = gate(2);
        feed(0, rec("a0"), rec("a1"));
        feed(1, rec("b0"), B1, rec("b1"));
        feed(0, rec("a2"), B1, rec("a3"));

        List<StreamElement> out = drain(gate);

        assertThat(
                        out.stream()
                                .filter(
                                        e ->
                                                e instanceof Record<?, ?> r
                                                        && ((String) r.value()).startsWith("a")))
                .containsExactly(rec("a0"), rec("a1"), rec("a2"), rec("a3"));
        assertSplits(
                out,
                B1,
                List.of(rec("a0"), rec("a1"), rec("a2"), rec("b0")),
                List.of(rec("a3"), rec("b1")));
    }

    @Test
    void blockedChannelIsNotReadFurtherSoItsSenderFeelsBackpressure() {
        InputGate gate = gate(2);
        feed(0, B1);
        feed(0, rec("a1"));

        assertThat(drain(gate)).isEmpty();
        assertThat(channels.get(0)).hasSize(1);
    }

    @Test
    void singleChannelGateReturnsABarrierAtOnce() {
        InputGate gate = gate(1);
        feed(0, rec("a0"), B1, rec("a1"));

        assertThat(drain(gate)).containsExactly(rec("a0"), B1, rec("a1"));
    }

    @Test
    void newerBarrierAbandonsAnUnfinishedAlignment() {
        InputGate gate = gate(2);
        feed(0, rec("a0"), B1, rec("a1"), B2, rec("a2"));
        assertThat(drain(gate)).containsExactly(rec("a0"));
        assertThat(gate.isBlocked(0)).isTrue();

        // Channel 1 never carried barrier 1 (checkpoint 1 was aborted upstream).
        feed(1, rec("b0"), B2, rec("b1"));
        List<StreamElement> out = drain(gate);

        assertThat(out).containsExactlyInAnyOrder(rec("b0"), rec("a1"), B2, rec("a2"), rec("b1"));
        assertSplits(out, B2, List.of(rec("b0"), rec("a1")), List.of(rec("a2"), rec("b1")));
    }

    @Test
    void barrierOlderThanTheCurrentAlignmentIsIgnoredAndDoesNotHoldItsChannel() {
        InputGate gate = gate(2);
        feed(1, rec("b0"), B2, rec("b1"));
        assertThat(drain(gate)).containsExactly(rec("b0"));

        feed(0, rec("a0"), B1, rec("a1"), B2, rec("a2"));
        List<StreamElement> out = drain(gate);

        assertThat(out).containsExactlyInAnyOrder(rec("a0"), rec("a1"), B2, rec("a2"), rec("b1"));
        assertSplits(out, B2, List.of(rec("a0"), rec("a1")), List.of(rec("a2"), rec("b1")));
    }

    @Test
    void endOfInputOnOneChannelLetsAlignmentCompleteWithTheOtherChannelsBarrier() {
        InputGate gate = gate(2);
        feed(0, rec("a0"), B1, rec("a1"));
        assertThat(drain(gate)).containsExactly(rec("a0"));

        feed(1, rec("b0"), EOI);
        List<StreamElement> out = drain(gate);

        assertThat(out).containsExactlyInAnyOrder(rec("b0"), B1, rec("a1"));
        assertSplits(out, B1, List.of(rec("b0")), List.of(rec("a1")));

        feed(0, EOI);
        assertThat(drain(gate)).containsExactly(EOI);
    }

    @Test
    void channelThatEndedBeforeTheBarrierDoesNotHoldAlignment() {
        InputGate gate = gate(2);
        feed(1, EOI);
        assertThat(drain(gate)).isEmpty();

        feed(0, rec("a0"), B1, rec("a1"));

        assertThat(drain(gate)).containsExactly(rec("a0"), B1, rec("a1"));
    }

    @Test
    void endOfInputIsReturnedOnceWhenAllChannelsEnded() {
        InputGate gate = gate(3);
        feed(0, rec("a0"), EOI);
        feed(1, EOI);
        assertThat(drain(gate)).containsExactly(rec("a0"));

        feed(2, rec("c0"), EOI);
        assertThat(drain(gate)).containsExactly(rec("c0"), EOI);

        feed(0, rec("after-end"));
        assertThat(gate.poll()).isNull();
        assertThat(gate.poll()).isNull();
    }

    @Test
    void alignmentTimeIsMeasuredWithTheInjectedClock() {
        InputGate gate = gate(2);
        feed(0, B1);
        assertThat(drain(gate)).isEmpty();

        clock.advance(250);
        feed(1, B1);

        assertThat(drain(gate)).containsExactly(B1);
        assertThat(gate.lastAlignmentMillis()).isEqualTo(250);
    }

    @Test
    void emptyBatchIsSkipped() {
        InputGate gate = gate(1);
        feed(0);
        feed(0, rec("a0"));

        assertThat(drain(gate)).containsExactly(rec("a0"));
    }

    @Test
    void busyChannelDoesNotStarveTheOthers() {
        InputGate gate = gate(2);
        feed(0, rec("a0"));
        feed(0, rec("a1"));
        feed(0, rec("a2"));
        feed(1, rec("b0"));

        List<StreamElement> out = drain(gate);

        assertThat(out.indexOf(rec("b0")))
                .as("position of b0 in %s", out)
                .isLessThan(out.indexOf(rec("a2")));
    }

    private InputGate gate(int n) {
        for (int i = 0; i < n; i++) {
            channels.add(new ArrayDeque<>());
        }
        return new InputGate(n, c -> channels.get(c).poll(), clock);
    }

    private void feed(int channel, StreamElement... batch) {
        channels.get(channel).add(batch);
    }

    private static List<StreamElement> drain(InputGate gate) {
        List<StreamElement> out = new ArrayList<>();
        for (StreamElement e = gate.poll(); e != null; e = gate.poll()) {
            out.add(e);
            if (out.size() > 10_000) {
                throw new AssertionError("gate does not run dry: " + out.subList(0, 20));
            }
        }
        return out;
    }

    /**
     * {@code barrier} occurs once in {@code out}, after every element of before, before every one
     * of after.
     */
    private static void assertSplits(
            List<StreamElement> out,
            Barrier barrier,
            List<StreamElement> before,
            List<StreamElement> after) {
        assertThat(Collections.frequency(out, barrier))
                .as("occurrences of %s in %s", barrier, out)
                .isEqualTo(1);
        int at = out.indexOf(barrier);
        assertThat(out.subList(0, at)).as("before %s in %s", barrier, out).containsAll(before);
        assertThat(out.subList(at + 1, out.size()))
                .as("after %s in %s", barrier, out)
                .containsAll(after);
    }

    private static Record<String, String> rec(String value) {
        return Record.of("k", value, 0L);
    }

    /** A clock that only moves when the test moves it. */
    private static final class ManualClock implements InstantSource {
        private long millis;

        ManualClock(long millis) {
            this.millis = millis;
        }

        void advance(long delta) {
            millis += delta;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }
}
