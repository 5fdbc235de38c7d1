package dev.weir.kafka;

import dev.weir.RecordSerde;
import dev.weir.Serdes;
import dev.weir.UnrecoverableJobException;
import dev.weir.config.ConfigOption;
import dev.weir.config.JobOptions;
import dev.weir.spi.DeadLetterContext;
import dev.weir.spi.DeadLetterWriter;
import dev.weir.spi.Source;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceReader;
import java.util.List;
import java.util.Optional;

/**
 * Reads Kafka topics. Partitions are spread over the source subtasks with {@code assign()} (no
 * group membership, no rebalances); each checkpoint stores the next offset of every partition, and
 * after it completes the offsets are committed to the job's consumer group ({@code
 * source.group.id}, default the job name) so lag tools show progress. Records are read {@code
 * read_committed}.
 *
 * <p>Keys and values are read by {@link RecordSerde}s (any {@link dev.weir.Serde}, such as {@code
 * Serdes.string()}, is one). Before the first subtask's reader opens, each serde's {@code
 * configure} gets every key of the job's configuration, plus the keys under {@code source.} once
 * more without that prefix (overriding a top-level key of the same name): {@code
 * schema.registry.url} reaches the serdes of sources and sinks, {@code source.schema.registry.url}
 * only those of sources. They are closed after the last reader closed, and configured again when
 * the job restarts. Every record a reader returns carries its {@link dev.weir.Origin}: topic,
 * partition, offset, and the {@code ConsumerRecord<byte[], byte[]>} it was read from, by reference,
 * which {@code process.error.policy=dead-letter} writes back unchanged.
 */
public final class KafkaSource<K, V> implements Source<K, V> {
    private final List<String> topics;
    private final RecordSerdes<K, V> serdes;

    private KafkaSource(List<String> topics, RecordSerde<K> keySerde, RecordSerde<V> valueSerde) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a Kafka source needs at least one topic");
        }
        this.topics = List.copyOf(topics);
        this.serdes = new RecordSerdes<>("source.", keySerde, valueSerde);
    }

    /** Reads {@code topics} with these serdes of keys and values. */
    public static <K, V> KafkaSource<K, V> of(
            List<String> topics, RecordSerde<K> keySerde, RecordSerde<V> valueSerde) {
        return new KafkaSource<>(topics, keySerde, valueSerde);
    }

    /** UTF-8 string keys and values. */
    public static KafkaSource<String, String> strings(String... topics) {
        return new KafkaSource<>(List.of(topics), Serdes.string(), Serdes.string());
    }

    @Override
    public SourceReader<K, V> createReader(SourceContext context) {
        serdes.open(context.config());
        try {
            return new KafkaSourceReader<>(topics, serdes, context);
        } catch (RuntimeException e) {
            serdes.release();
            throw e;
        }
    }

    /**
     * Writes the records a process function threw on to {@code process.dead-letter.topic} (default
     * {@code source.dead-letter.topic}) as this source read them — in the checkpoint's transaction
     * with {@code sink.delivery=exactly-once}, else through a producer of the operator subtask's
     * own whose letters each checkpoint waits for.
     */
    @Override
    public Optional<DeadLetterWriter> createDeadLetterWriter(DeadLetterContext context) {
        String topic = KafkaOptions.processDeadLetterTopic(context.config());
        if (topic.isBlank()) {
            throw new UnrecoverableJobException(
                    JobOptions.PROCESS_ERROR_POLICY.key()
                            + "=dead-letter needs "
                            + KafkaOptions.PROCESS_DEAD_LETTER_TOPIC.key()
                            + " (or "
                            + KafkaOptions.DEAD_LETTER_TOPIC.key()
                            + "), the topic to write the records a process function threw on to");
        }
        KafkaTransactions txns = null;
        if (context.config().get(KafkaOptions.DELIVERY) == KafkaOptions.Delivery.EXACTLY_ONCE) {
            txns =
                    context.committer()
                            .filter(KafkaTransactions.class::isInstance)
                            .map(KafkaTransactions.class::cast)
                            .orElseThrow(
                                    () ->
                                            new UnrecoverableJobException(
                                                    JobOptions.PROCESS_ERROR_POLICY.key()
                                                            + "=dead-letter with"
                                                            + " sink.delivery=exactly-once needs"
                                                            + " the Kafka sink's committer"));
        }
        return Optional.of(new DeadLetters(topic, context.subtask(), txns, context.config()));
    }

    @Override
    public List<ConfigOption<?>> options() {
        return KafkaOptions.sourceOptions();
    }
}
