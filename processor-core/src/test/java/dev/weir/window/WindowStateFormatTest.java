package dev.weir.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.Serdes;
import dev.weir.StateSerializer;
import dev.weir.WeirException;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The window state formats and the assigners' arithmetic. */
class WindowStateFormatTest {
    private final SlotsSerializer longs = new SlotsSerializer(Serdes.longs());

    @Test
    void slotsRoundTripWithTouchedAndUntouchedAccumulatorsAndNegativeStarts() {
        WindowSlots s = new WindowSlots(1);
        s.setAccumulator(s.insert(20, 30), 7L);
        s.setAccumulator(s.insert(-10, 0), -3L);
        s.setAccumulator(s.insert(Long.MIN_VALUE / 2, Long.MIN_VALUE / 2 + 1), 1L);
        s.firedUpTo(-42);
        WindowSlots back = longs.deserialize(longs.serialize(s));
        assertThat(back.firedUpTo()).isEqualTo(-42);
        back.setAccumulator(1, 99L); // touched: serialized anew; the others copied as bytes
        WindowSlots again = longs.deserialize(longs.serialize(back));
        assertThat(again.size()).isEqualTo(3);
        assertThat(again.window(0))
                .isEqualTo(new TimeWindow(Long.MIN_VALUE / 2, Long.MIN_VALUE / 2 + 1));
        assertThat(again.window(1)).isEqualTo(new TimeWindow(-10, 0));
        assertThat(again.window(2)).isEqualTo(new TimeWindow(20, 30));
        assertThat((Long) again.accumulator(0, Serdes.longs())).isEqualTo(1L);
        assertThat((Long) again.accumulator(1, Serdes.longs())).isEqualTo(99L);
        assertThat((Long) again.accumulator(2, Serdes.longs())).isEqualTo(7L);
        assertThat(again.firedUpTo()).isEqualTo(-42);
    }

    @Test
    void aKeyWithNoOpenWindowKeepsItsFiredMarkerAndAFreshOneHasNone() {
        WindowSlots s = new WindowSlots(2);
        assertThat(s.firedUpTo()).isEqualTo(Long.MIN_VALUE);
        s.firedUpTo(999);
        s.firedUpTo(500); // never backwards
        byte[] b = longs.serialize(s);
        assertThat(b).hasSize(9); // the marker and a count of 0
        WindowSlots back = longs.deserialize(b);
        assertThat(back.size()).isZero();
        assertThat(back.firedUpTo()).isEqualTo(999);
    }

    @Test
    void slotsWithoutAccumulatorsRoundTripAndNameNoneInTheirSchema() {
        SlotsSerializer none = new SlotsSerializer(null);
        WindowSlots s = new WindowSlots(2);
        s.insert(5, 15);
        s.insert(0, 10);
        WindowSlots back = none.deserialize(none.serialize(s));
        assertThat(back.window(0)).isEqualTo(new TimeWindow(0, 10));
        assertThat((Object) back.accumulator(1, Serdes.longs())).isNull();
        assertThat(none.schema()).isEqualTo("weir.window.slots/2[none]");
        assertThat(longs.schema()).isEqualTo("weir.window.slots/2[long:be64]");
    }

    @Test
    void truncatedOrTrailingBytesAreRejected() {
        WindowSlots s = new WindowSlots(2);
        s.setAccumulator(s.insert(0, 10), 1L);
        byte[] b = longs.serialize(s);
        assertThatThrownBy(() -> longs.deserialize(java.util.Arrays.copyOf(b, b.length - 1)))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("weir.window.slots/2");
        assertThatThrownBy(() -> longs.deserialize(java.util.Arrays.copyOf(b, b.length + 1)))
                .hasMessageContaining("trailing");
    }

