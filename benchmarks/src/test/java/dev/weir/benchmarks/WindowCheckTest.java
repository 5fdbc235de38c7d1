package dev.weir.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The windowed-aggregate model and checker on a hand-made input, without a broker. */
class WindowCheckTest {
    private static final WindowSpec SPEC = new WindowSpec(1_000, 500, 100);

    /** user-1: 1,000 and 1,999 in [1000, 2000); 2,000 in [2000, 3000). user-2: 2,500. */
    private static WindowModel model(long flushTs) {
        WindowModel m = new WindowModel(SPEC, 10, 1_000, 4);
        m.record(1, 1_000, 5);
        m.record(1, 1_999, 7);
        m.record(1, 2_000, 1);
        m.record(2, 2_500, 3);
        return m.finish(flushTs);
    }

    private static void out(WindowCheck c, String key, String value) {
        c.accept(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyWindowOnceWithItsCountAndSumIsOk() {
        WindowModel m = model(10_000);
        assertThat(m.expected()).isEqualTo(3);
        assertThat(m.windows()).isEqualTo(2);
        WindowCheck c = new WindowCheck(m);
        out(c, "user-1", "{\"window_start\":1000,\"window_end\":2000,\"count\":2,\"sum\":12}");
        out(c, "user-1", "{\"window_start\":2000,\"window_end\":3000,\"count\":1,\"sum\":1}");
        out(c, "user-2", "{\"window_start\":2000,\"window_end\":3000,\"count\":1,\"sum\":3}");
        out(c, "flush-0", "{\"window_start\":9000,\"window_end\":10000,\"count\":1,\"sum\":0}");
        assertThat(c.verify()).isEqualTo("OK");
        assertThat(c.flushOutputs()).isEqualTo(1);
    }

    @Test
    void lostDuplicatedAndWrongWindowsAreCounted() {
        WindowCheck c = new WindowCheck(model(10_000));
        out(c, "user-1", "{\"window_start\":1000,\"window_end\":2000,\"count\":2,\"sum\":12}");
        out(c, "user-1", "{\"window_start\":1000,\"window_end\":2000,\"count\":2,\"sum\":12}");
        out(c, "user-2", "{\"window_start\":2000,\"window_end\":3000,\"count\":1,\"sum\":4}");
        out(c, "user-3", "{\"window_start\":2000,\"window_end\":3000,\"count\":1,\"sum\":4}");
        assertThat(c.verify())
                .startsWith("MISMATCH: 1 lost, 1 duplicated, 2 wrong of 3 windows")
                .contains("lost user-1 {\"window_start\":2000");
    }

    @Test
    void aValueWithSpacesOrAnotherFieldOrderIsWrong() {
        WindowCheck c = new WindowCheck(model(10_000));
        out(c, "user-1", "{\"window_start\":1000, \"window_end\":2000,\"count\":2,\"sum\":12}");
        out(c, "user-1", "{\"window_start\":2000,\"count\":1,\"window_end\":3000,\"sum\":1}");
        out(c, "user-2", "{\"window_start\":2000,\"window_end\":3000,\"count\":1,\"sum\":3}");
        assertThat(c.verify()).startsWith("MISMATCH: 0 lost, 0 duplicated, 2 wrong");
    }

    @Test
    void onlyWindowsTheFlushClosesAreExpected() {
        // [2000, 3000) closes at max timestamp >= 3000 + 600.
        assertThat(model(3_599).expected()).isEqualTo(1);
        assertThat(model(3_599).notClosed()).isEqualTo(2);
        assertThat(model(3_600).expected()).isEqualTo(3);
    }

    @Test
    void aRecordOfAClosedWindowIsCountedLate() {
        WindowModel m = new WindowModel(SPEC, 10, 0, 2);
        m.record(1, 2_599, 1); // closes [1000, 2000) at 2600, not yet
        m.record(1, 1_999, 1);
        m.record(1, 2_600, 1);
        m.record(1, 1_999, 1); // late
        assertThat(m.lateInputs()).isEqualTo(1);
    }

    @Test
    void disorderedTimestampsStayWithinTheBound() {
        EventTime t = new EventTime(1_000, 3, 50, 0);
        Random jitter = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            long ts = t.timestamp(i, jitter);
            assertThat(ts).isBetween(t.base(i) - 50, t.base(i));
        }
        assertThat(t.base(2)).isEqualTo(1_000);
        assertThat(t.base(3)).isEqualTo(1_001);
    }
}
