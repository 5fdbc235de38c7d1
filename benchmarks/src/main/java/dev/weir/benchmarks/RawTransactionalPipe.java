package dev.weir.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The physical-limit proxy, run in a child JVM: one thread, a read_committed {@code KafkaConsumer}
 * ({@code assign()} on every partition) feeding a transactional {@code KafkaProducer}, no state and
 * no deserialization. Each transaction spans {@code txn-ms} of polling; the consumer's positions
 * are committed in it ({@code sendOffsetsToTransaction}), so the pipe is exactly-once. Output
 * records keep the input's key, value and timestamp. Client settings are the ones Weir's sink and
 * source use (linger.ms=5, other client defaults). Runs until SIGTERM, which commits the open
 * transaction.
 *
 * <p>Usage: {@code RawTransactionalPipe <bootstrap> <input> <output> <group/transactional id>
 * <txn-ms>}
 */
public final class RawTransactionalPipe {
    private static volatile boolean stop;

    private RawTransactionalPipe() {}

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println(
                    "usage: RawTransactionalPipe <bootstrap> <input> <output> <id> <txn-ms>");
            System.exit(2);
        }
        String bootstrap = args[0];
        String input = args[1];
        String output = args[2];
        String id = args[3];
        long txnMillis = Long.parseLong(args[4]);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    stop = true;
                                    try {
                                        done.await(30, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                }));
        try {
            pipe(bootstrap, input, output, id, txnMillis);
        } finally {
            done.countDown();
        }
    }

    private static void pipe(String bootstrap, String input, String output, String id, long txnMs) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", id);
        c.put("isolation.level", "read_committed");
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", "earliest");
        c.put("client.id", id + "-consumer");
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("transactional.id", id);
        p.put("linger.ms", "5");
        p.put("client.id", id + "-producer");
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(input, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(input, info.partition()));
            }
            consumer.assign(parts);
            producer.initTransactions();
            boolean stopping = false;
            while (!stopping) {
                producer.beginTransaction();
                long end = System.nanoTime() + txnMs * 1_000_000;
                boolean any = false;
                while (System.nanoTime() < end) {
                    if (stop) {
                        stopping = true;
                        break;
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        producer.send(
                                new ProducerRecord<>(
                                        output, null, r.timestamp(), r.key(), r.value()));
                        any = true;
                    }
                }
                if (any) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (TopicPartition tp : parts) {
                        offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                }
                producer.commitTransaction();
            }
        }
    }
}
