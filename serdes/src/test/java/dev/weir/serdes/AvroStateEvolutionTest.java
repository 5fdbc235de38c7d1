package dev.weir.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.UnrecoverableJobException;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ListState;
import dev.weir.state.ListStateDescriptor;
import dev.weir.state.MapState;
import dev.weir.state.MapStateDescriptor;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import dev.weir.testkit.KeyedOperatorHarness;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Avro-typed keyed state across versions of a job: restored through a real RocksDB snapshot into a
 * function whose state schema evolved.
 */
class AvroStateEvolutionTest {
    static final Schema V1 =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Totals\",\"namespace\":\"demo\","
                                    + "\"fields\":[{\"name\":\"count\",\"type\":\"long\"},"
                                    + "{\"name\":\"note\",\"type\":\"string\",\"default\":\"\"}]}");

    /** v2: "note" removed, "max" added with a default. */
    static final Schema V2 =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Totals\",\"namespace\":\"demo\","
                                    + "\"fields\":[{\"name\":\"count\",\"type\":\"long\"},"
                                    + "{\"name\":\"max\",\"type\":\"long\",\"default\":-1}]}");

    /** Incompatible: "count" became a string. */
    static final Schema BROKEN =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Totals\",\"namespace\":\"demo\","
                                    + "\"fields\":[{\"name\":\"count\",\"type\":\"string\"}]}");

    /** Counts per key in an Avro record of {@code schema}; also keeps a list of Avro records. */
    static final class Counter implements KeyedProcessFunction<String, Long, String, String> {
        private final Schema schema;
        private ValueState<GenericRecord> totals;
        private ListState<GenericRecord> history;

        Counter(Schema schema) {
            this.schema = schema;
        }

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            totals =
                    state.valueState(
                            new ValueStateDescriptor<>(
                                    "totals", AvroStateSerializer.generic(schema)));
            history =
                    state.listState(
                            new ListStateDescriptor<>(
                                    "history", AvroStateSerializer.generic(schema)));
        }

        @Override
        public void process(Record<String, Long> r, Context<String, String, String> out) {
            GenericRecord t = totals.valueOrElse(null);
            GenericRecord next = new GenericData.Record(schema);
            long count = t == null ? 1 : (Long) t.get("count") + 1;
            next.put("count", count);
            if (schema.getField("note") != null) {
                next.put("note", "v1");
            }
            if (schema.getField("max") != null) {
                long previous = t == null ? -1 : (Long) t.get("max");
                next.put("max", Math.max(previous, r.value()));
            }
            totals.update(next);
            history.add(next);
            out.emit(r.withValue(next.toString()));
        }
    }

    /** A map key whose schema holds "->", as the metadata once joined map schemas with it. */
    static final Schema ROUTE =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Route\",\"namespace\":\"demo\","
                                    + "\"doc\":\"a hop: from -> to\","
                                    + "\"fields\":[{\"name\":\"to\",\"type\":\"string\"}]}");

    /** Counts per key and destination in a map of Avro keys to Avro records of {@code schema}. */
    static final class RouteCounter implements KeyedProcessFunction<String, Long, String, String> {
        private final Schema schema;
        private MapState<GenericRecord, GenericRecord> totals;

        RouteCounter(Schema schema) {
            this.schema = schema;
        }

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            totals =
                    state.mapState(
                            new MapStateDescriptor<>(
                                    "routes",
                                    AvroStateSerializer.generic(ROUTE),
                                    AvroStateSerializer.generic(schema)));
        }

        @Override
        public void process(Record<String, Long> r, Context<String, String, String> out) {
            GenericRecord route = new GenericData.Record(ROUTE);
            route.put("to", "x" + (r.value() % 2));
            GenericRecord t = totals.get(route).orElse(null);
            GenericRecord next = new GenericData.Record(schema);
            next.put("count", t == null ? 1L : (Long) t.get("count") + 1);
            if (schema.getField("note") != null) {
                next.put("note", "v1");
            }
            if (schema.getField("max") != null) {
                next.put("max", Math.max(t == null ? -1 : (Long) t.get("max"), r.value()));
            }
            totals.put(route, next);
            out.emit(r.withValue(next.toString()));
        }
    }

    private static KeyedOperatorHarness.Snapshot v1State(
            KeyedOperatorHarness<String, Long, String, String> h) {
        h.processRecord(Record.of("a", 5L, 0));
        h.processRecord(Record.of("a", 7L, 0));
        h.processRecord(Record.of("b", 1L, 0));
        return h.snapshot(1);
    }

    @Test
    void stateWrittenWithTheOldSchemaIsReadThroughAvroResolutionAfterACompatibleChange() {
        try (var v1 = KeyedOperatorHarness.of(() -> new Counter(V1), Serdes.string()).build()) {
            var snapshot = v1State(v1);
            try (var v2 = v1.restore(snapshot, () -> new Counter(V2))) {
                v2.processRecord(Record.of("a", 3L, 0));
                v2.processRecord(Record.of("b", 9L, 0));
                List<String> out = v2.takeOutput().stream().map(Record::value).toList();
                // count carried over from v1; "max" starts at its default (-1) for old values.
                assertThat(out)
                        .containsExactly(
                                "{\"count\": 3, \"max\": 3}", "{\"count\": 2, \"max\": 9}");
                // And the evolved state snapshots and restores again.
                var again = v2.snapshot(2);
                try (var v2b = v2.restore(again)) {
                    v2b.processRecord(Record.of("a", 1L, 0));
                    assertThat(v2b.takeOutput().get(0).value())
                            .isEqualTo("{\"count\": 4, \"max\": 3}");
                }
            }
        }
    }

    @Test
    void mapValuesMigrateWhenTheMapKeySchemaContainsAnArrow() {
        try (var v1 =
                KeyedOperatorHarness.of(() -> new RouteCounter(V1), Serdes.string()).build()) {
            v1.processRecord(Record.of("a", 4L, 0));
            v1.processRecord(Record.of("a", 6L, 0));
            var snapshot = v1.snapshot(1);
            try (var v2 = v1.restore(snapshot, () -> new RouteCounter(V2))) {
                v2.processRecord(Record.of("a", 2L, 0));
                assertThat(v2.takeOutput().get(0).value()).isEqualTo("{\"count\": 3, \"max\": 2}");
            }
        }
    }

    @Test
    void anIncompatibleChangeFailsTheRestoreNamingOperatorStateAndReason() {
        try (var v1 = KeyedOperatorHarness.of(() -> new Counter(V1), Serdes.string()).build()) {
            var snapshot = v1State(v1);
            assertThatThrownBy(() -> v1.restore(snapshot, () -> new Counter(BROKEN)).close())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("operator 'operator'")
                    .hasMessageContaining("state 'totals'")
                    .hasMessageContaining("TYPE_MISMATCH")
                    .hasMessageContaining("count");
        }
    }

    @Test
    void serdeRoundTripAndMigrationOfSingleValues() {
        AvroStateSerializer<GenericRecord> v1 = AvroStateSerializer.generic(V1);
        AvroStateSerializer<GenericRecord> v2 = AvroStateSerializer.generic(V2);
        GenericRecord r = new GenericData.Record(V1);
        r.put("count", 42L);
        r.put("note", "x");
        assertThat(v1.deserialize(v1.serialize(r))).isEqualTo(r);
        assertThat(v1.migrationFrom(v1.schema())).isEmpty();
        byte[] migrated = v2.migrationFrom(v1.schema()).orElseThrow().apply(v1.serialize(r));
        GenericRecord read = v2.deserialize(migrated);
        assertThat(read.get("count")).isEqualTo(42L);
        assertThat(read.get("max")).isEqualTo(-1L);
        assertThatThrownBy(() -> AvroStateSerializer.generic(BROKEN).migrationFrom(v1.schema()))
                .hasMessageContaining("TYPE_MISMATCH");
        assertThatThrownBy(() -> v1.migrationFrom("long:be64")).hasMessageContaining("non-Avro");
    }
}
