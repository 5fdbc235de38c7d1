package dev.weir.benchmarks;

import dev.weir.Job;
import dev.weir.JobBuilder;
import dev.weir.JobFactory;
import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.Serdes;
import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import dev.weir.examples.KeyedAggregate;
import dev.weir.kafka.KafkaSink;
import dev.weir.kafka.KafkaSource;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A job whose keyed state is big: every key holds {@code state-job.value-bytes} (default 1 KiB) of
 * incompressible bytes, rewritten on each of its records, so N keys make about N KiB of RocksDB
 * state. The first 8 bytes count the key's records; the output is {@code {"count":C}} under the
 * input key. Input values are ignored. Run by {@code WeirMain run
 * dev.weir.benchmarks.StateHeavyJob}, with {@code input.topic} and {@code output.topic}.
 */
public final class StateHeavyJob implements JobFactory {
    public static final ConfigOption<Integer> VALUE_BYTES =
            ConfigOption.integer(
                    "state-job.value-bytes",
                    1024,
                    8,
                    1 << 20,
                    "Bytes of keyed state each key holds (random, so RocksDB cannot compress them)");

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(KeyedAggregate.INPUT_TOPIC, KeyedAggregate.OUTPUT_TOPIC, VALUE_BYTES);
    }

    @Override
    public Job create(WeirConfig config) {
        int valueBytes = config.get(VALUE_BYTES);
        JobBuilder b = Job.builder();
        b.source(
                        "input",
                        KafkaSource.of(
                                List.of(config.get(KeyedAggregate.INPUT_TOPIC)),
                                Serdes.string(),
                                Serdes.bytes()))
                .keyBy(Serdes.string())
                .process("blob", () -> new Blob(valueBytes))
                .sink("output", KafkaSink.strings(config.get(KeyedAggregate.OUTPUT_TOPIC)));
        return b.build();
    }

    /** The count of a key's records so far, from the first 8 bytes of a state value. */
    static long countOf(byte[] value) {
        return ByteBuffer.wrap(value).getLong(0);
    }

    static final class Blob implements KeyedProcessFunction<String, byte[], String, String> {
        private final int valueBytes;
        private ValueState<byte[]> blob;

        Blob(int valueBytes) {
            this.valueBytes = valueBytes;
        }

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            blob = state.valueState(new ValueStateDescriptor<>("blob", Serdes.bytes()));
        }

        @Override
        public void process(Record<String, byte[]> r, Context<String, String, String> out) {
            byte[] old = blob.valueOrElse(null);
            long count = old == null ? 1 : countOf(old) + 1;
            byte[] next = new byte[valueBytes];
            long seed = 31L * r.key().hashCode() + count;
            new SplittableRandom(seed).nextBytes(next);
            ByteBuffer.wrap(next).putLong(0, count);
            blob.update(next);
            out.emit(r.withValue("{\"count\":" + count + "}"));
        }
    }

    static String key(int i) {
        return "s-" + i;
    }

    static byte[] keyBytes(int i) {
        return key(i).getBytes(StandardCharsets.UTF_8);
    }
}
