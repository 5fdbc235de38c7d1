package dev.weir.examples;

import dev.weir.Job;
import dev.weir.JobBuilder;
import dev.weir.JobFactory;
import dev.weir.Serdes;
import dev.weir.WeirException;
import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import dev.weir.kafka.KafkaSink;
import dev.weir.kafka.KafkaSource;
import dev.weir.serdes.avro.AvroRecordSerde;
import dev.weir.serdes.avro.AvroSerdeOptions;
import dev.weir.serdes.registry.SchemaRegistryOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * keyed-aggregate on Avro: input key = UTF-8 string, input value = an Avro record of any name with
 * an {@code int} or {@code long} field {@code amount}, in the Confluent wire format (its writer
 * schema fetched from {@code schema.registry.url} by id); output key = the same string, output
 * value = {@code dev.weir.examples.Totals {count: long, sum: long}} in the wire format, registered
 * under {@code <output.topic>-value}. Per key the running count and sum, in the same state (and
 * state format) as keyed-aggregate, one output per input.
 *
 * <p>The registry and Avro keys ({@link SchemaRegistryOptions}, {@link AvroSerdeOptions}) apply to
 * both sides, or under {@code source.} / {@code sink.} to one; they are checked when the job is
 * created, so a missing {@code schema.registry.url} or a wrong value fails at startup naming the
 * key.
 */
public final class AvroAggregate implements JobFactory {
    private static final List<String> SIDES = List.of("source.", "sink.");

    @Override
    public String name() {
        return "avro-aggregate";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                KeyedAggregate.INPUT_TOPIC, KeyedAggregate.OUTPUT_TOPIC, SchemaRegistryOptions.URL);
    }

    @Override
    public Job create(WeirConfig config) {
        checkSerdeSettings(config);
        JobBuilder b = Job.builder();
        b.source(
                        "input",
                        KafkaSource.of(
                                List.of(config.get(KeyedAggregate.INPUT_TOPIC)),
                                Serdes.string(),
                                new AvroAmountSerde()))
                .keyBy(Serdes.string())
                .process("aggregate", KeyedAggregate.Aggregate::new)
                .sink(
                        "output",
                        KafkaSink.of(
                                config.get(KeyedAggregate.OUTPUT_TOPIC),
                                Serdes.string(),
                                new AvroTotalsSerde()));
        return b.build();
    }

    /**
     * Configures a throw-away serde with each side's settings, as the connectors will (every key,
     * then the side's prefixed keys without the prefix), so that a missing URL or a value the serde
     * or the registry client refuses fails here, before the job starts. Sends no request.
     */
    private static void checkSerdeSettings(WeirConfig config) {
        for (String side : SIDES) {
            Map<String, String> settings = new HashMap<>(config.asMap());
            settings.putAll(config.withPrefix(side));
            if (!settings.containsKey(SchemaRegistryOptions.URL.key())) {
                config.get(SchemaRegistryOptions.URL); // fails naming the key
            }
            AvroRecordSerde<?> serde = AvroRecordSerde.generic();
            try {
                serde.configure(settings, false);
            } catch (WeirException e) {
                throw new WeirException(
                        "avro-aggregate's "
                                + side.substring(0, side.length() - 1)
                                + " serde refuses its settings (keys under '"
                                + side
                                + "' override top-level ones): "
                                + e.getMessage(),
                        e);
            } finally {
                serde.close();
            }
        }
    }
}
