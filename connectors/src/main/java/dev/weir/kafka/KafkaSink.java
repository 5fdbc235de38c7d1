package dev.weir.kafka;

import dev.weir.RecordSerde;
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
 *
 * <p>Keys and values are written by {@link RecordSerde}s (any {@link dev.weir.Serde}, such as
 * {@code Serdes.string()}, is one), the key's first; they may add headers to the record they write
 * ({@link dev.weir.OutgoingHeaders}). Before the first subtask's writer opens, each serde's {@code
 * configure} gets every key of the job's configuration, plus the keys under {@code sink.} once more
 * without that prefix (overriding a top-level key of the same name): {@code schema.registry.url}
 * reaches the serdes of sources and sinks, {@code sink.schema.registry.url} only those of sinks.
 * They are closed after the last writer closed, and configured again when the job restarts.
 */
public final class KafkaSink<K, V> implements Sink<K, V> {
    private final String topic;
    private final RecordSerdes<K, V> serdes;

    private KafkaSink(String topic, RecordSerde<K> keySerde, RecordSerde<V> valueSerde) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("a Kafka sink needs a topic, got '" + topic + "'");
        }
        this.topic = topic;
        this.serdes = new RecordSerdes<>("sink.", keySerde, valueSerde);
    }

    /** Writes to {@code topic} with these serdes of keys and values. */
    public static <K, V> KafkaSink<K, V> of(
            String topic, RecordSerde<K> keySerde, RecordSerde<V> valueSerde) {
        return new KafkaSink<>(topic, keySerde, valueSerde);
    }

    /** UTF-8 string keys and values. */
    public static KafkaSink<String, String> strings(String topic) {
        return new KafkaSink<>(topic, Serdes.string(), Serdes.string());
    }

    @Override
    public SinkWriter<K, V> createWriter(SinkContext context) {
        serdes.open(context.config());
        try {
            return writer(context);
        } catch (RuntimeException e) {
            serdes.release();
            throw e;
        }
    }

    private SinkWriter<K, V> writer(SinkContext context) {
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
            return new KafkaSinkWriter<>(topic, serdes, txns, context);
        }
        return new KafkaSinkWriter<>(topic, serdes, delivery, context);
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
