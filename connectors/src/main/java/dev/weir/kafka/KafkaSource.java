package dev.weir.kafka;

import dev.weir.Serde;
import dev.weir.Serdes;
import dev.weir.config.ConfigOption;
import dev.weir.spi.Source;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceReader;
import java.util.List;

/**
 * Reads Kafka topics. Partitions are spread over the source subtasks with {@code assign()} (no
 * group membership, no rebalances); each checkpoint stores the next offset of every partition, and
 * after it completes the offsets are committed to the job's consumer group ({@code
 * source.group.id}, default the job name) so lag tools show progress. Records are read {@code
 * read_committed}.
 */
public final class KafkaSource<K, V> implements Source<K, V> {
    private final List<String> topics;
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;

    private KafkaSource(List<String> topics, Serde<K> keySerde, Serde<V> valueSerde) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a Kafka source needs at least one topic");
        }
        this.topics = List.copyOf(topics);
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    public static <K, V> KafkaSource<K, V> of(
            List<String> topics, Serde<K> keySerde, Serde<V> valueSerde) {
        return new KafkaSource<>(topics, keySerde, valueSerde);
    }

    /** UTF-8 string keys and values. */
    public static KafkaSource<String, String> strings(String... topics) {
        return new KafkaSource<>(List.of(topics), Serdes.string(), Serdes.string());
    }

    @Override
    public SourceReader<K, V> createReader(SourceContext context) {
        return new KafkaSourceReader<>(topics, keySerde, valueSerde, context);
    }

    @Override
    public List<ConfigOption<?>> options() {
        return KafkaOptions.sourceOptions();
    }
}
