package dev.weir.examples;

import dev.weir.Job;
import dev.weir.JobBuilder;
import dev.weir.JobFactory;
import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.Serde;
import dev.weir.Serdes;
import dev.weir.StateSerializer;
import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import dev.weir.kafka.KafkaSink;
import dev.weir.kafka.KafkaSource;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The reference job. Input: key = UTF-8 string, value = JSON object with an integer field {@code
 * amount}. For each record it adds one to the key's count and the amount to its sum, in keyed
 * state, and emits {@code {"count":C,"sum":S}} under the same key. A record whose amount would take
 * the sum past a long's range is refused: the function throws {@link ArithmeticException}, the
 * key's totals stay as they were, and {@code process.error.policy} decides (the crash tests
 * dead-letter such records). Benchmarks and crash tests depend on this contract.
 */
public final class KeyedAggregate implements JobFactory {
    public static final ConfigOption<String> INPUT_TOPIC =
            ConfigOption.string("input.topic", null, "Topic of the input records");
    public static final ConfigOption<String> OUTPUT_TOPIC =
            ConfigOption.string(
                    "output.topic", null, "Topic the running count and sum per key go to");

    @Override
    public String name() {
        return "keyed-aggregate";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(INPUT_TOPIC, OUTPUT_TOPIC);
    }

    @Override
    public Job create(WeirConfig config) {
        JobBuilder b = Job.builder();
        b.source(
                        "input",
                        KafkaSource.of(
                                List.of(config.get(INPUT_TOPIC)),
                                Serdes.string(),
                                new AmountSerde()))
                .keyBy(Serdes.string())
                .process("aggregate", Aggregate::new)
                .sink(
                        "output",
                        KafkaSink.of(config.get(OUTPUT_TOPIC), Serdes.string(), Totals.JSON));
        return b.build();
    }

    /** Count and sum of one key. */
    public record Totals(long count, long sum) {
        /** The output format, {@code {"count":C,"sum":S}}, written straight into bytes. */
        public static final Serde<Totals> JSON = new TotalsJson();

        /** The state format: two big-endian longs. */
        static final StateSerializer<Totals> STATE =
                new StateSerializer<>() {
                    @Override
                    public byte[] serialize(Totals t) {
                        return ByteBuffer.allocate(16).putLong(t.count).putLong(t.sum).array();
                    }

                    @Override
                    public Totals deserialize(byte[] bytes) {
                        ByteBuffer b = ByteBuffer.wrap(bytes);
                        return new Totals(b.getLong(), b.getLong());
                    }

                    @Override
                    public String schema() {
                        return "keyed-aggregate.totals:v1(count:int64,sum:int64)";
                    }
                };
    }

    static final class Aggregate implements KeyedProcessFunction<String, Long, String, Totals> {
        private ValueState<Totals> totals;

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            totals = state.valueState(new ValueStateDescriptor<>("totals", Totals.STATE));
        }

        @Override
        public void process(Record<String, Long> r, Context<String, String, Totals> out) {
            Totals t = totals.valueOrElse(null);
            Totals next =
                    t == null
                            ? new Totals(1, r.value())
                            : new Totals(t.count + 1, Math.addExact(t.sum, r.value()));
            totals.update(next);
            out.emit(r.withValue(next));
        }
    }
}
