package dev.weir.kafka;

import dev.weir.Serde;
import dev.weir.Serdes;
import dev.weir.WeirException;
import dev.weir.config.ConfigOption;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CommitterContext;
import dev.weir.spi.Sink;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import java.util.List;
import java.util.Optional;

/**
 * Writes records to one Kafka topic. With {@code sink.delivery=exactly-once} every checkpoint is
 * committed as one Kafka transaction holding its output and its source offsets ({@link
 * KafkaTransactions}): read_committed consumers see each record exactly once, whatever crashes.
 * With {@code sink.delivery=at-least-once} (the default) each barrier waits until Kafka
 * acknowledged every record sent before it, so a checkpoint never completes over a lost record;
 * after a failure the records since the last checkpoint are written again. {@code none} neither
 * waits nor retries.
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
            KafkaTransactions txns =
                    context.committer()
                            .filter(KafkaTransactions.class::isInstance)
                            .map(KafkaTransactions.class::cast)
                            .orElseThrow(
                                    () ->
                                            new WeirException(
                                                    "sink.delivery=exactly-once needs the Kafka"
                                                            + " sink's committer"));
            return new KafkaSinkWriter<>(topic, keySerde, valueSerde, txns, context);
        }
        return new KafkaSinkWriter<>(topic, keySerde, valueSerde, delivery, context);
    }

    /**
     * With {@code sink.delivery=exactly-once}: the pool of transactional producers that commits
     * each checkpoint as one Kafka transaction.
     */
    @Override
    public Optional<CheckpointCommitter> createCommitter(CommitterContext context) {
        if (context.config().get(KafkaOptions.DELIVERY) != KafkaOptions.Delivery.EXACTLY_ONCE) {
            return Optional.empty();
        }
        return Optional.of(new KafkaTransactions(context));
    }

    @Override
    public List<ConfigOption<?>> options() {
        return KafkaOptions.sinkOptions();
    }
}
