package dev.weir.examples;

import dev.weir.Job;
import dev.weir.JobBuilder;
import dev.weir.JobFactory;
import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.StateSerializer;
import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import dev.weir.kafka.KafkaSink;
import dev.weir.kafka.KafkaSource;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ListStateDescriptor;
import dev.weir.state.ValueStateDescriptor;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Versions of keyed-aggregate that a savepoint of it is planned against: the variant (config key
 * {@code plan.variant}) changes the aggregating operator's uid or its states.
 */
public final class PlanVariants implements JobFactory {
    static final ConfigOption<String> VARIANT =
            ConfigOption.string("plan.variant", "same", "which version of keyed-aggregate");

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(KeyedAggregate.INPUT_TOPIC, KeyedAggregate.OUTPUT_TOPIC, VARIANT);
    }

    @Override
    public Job create(WeirConfig c) {
        String variant = c.get(VARIANT);
        JobBuilder b = Job.builder();
        b.source(
                        "input",
                        KafkaSource.of(
                                List.of(c.get(KeyedAggregate.INPUT_TOPIC)),
                                Serdes.string(),
                                new AmountSerde()))
                .keyBy(Serdes.string())
                .process(
                        variant.equals("renamed") ? "aggregate-v2" : "aggregate",
                        () -> new Fn(variant))
                .sink("output", KafkaSink.strings(c.get(KeyedAggregate.OUTPUT_TOPIC)));
        return b.build();
    }

    /** Declares the states of its variant; never runs. */
    static final class Fn implements KeyedProcessFunction<String, Long, String, String> {
        private final String variant;

        Fn(String variant) {
            this.variant = variant;
        }

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            switch (variant) {
                case "same", "renamed" ->
                        state.valueState(
                                new ValueStateDescriptor<>("totals", KeyedAggregate.Totals.STATE));
                case "as-list" ->
                        state.listState(new ListStateDescriptor<>("totals", Serdes.string()));
                case "new-schema" ->
                        state.valueState(new ValueStateDescriptor<>("totals", schema(false)));
                case "migrating" ->
                        state.valueState(new ValueStateDescriptor<>("totals", schema(true)));
                case "added" -> {
                    state.valueState(
                            new ValueStateDescriptor<>("totals", KeyedAggregate.Totals.STATE));
                    state.valueState(new ValueStateDescriptor<>("last-seen", Serdes.longs()));
                }
                case "dropped" ->
                        state.valueState(new ValueStateDescriptor<>("other", Serdes.longs()));
                default -> throw new IllegalArgumentException(variant);
            }
        }

        @Override
        public void process(Record<String, Long> r, Context<String, String, String> out) {
            throw new UnsupportedOperationException("only planned");
        }

        /** A totals serde with a new schema, which can read the old bytes or not. */
        private static StateSerializer<long[]> schema(boolean migrates) {
            return new StateSerializer<>() {
                @Override
                public byte[] serialize(long[] v) {
                    return new byte[0];
                }

                @Override
                public long[] deserialize(byte[] b) {
                    return new long[0];
                }

                @Override
                public String schema() {
                    return "keyed-aggregate.totals:v2(count:int64,sum:int64,max:int64)";
                }

                @Override
                public Optional<UnaryOperator<byte[]>> migrationFrom(String writerSchema) {
                    return migrates ? Optional.of(b -> b) : Optional.empty();
                }
            };
        }
    }
}
