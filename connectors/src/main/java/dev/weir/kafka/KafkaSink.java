package dev.weir.kafka;

import dev.weir.Serde;
import dev.weir.Serdes;
import dev.weir.WeirException;
import dev.weir.config.ConfigOption;
import dev.weir.spi.Sink;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import java.util.List;

/**
 * Writes records to one Kafka topic. With {@code sink.delivery=at-least-once} (the default) each
 * barrier waits until Kafka acknowledged every record sent before it, so a checkpoint never
 * completes over a lost record; after a failure the records since the last checkpoint are written
 * again. {@code none} neither waits nor retries.
 */
public final class KafkaSink<K, V> implements Sink<K, V> {
    private final String topic;
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;

    private KafkaSink(String topic, Serde<K> keySerde, Serde<V> valueSerde) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("a Kafka sink needs a topic");
        }
        this.topic = topic;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    public static <K, V> KafkaSink<K, V> of(String topic, Serde<K> keySerde, Serde<V> valueSerde) {
        return new KafkaSink<>(topic, keySerde, valueSerde);
    }

    /** UTF-8 string keys and values. */
    public static KafkaSink<String, String> strings(String topic) {
        return new KafkaSink<>(topic, Serdes.string(), Serdes.string());
    }

    @Override
    public SinkWriter<K, V> createWriter(SinkContext context) {
        KafkaOptions.Delivery delivery = context.config().get(KafkaOptions.DELIVERY);
        if (delivery == KafkaOptions.Delivery.EXACTLY_ONCE) {
            throw new WeirException(
                    "sink.delivery=exactly-once is not available in this version of Weir yet;"
                            + " set sink.delivery=at-least-once (or none)");
        }
        return new KafkaSinkWriter<>(topic, keySerde, valueSerde, delivery, context);
    }

    @Override
    public List<ConfigOption<?>> options() {
        return KafkaOptions.sinkOptions();
    }
}
