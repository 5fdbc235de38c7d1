package dev.weir.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.Header;
import dev.weir.KeyedProcessFunction;
import dev.weir.OutgoingHeaders;
import dev.weir.Record;
import dev.weir.RecordSerde;
import dev.weir.Serdes;
import dev.weir.StateSerializer;
import dev.weir.UnrecoverableJobException;
import dev.weir.WeirException;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import dev.weir.testkit.KeyedOperatorHarness;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/** JSON values as record serde and as state serializer, across versions of their types. */
class JsonSerdeTest {
    /** Declared out of alphabetical order on purpose. */
    record Order(String customer, long amount, Map<String, Integer> items, Set<String> tags) {}

    /** A POJO with a no-argument constructor and setters. */
    public static final class Customer {
        private String name;
        private int visits;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public int getVisits() {
            return visits;
        }

        public void setVisits(int visits) {
            this.visits = visits;
        }
    }

    record TotalsV1(long count, String note) {}

    /** v2: "note" removed, "max" added; declared before "count". */
    record TotalsV2(long max, long count) {}

    /** Incompatible with v1: "count" became an object. */
    record TotalsBroken(Map<String, String> count) {}

    @Test
    void equalValuesGiveEqualBytesWithPropertiesMapKeysAndSetElementsSorted() {
        JsonSerde<Order> serde = JsonSerde.of(Order.class);
        Map<String, Integer> items = new LinkedHashMap<>();
        items.put("pear", 2);
        items.put("apple", 1);
        Map<String, Integer> sameItems = new LinkedHashMap<>();
        sameItems.put("apple", 1);
        sameItems.put("pear", 2);
        Set<String> tags = new HashSet<>(List.of("z", "a", "m"));

        byte[] one = serde.serialize(new Order("c-1", 42, items, tags));
        byte[] other = serde.serialize(new Order("c-1", 42, sameItems, Set.of("m", "z", "a")));

        assertThat(text(one))
                .isEqualTo(
                        "{\"amount\":42,\"customer\":\"c-1\",\"items\":{\"apple\":1,\"pear\":2},"
                                + "\"tags\":[\"a\",\"m\",\"z\"]}");
        assertThat(other).isEqualTo(one);
        assertThat(serde.deserialize(one)).isEqualTo(new Order("c-1", 42, sameItems, tags));
    }

    @Test
    void aJsonSerdeServesAsRecordSerdeAndAsStateSerializerWithTheSameBytes() {
        RecordSerde<Customer> record = JsonSerde.of(Customer.class);
        StateSerializer<Customer> state = JsonSerde.of(Customer.class);
        Customer c = new Customer();
        c.setName("Ada");
        c.setVisits(3);
        OutgoingHeaders headers = OutgoingHeaders.of(List.of());

        byte[] written = record.serialize("customers", headers, c);

        assertThat(text(written)).isEqualTo("{\"name\":\"Ada\",\"visits\":3}");
        assertThat(state.serialize(c)).isEqualTo(written);
        Customer read = record.deserialize("customers", List.<Header>of(), written);
        assertThat(read.getName()).isEqualTo("Ada");
        assertThat(read.getVisits()).isEqualTo(3);
        assertThat(headers.asList()).isEmpty();
    }

    @Test
    void schemaNamesTheTypeAndItsPropertiesInAlphabeticalOrder() {
        assertThat(JsonSerde.of(TotalsV2.class).schema())
                .isEqualTo("json:dev.weir.serdes.JsonSerdeTest$TotalsV2{count:long,max:long}");
        assertThat(JsonSerde.of(Order.class).schema())
                .isEqualTo(
                        "json:dev.weir.serdes.JsonSerdeTest$Order{amount:long,"
                                + "customer:java.lang.String,"
                                + "items:java.util.Map<java.lang.String,java.lang.Integer>,"
                                + "tags:java.util.Set<java.lang.String>}");
        assertThat(JsonSerde.of(new TypeReference<List<TotalsV1>>() {}).schema())
                .isEqualTo("json:java.util.List<dev.weir.serdes.JsonSerdeTest$TotalsV1>");
    }

    @Test
    void unknownPropertiesAreIgnoredAndMissingOnesDefaultSoAddedAndRemovedFieldsRead() {
        byte[] v1 = JsonSerde.of(TotalsV1.class).serialize(new TotalsV1(7, "old"));

        TotalsV2 v2 = JsonSerde.of(TotalsV2.class).deserialize(v1);

        assertThat(v2).isEqualTo(new TotalsV2(0, 7));
    }