    @Test
    void anotherFormatIsRejectedByNameAndAnAccumulatorMigrationRewritesEachAccumulator() {
        assertThatThrownBy(() -> longs.migrationFrom("weir.window.slots/3[long:be64]"))
                .hasMessageContaining("'weir.window.slots/3[long:be64]' is not in format")
                .hasMessageNotContaining("pre-release");
        assertThatThrownBy(() -> longs.migrationFrom("weir.window.slots/1[long:be64]"))
                .hasMessageContaining("format 1, of pre-release builds");
        assertThat(longs.migrationFrom("weir.window.slots/2[long:be64]")).isEmpty();
        // ints widened to longs by the accumulator serializer's own migration
        StateSerializer<Long> widening =
                new StateSerializer<>() {
                    @Override
                    public byte[] serialize(Long v) {
                        return Serdes.longs().serialize(v);
                    }

                    @Override
                    public Long deserialize(byte[] bytes) {
                        return Serdes.longs().deserialize(bytes);
                    }

                    @Override
                    public String schema() {
                        return "long:be64";
                    }

                    @Override
                    public Optional<UnaryOperator<byte[]>> migrationFrom(String writer) {
                        return Optional.of(b -> serialize((long) Serdes.ints().deserialize(b)));
                    }
                };
        SlotsSerializer old = new SlotsSerializer(Serdes.ints());
        WindowSlots s = new WindowSlots(2);
        s.setAccumulator(s.insert(0, 10), 41);
        byte[] migrated =
                new SlotsSerializer(widening)
                        .migrationFrom(old.schema())
                        .orElseThrow()
                        .apply(old.serialize(s));
        assertThat((Long) longs.deserialize(migrated).accumulator(0, Serdes.longs()))
                .isEqualTo(41L);
    }

    @Test
    void elementsRoundTripWithTheirTimestamps() {
        Element.Serializer<String> es = new Element.Serializer<>(Serdes.string());
        Element<String> e = new Element<>(-5, "x");
        assertThat(es.deserialize(es.serialize(e))).isEqualTo(e);
        assertThat(es.schema()).isEqualTo("weir.window.element/1[string:utf8]");
    }

    @Test
    void everyTimestampIsInExactlyTheWindowsThatCoverIt() {
        Random rnd = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            long size = 1 + rnd.nextInt(50);
            long slide = 1 + rnd.nextInt(50);
            long offset = rnd.nextInt((int) slide);
            long ts = rnd.nextInt(10_000) - 5_000;
            var sliding =
                    SlidingEventTimeWindows.of(
                            Duration.ofMillis(size),
                            Duration.ofMillis(slide),
                            Duration.ofMillis(offset));
            var windows = sliding.assignWindows(ts);
            long expected = 0;
            for (long s = offset - slide * (10_000 / slide + 1); s < 10_000; s += slide) {
                if (s <= ts && ts < s + size) {
                    expected++;
                    assertThat(windows).contains(new TimeWindow(s, s + size));
                }
            }
            assertThat(windows).hasSize((int) expected);
            var tumbling =
                    TumblingEventTimeWindows.of(Duration.ofMillis(size), Duration.ofMillis(0));
            TimeWindow w = tumbling.assignWindows(ts).get(0);
            assertThat(w.start()).isLessThanOrEqualTo(ts).isEqualTo(Math.floorDiv(ts, size) * size);
            assertThat(w.end()).isGreaterThan(ts);
        }
    }

    @Test
    void badSizesAndOffsetsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> TumblingEventTimeWindows.of(Duration.ZERO))
                .hasMessageContaining("size must be at least 1 ms, got PT0S");
        assertThatThrownBy(
                        () ->
                                TumblingEventTimeWindows.of(
                                        Duration.ofMillis(10), Duration.ofMillis(10)))
                .hasMessageContaining("got 10 ms");
        assertThatThrownBy(() -> EventTimeSessionWindows.withGap(Duration.ofMillis(-1)))
                .hasMessageContaining("gap");
        assertThatThrownBy(() -> new TimeWindow(5, 5)).hasMessageContaining("[5, 5)");
    }
}
