package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.WeirException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AmountSerdeTest {
    private static long parse(String json) {
        return new AmountSerde().deserialize(json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"amount\":42}|42",
                "  {\"seq\":1, \"amount\" : -7 ,\"pad\":\"x\"}\t|-7",
                "{\"amount\":9223372036854775807}|9223372036854775807",
                "{\"amount\":-9223372036854775808}|-9223372036854775808",
                "{\"note\":\"\\\"amount\\\":5 in a string\",\"amount\":6}|6",
                "{\"nested\":{\"amount\":1},\"list\":[{\"amount\":2}],\"amount\":3}|3",
                "{\"name\":\"Zoë ☕\",\"amount\":12}|12",
                "{\"amount\":12.5}|12"
            })
    void readsTheTopLevelAmount(String json, long expected) {
        assertThat(parse(json)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "[1,2]|not a JSON object",
                "{\"amount\"|not a JSON object",
                "{\"nested\":{\"amount\":1}}|no field \"amount\"",
                "{\"amount\" 5}|malformed JSON near \"amount\"",
                "{\"amount\":\"5\"}|is not an integer",
                "{\"amount\":-}|is not an integer",
                "{\"amount\":9223372036854775808}|is not an integer"
            })
    void rejectsWithTheReason(String json, String reason) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining(json.substring(0, Math.min(json.length(), 10)));
    }

    @Test
    void roundTrips() {
        AmountSerde serde = new AmountSerde();
        for (long v : new long[] {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThat(serde.deserialize(serde.serialize(v))).isEqualTo(v);
        }
    }
}