    @Test
    void malformedInputThrowsNamingTheTypeAndTheCause() {
        JsonSerde<TotalsV1> serde = JsonSerde.of(TotalsV1.class);

        assertThatThrownBy(() -> serde.deserialize(bytes("{\"count\":")))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("JsonSerdeTest$TotalsV1")
                .hasMessageContaining("end-of-input");
        assertThatThrownBy(() -> serde.deserialize(bytes("{\"count\":\"many\"}")))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("JsonSerdeTest$TotalsV1")
                .hasMessageContaining("many");
        assertThatThrownBy(() -> serde.deserialize(bytes("{\"count\":1} {}")))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("Trailing token")
                .hasMessageContaining("at byte 12");
        assertThatThrownBy(() -> serde.deserialize(bytes("null")))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("null");
    }

    @Test
    void treesAreWrittenWithSortedFieldsAndRoundTrip() {
        JsonSerde<JsonNode> trees = JsonSerde.tree();
        JsonNode tree = trees.deserialize(bytes("{\"b\":{\"y\":1,\"x\":[3,2]},\"a\":null}"));

        byte[] written = trees.serialize(tree);

        assertThat(text(written)).isEqualTo("{\"a\":null,\"b\":{\"x\":[3,2],\"y\":1}}");
        assertThat(trees.deserialize(written)).isEqualTo(tree);
    }

    @Test
    void migrationRewritesOldValuesInTheNewFormatAndRefusesNonJsonState() {
        JsonSerde<TotalsV1> v1 = JsonSerde.of(TotalsV1.class);
        JsonSerde<TotalsV2> v2 = JsonSerde.of(TotalsV2.class);

        assertThat(v2.migrationFrom(v2.schema())).isEmpty();
        byte[] migrated =
                v2.migrationFrom(v1.schema())
                        .orElseThrow()
                        .apply(v1.serialize(new TotalsV1(3, "n")));
        assertThat(text(migrated)).isEqualTo("{\"count\":3,\"max\":0}");
        assertThatThrownBy(() -> v2.migrationFrom(Serdes.longs().schema()))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("non-JSON")
                .hasMessageContaining("long:be64");
    }

    /** Counts per key into a JSON-typed value state of {@code serde}'s type. */
    static final class Counter<T> implements KeyedProcessFunction<String, Long, String, String> {
        private final StateSerializer<T> serde;
        private final ToLongFunction<T> count;
        private final BiFunction<Long, Long, T> next;
        private ValueState<T> totals;

        Counter(StateSerializer<T> serde, ToLongFunction<T> count, BiFunction<Long, Long, T> next) {
            this.serde = serde;
            this.count = count;
            this.next = next;
        }

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            totals = state.valueState(new ValueStateDescriptor<>("totals", serde));
        }

        @Override
        public void process(Record<String, Long> r, Context<String, String, String> out) {
            T t = totals.valueOrElse(null);
            T updated = next.apply(t == null ? 1 : count.applyAsLong(t) + 1, r.value());
            totals.update(updated);
            out.emit(r.withValue(text(serde.serialize(updated))));
        }
    }

    private static Counter<TotalsV1> v1() {
        return new Counter<>(
                JsonSerde.of(TotalsV1.class), TotalsV1::count, (c, v) -> new TotalsV1(c, "v" + v));
    }

    private static Counter<TotalsV2> v2() {
        return new Counter<>(
                JsonSerde.of(TotalsV2.class), TotalsV2::count, (c, v) -> new TotalsV2(v, c));
    }

    @Test
    void stateOfAnEarlierVersionOfTheTypeRestoresIntoTheNewOne() {
        try (var h1 = KeyedOperatorHarness.of(JsonSerdeTest::v1, Serdes.string()).build()) {
            h1.processRecord(Record.of("a", 5L, 0));
            h1.processRecord(Record.of("a", 7L, 0));
            h1.processRecord(Record.of("b", 1L, 0));
            var snapshot = h1.snapshot(1);
            try (var h2 = h1.restore(snapshot, JsonSerdeTest::v2)) {
                h2.processRecord(Record.of("a", 3L, 0));
                h2.processRecord(Record.of("b", 9L, 0));

                assertThat(h2.takeOutput().stream().map(Record::value))
                        .containsExactly("{\"count\":3,\"max\":3}", "{\"count\":2,\"max\":9}");
            }
        }
    }

    @Test
    void stateThatTheNewTypeCannotReadFailsTheRestoreNamingTheState() {
        try (var h1 = KeyedOperatorHarness.of(JsonSerdeTest::v1, Serdes.string()).build()) {
            h1.processRecord(Record.of("a", 5L, 0));
            var snapshot = h1.snapshot(1);
            Counter<TotalsBroken> broken =
                    new Counter<>(JsonSerde.of(TotalsBroken.class), t -> 0, (c, v) -> null);

            assertThatThrownBy(() -> h1.restore(snapshot, () -> broken).close())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("state 'totals'")
                    .hasMessageContaining("JsonSerdeTest$TotalsBroken");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
