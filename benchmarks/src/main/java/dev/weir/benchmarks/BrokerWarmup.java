package dev.weir.benchmarks;

import dev.weir.testkit.KafkaTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Makes a fresh broker create its internal topics ({@code __transaction_state}, {@code
 * __consumer_offsets}, 50 partitions each) before anything is timed: one transaction that commits a
 * record and a group offset. Otherwise the first contender would pay for them.
 */
final class BrokerWarmup {
    private BrokerWarmup() {}

    static void run(String bootstrap, KafkaTestClient client) {
        String topic = "bench-warmup";
        client.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                Map.of("bootstrap.servers", bootstrap, "group.id", "bench-warmup"),
                                new ByteArrayDeserializer(),
                                new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                Map.of(
                                        "bootstrap.servers",
                                        bootstrap,
                                        "transactional.id",
                                        "bench-warmup"),
                                new ByteArraySerializer(),
                                new ByteArraySerializer())) {
            consumer.assign(List.of(tp));
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, new byte[1], new byte[1]));
            producer.sendOffsetsToTransaction(
                    Map.of(tp, new OffsetAndMetadata(0)), consumer.groupMetadata());
            producer.commitTransaction();
            consumer.committed(Set.of(tp), Duration.ofSeconds(30));
        }
    }
}
