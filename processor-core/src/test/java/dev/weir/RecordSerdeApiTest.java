package dev.weir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record side of the serde API: {@link Serde}'s defaults, headers, and record origins. */
class RecordSerdeApiTest {
    private static final Header TRACE = new Header("trace", bytes("t-1"));

    @Test
    void aSerdeAsRecordSerdeWritesAndReadsTheSameBytesAsAsStateSerializer() {
        RecordSerde<String> record = Serdes.string();
        StateSerializer<String> state = Serdes.string();
        OutgoingHeaders headers = OutgoingHeaders.of(List.of(TRACE));

        byte[] written = record.serialize("orders", headers, "ü-1");

        assertThat(written).isEqualTo(state.serialize("ü-1"));
        assertThat(record.deserialize("orders", List.of(TRACE), written)).isEqualTo("ü-1");
        assertThat(headers.asList()).containsExactly(TRACE);
        RecordSerde<Long> longs = Serdes.longs();
        assertThat(longs.deserialize("t", List.of(), Serdes.longs().serialize(-7L))).isEqualTo(-7L);
    }

    @Test
    void outgoingHeadersHandOutTheRecordsOwnListUntilASerializerChangesThem() {
        List<Header> original = List.of(TRACE, new Header("b", bytes("2")));
        OutgoingHeaders headers = OutgoingHeaders.of(original);

        assertThat(headers.asList()).isSameAs(original);
        headers.remove("absent");
        assertThat(headers.asList()).isSameAs(original);

        headers.add("schema-id", bytes("7"));
        headers.add("trace", bytes("t-2"));
        assertThat(headers.asList())
                .extracting(Header::key)
                .containsExactly("trace", "b", "schema-id", "trace");
        assertThat(headers.lastHeader("trace")).map(h -> text(h.value())).contains("t-2");
        headers.remove("trace");
        assertThat(headers.asList()).extracting(Header::key).containsExactly("b", "schema-id");
        assertThat(headers.lastHeader("trace")).isEmpty();
        assertThat(original).extracting(Header::key).containsExactly("trace", "b");

        headers.reset(List.of());
        assertThat(headers.asList()).isEmpty();
        assertThatThrownBy(() -> headers.add(null, bytes("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void derivedRecordsKeepTheirOriginAndNewOnesHaveNone() {
        Origin origin = new Origin("orders", 3, 42);
        List<Header> headers = new ArrayList<>(List.of(TRACE));
        Record<String, Long> read = new Record<>("k", 1L, 5, headers, origin);

        assertThat(read.withKey("k2").origin()).isSameAs(origin);
        assertThat(read.withValue("v").origin()).isSameAs(origin);
        assertThat(read.with(1, 2).origin()).isSameAs(origin);
        assertThat(read.withValue("v").headers()).containsExactly(TRACE);
        assertThat(Record.of("k", 1L, 5).origin()).isNull();
        assertThat(new Record<>("k", 1L, 5, List.of()).origin()).isNull();
        assertThat(origin).hasToString("orders-3@42");
        Origin holding = new Origin("orders", 3, 42, new byte[] {1});
        assertThat(holding).as("equal by the record they name").isEqualTo(origin);
        assertThat(holding).hasSameHashCodeAs(origin).hasToString("orders-3@42");
        assertThat(read.withValue("v").origin().sourceRecord()).isNull();
    }

    @Test
    void anOriginOutsideKafkasRangesIsRefusedWithTheBadValue() {
        assertThatThrownBy(() -> new Origin("", 0, 0)).hasMessageContaining("topic");
        assertThatThrownBy(() -> new Origin("t", -1, 0)).hasMessageContaining("-1");
        assertThatThrownBy(() -> new Origin("t", 0, -5)).hasMessageContaining("-5");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
