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
import java.util.List;

/**
 * keyed-aggregate's dataflow without its work: source, keyBy, a keyed operator that forwards each
 * record unchanged (no state, no parsing), sink. The same shape and parallelism as the reference
 * job, so that against it and against the raw pipe it shows what Weir's plumbing costs — source and
 * sink subtasks, the exchange between threads, barriers and the transactional epoch — apart from
 * state. Run by {@code WeirMain run dev.weir.benchmarks.KeyedPassThrough}.
 */
public final class KeyedPassThrough implements JobFactory {
    @Override
    public List<ConfigOption<?>> options() {
        return List.of(KeyedAggregate.INPUT_TOPIC, KeyedAggregate.OUTPUT_TOPIC);
    }

    @Override
    public Job create(WeirConfig config) {
        JobBuilder b = Job.builder();
        b.source(
                        "input",
                        KafkaSource.of(
                                List.of(config.get(KeyedAggregate.INPUT_TOPIC)),
                                Serdes.string(),
                                Serdes.bytes()))
                .keyBy(Serdes.string())
                .process("forward", Forward::new)
                .sink(
                        "output",
                        KafkaSink.of(
                                config.get(KeyedAggregate.OUTPUT_TOPIC),
                                Serdes.string(),
                                Serdes.bytes()));
        return b.build();
    }

    static final class Forward implements KeyedProcessFunction<String, byte[], String, byte[]> {
        @Override
        public void process(Record<String, byte[]> r, Context<String, String, byte[]> out) {
            out.emit(r);
        }
    }
}
