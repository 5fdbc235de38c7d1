package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.WeirException;
import dev.weir.examples.KeyedAggregate.Totals;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TotalsJsonTest {
    private static String json(long count, long sum) {
        return new String(Totals.JSON.serialize(new Totals(count, sum)), StandardCharsets.US_ASCII);
    }

    @Test
    void writesWhatStringConcatenationWould() {
        long[] edges = {
            0,
            1,
            -1,
            9,
            10,
            -10,
            99,
            100,
            999_999_999,
            1_000_000_000,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            Long.MIN_VALUE + 1
        };
        for (long c : edges) {
            for (long s : edges) {
                assertThat(json(c, s)).isEqualTo("{\"count\":" + c + ",\"sum\":" + s + "}");
            }
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long c = random.nextLong() >> random.nextInt(64);
            long s = random.nextLong() >> random.nextInt(64);
            assertThat(json(c, s)).isEqualTo("{\"count\":" + c + ",\"sum\":" + s + "}");
            assertThat(Totals.JSON.deserialize(Totals.JSON.serialize(new Totals(c, s))))
                    .isEqualTo(new Totals(c, s));
        }
    }

    @Test
    void rejectsOtherJson() {
        assertThatThrownBy(
                        () ->
                                Totals.JSON.deserialize(
                                        "{\"amount\":3}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("{\"amount\":3}");
    }
}
