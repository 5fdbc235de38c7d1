package dev.weir.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.KeyedProcessFunction;
import dev.weir.Output;
import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.SubtaskInfo;
import dev.weir.UnrecoverableJobException;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ListState;
import dev.weir.state.ListStateDescriptor;
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
        public void open(KeyedStateStore state, SubtaskInfo subtask) {
            totals =
                    state.valueState(
                            new ValueStateDescriptor<>("totals", AvroSerde.generic(schema)));
            history =
                    state.listState(
                            new ListStateDescriptor<>("history", AvroSerde.generic(schema)));
        }

        @Override
        public void process(Record<String, Long> r, Output<String, String> out) {
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
        AvroSerde<GenericRecord> v1 = AvroSerde.generic(V1);
        AvroSerde<GenericRecord> v2 = AvroSerde.generic(V2);
        GenericRecord r = new GenericData.Record(V1);
        r.put("count", 42L);
        r.put("note", "x");
        assertThat(v1.deserialize(v1.serialize(r))).isEqualTo(r);
        assertThat(v1.migrationFrom(v1.schema())).isEmpty();
        byte[] migrated = v2.migrationFrom(v1.schema()).orElseThrow().apply(v1.serialize(r));
        GenericRecord read = v2.deserialize(migrated);
        assertThat(read.get("count")).isEqualTo(42L);
        assertThat(read.get("max")).isEqualTo(-1L);
        assertThatThrownBy(() -> AvroSerde.generic(BROKEN).migrationFrom(v1.schema()))
                .hasMessageContaining("TYPE_MISMATCH");
        assertThatThrownBy(() -> v1.migrationFrom("long:be64")).hasMessageContaining("non-Avro");
    }
}
