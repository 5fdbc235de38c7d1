package dev.weir.examples;

import dev.weir.OutgoingHeaders;
import dev.weir.examples.KeyedAggregate.Totals;
import dev.weir.serdes.avro.AvroRecordSerde;
import dev.weir.testkit.KafkaTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * avro-aggregate input in the Confluent wire format, written with several writer schemas (their ids
 * registered in a real registry), counted into an {@link AggregateWorkload} model; the output
 * decoded back into that model's {@code {"count":C,"sum":S}} form so its exactly-once checks apply
 * unchanged.
 */
final class AvroWorkload implements AutoCloseable {
    static final Schema ORDER = AvroInput.ORDER;
    static final Schema PAYMENT = AvroInput.PAYMENT;

    /** Expected count and sum per key, and the checks. */
    final AggregateWorkload model;

    private final Random random;
    private final int keys;
    private final AvroRecordSerde<GenericRecord> writer;
    private final AvroTotalsSerde reader = new AvroTotalsSerde();
    private int next;

    AvroWorkload(long seed, int keys, Map<String, String> registryConfig) {
        this.model = new AggregateWorkload(seed, keys);
        this.random = new Random(seed);
        this.keys = keys;
        this.writer = AvroRecordSerde.generic().configured(registryConfig, false);
        reader.configure(registryConfig, false);
    }

    /**
     * {@code n} records for {@code topic}, each written with one of {@code schemas} in turn
     * (registering them, so this needs the registry), already counted in the model.
     */
    List<ProducerRecord<String, byte[]>> records(String topic, int n, Schema... schemas) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String key = "user-" + random.nextInt(keys);
            Schema schema = schemas[next++ % schemas.length];
            long amount =
                    random.nextInt(1000)
                            - 100
                            + (!AvroInput.intAmount(schema) && i % 50 == 0 ? 5_000_000_000L : 0);
            GenericData.Record r = AvroInput.record(schema, amount, i);
            long[] e = model.expected.computeIfAbsent(key, k -> new long[2]);
            e[0]++;
            e[1] += amount;
            records.add(new ProducerRecord<>(topic, key, writer.serialize(topic, headers(), r)));
        }
        return records;
    }

    private static OutgoingHeaders headers() {
        return OutgoingHeaders.of(List.of());
    }

    /** {@link #records}, produced and acknowledged. */
    void produce(KafkaTestClient client, String topic, int n, Schema... schemas) {
        client.produceBytes(records(topic, n, schemas));
    }

    /** The committed output of {@code topic}, values decoded from Avro into the model's form. */
    List<ConsumerRecord<String, String>> committedOutput(KafkaTestClient client, String topic) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r :
                client.readAllCommittedBytes(topic, Duration.ofSeconds(30))) {
            Totals t = reader.deserialize(topic, List.of(), r.value());
            out.add(
                    new ConsumerRecord<>(
                            r.topic(),
                            r.partition(),
                            r.offset(),
                            r.key(),
                            AggregateWorkload.value(t.count(), t.sum())));
        }
        return out;
    }

    /** Waits until the committed output holds every key's expected final value; returns it. */
    List<ConsumerRecord<String, String>> awaitOutput(
            KafkaTestClient client, String topic, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, String>> out = committedOutput(client, topic);
        while (!model.isComplete(out) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            out = committedOutput(client, topic);
        }
        return out;
    }

    @Override
    public void close() {
        writer.close();
        reader.close();
    }
}
