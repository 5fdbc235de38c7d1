package dev.weir.kafka;

import dev.weir.Header;
import dev.weir.Record;
import dev.weir.Serde;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.spi.CrashPoints;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One sink subtask's output: its own producer (at-least-once, none), or the producer of the current
 * epoch from the job's transactional pool (exactly-once). Task thread only, except for send
 * callbacks.
 */
final class KafkaSinkWriter<K, V> implements SinkWriter<K, V> {
    private final String topic;
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;
    private final KafkaOptions.Delivery delivery;
    private final SubtaskInfo info;
    private final KafkaTransactions transactions;
    private KafkaProducer<byte[], byte[]> producer;
    private long epoch;
    private volatile Exception sendFailure;

    /** At-least-once or none: a producer of its own. */
    KafkaSinkWriter(
            String topic,
            Serde<K> keySerde,
            Serde<V> valueSerde,
            KafkaOptions.Delivery delivery,
            SinkContext ctx) {
        this.topic = topic;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.delivery = delivery;
        this.info = ctx.subtask();
        this.transactions = null;
        Map<String, Object> props = KafkaOptions.clientProperties(ctx.config(), "kafka.producer.");
        props.putIfAbsent(
                "client.id", info.jobName() + "-" + info.operatorUid() + "-" + info.subtask());
        props.putIfAbsent("linger.ms", "5");
        if (delivery == KafkaOptions.Delivery.AT_LEAST_ONCE) {
            props.put("acks", "all");
            props.putIfAbsent("enable.idempotence", "true");
        } else {
            props.putIfAbsent("acks", "1");
            props.putIfAbsent("enable.idempotence", "false");
        }
        this.producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Exactly-once: the epoch's producer from the process-wide pool, switched at each barrier. */
    KafkaSinkWriter(
            String topic,
            Serde<K> keySerde,
            Serde<V> valueSerde,
            KafkaTransactions transactions,
            SinkContext ctx) {
        this.topic = topic;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.delivery = KafkaOptions.Delivery.EXACTLY_ONCE;
        this.info = ctx.subtask();
        this.transactions = transactions;
        this.epoch = transactions.firstEpoch();
        this.producer = transactions.producer(epoch);
    }

    @Override
    public void write(Record<K, V> r) {
        throwIfFailed();
        byte[] key = r.key() == null ? null : keySerde.serialize(r.key());
        byte[] value = r.value() == null ? null : valueSerde.serialize(r.value());
        List<org.apache.kafka.common.header.Header> headers = null;
        if (!r.headers().isEmpty()) {
            headers = new ArrayList<>(r.headers().size());
            for (Header h : r.headers()) {
                headers.add(new RecordHeader(h.key(), h.value()));
            }
        }
        Long ts = r.timestamp() >= 0 ? r.timestamp() : null;
        producer.send(
                new ProducerRecord<>(topic, null, ts, key, value, headers),
                (md, e) -> {
                    if (e != null && sendFailure == null) {
                        sendFailure = e;
                    }
                });
    }

    @Override
    public void prepareCheckpoint(long checkpointId) {
        if (delivery == KafkaOptions.Delivery.NONE) {
            return;
        }
        CrashPoints.reach("sink.before-flush", checkpointId);
        producer.flush();
        throwIfFailed();
        if (transactions != null) {
            if (checkpointId != epoch) {
                throw new WeirException(
                        info + ": barrier " + checkpointId + " arrived in epoch " + epoch);
            }
            // Everything of epoch n is acknowledged; what follows goes to epoch n+1's transaction.
            epoch = checkpointId + 1;
            producer = transactions.producer(epoch);
        }
    }

    private void throwIfFailed() {
        Exception e = sendFailure;
        if (e != null && delivery != KafkaOptions.Delivery.NONE) {
            throw new WeirException(
                    info
                            + ": writing to topic '"
                            + topic
                            + "' failed: "
                            + e
                            + " (the job restarts from its last checkpoint; producer settings go under kafka.producer.)",
                    e);
        }
    }

    @Override
    public void close() {
        if (transactions == null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
