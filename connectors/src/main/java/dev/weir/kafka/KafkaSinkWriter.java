package dev.weir.kafka;

import dev.weir.Header;
import dev.weir.OutgoingHeaders;
import dev.weir.Record;
import dev.weir.RecordSerde;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.spi.CrashPoints;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One sink subtask's output: its own producer (at-least-once, none), or the producer of the current
 * epoch from the job's transactional pool (exactly-once). Task thread only, except for send
 * callbacks.
 *
 * <p>Exactly-once, at barrier n the writer does not wait for Kafka: the epoch's records are in its
 * transaction, which commits (and so flushes them, failing on any failed send) only after every
 * subtask acknowledged the checkpoint. What it writes after the barrier goes to epoch n+1's
 * producer, but not before Kafka acknowledged all of its epoch-n sends (docs/architecture.md §4:
 * per partition, output follows epoch order); until then it is held here, up to {@link
 * #HOLD_LIMIT_BYTES}, then the task waits.
 */
final class KafkaSinkWriter<K, V> implements SinkWriter<K, V> {
    /** Heap held for the next epoch before the task waits instead. */
    static final long HOLD_LIMIT_BYTES = 2L << 20;

    /** Heap a held record takes besides its key and value bytes (record, headers, arrays). */
    private static final int HELD_RECORD_OVERHEAD_BYTES = 200;

    private final String topic;
    private final RecordSerdes<K, V> serdes;
    private final RecordSerde<K> keySerde;
    private final RecordSerde<V> valueSerde;

    /** Reset for each record; the serdes may add headers to it. Task thread only. */
    private final OutgoingHeaders outgoing = new OutgoingHeaders();

    private final KafkaOptions.Delivery delivery;
    private final SubtaskInfo info;
    private final KafkaTransactions transactions;
    private KafkaProducer<byte[], byte[]> producer;
    private long epoch;
    private Sends sends = new Sends();
    private volatile Exception sendFailure;

    /** Exactly-once: the previous epoch's producer while some of its sends are unacknowledged. */
    private KafkaProducer<byte[], byte[]> previousProducer;

    private Sends previousSends;
    private final ArrayDeque<ProducerRecord<byte[], byte[]>> held = new ArrayDeque<>();
    private long heldBytes;
    private boolean closed;

    /** At-least-once or none: the meters of this writer's own producer. */
    private final KafkaMeters meters;

    /** One epoch's sends: the callback of each, counting those Kafka has not acknowledged yet. */
    private final class Sends implements Callback {
        private final AtomicLong pending = new AtomicLong();

        void sent() {
            pending.incrementAndGet();
        }

        boolean allAcknowledged() {
            return pending.get() == 0;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception e) {
            if (e != null && sendFailure == null) {
                sendFailure = e;
            }
            pending.decrementAndGet();
        }
    }

    /** At-least-once or none: a producer of its own. */
    KafkaSinkWriter(
            String topic,
            RecordSerdes<K, V> serdes,
            KafkaOptions.Delivery delivery,
            SinkContext ctx) {
        this.topic = topic;
        this.serdes = serdes;
        this.keySerde = serdes.key;
        this.valueSerde = serdes.value;
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
        this.meters = new KafkaMeters(ctx.meterRegistry(), KafkaMeters.of(info));
        meters.bind(producer, io.micrometer.core.instrument.Tags.empty());
    }

    /** Exactly-once: the epoch's producer from the process-wide pool, switched at each barrier. */
    KafkaSinkWriter(
            String topic,
            RecordSerdes<K, V> serdes,
            KafkaTransactions transactions,
            SinkContext ctx) {
        this.topic = topic;
        this.serdes = serdes;
        this.keySerde = serdes.key;
        this.valueSerde = serdes.value;
        this.delivery = KafkaOptions.Delivery.EXACTLY_ONCE;
        this.info = ctx.subtask();
        this.transactions = transactions;
        // The pool's producers are measured by the pool.
        this.meters = null;
        this.epoch = transactions.epochAfter(-1);
        this.producer = transactions.producer(epoch);
    }

    @Override
    public void write(Record<K, V> r) {
        throwIfFailed();
        ProducerRecord<byte[], byte[]> record = producerRecord(r);
        if (previousSends != null) {
            if (!previousSends.allAcknowledged()) {
                hold(record);
                return;
            }
            releaseHeld();
        }
        send(record);
    }

    private ProducerRecord<byte[], byte[]> producerRecord(Record<K, V> r) {
        outgoing.reset(r.headers());
        byte[] key = r.key() == null ? null : keySerde.serialize(topic, outgoing, r.key());
        byte[] value = r.value() == null ? null : valueSerde.serialize(topic, outgoing, r.value());
        List<Header> written = outgoing.asList();
        List<org.apache.kafka.common.header.Header> headers = null;
        if (!written.isEmpty()) {
            headers = new ArrayList<>(written.size());
            for (Header h : written) {
                headers.add(new RecordHeader(h.key(), h.value()));
            }
        }
        Long ts = r.timestamp() >= 0 ? r.timestamp() : null;
        return new ProducerRecord<>(topic, null, ts, key, value, headers);
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        sends.sent();
        producer.send(record, sends);
    }

    private void hold(ProducerRecord<byte[], byte[]> record) {
        held.add(record);
        heldBytes +=
                HELD_RECORD_OVERHEAD_BYTES
                        + (record.key() == null ? 0 : record.key().length)
                        + (record.value() == null ? 0 : record.value().length);
        if (heldBytes > HOLD_LIMIT_BYTES) {
            awaitPreviousEpoch();
        }
    }

    /** Waits until Kafka acknowledged the previous epoch's sends, then sends what was held. */
    private void awaitPreviousEpoch() {
        if (!previousSends.allAcknowledged()) {
            previousProducer.flush();
        }
        throwIfFailed();
        releaseHeld();
    }

    private void releaseHeld() {
        previousProducer = null;
        previousSends = null;
        for (ProducerRecord<byte[], byte[]> record; (record = held.poll()) != null; ) {
            send(record);
        }
        heldBytes = 0;
    }

    @Override
    public void prepareCheckpoint(long checkpointId) {
        if (delivery == KafkaOptions.Delivery.NONE) {
            return;
        }
        CrashPoints.reach("sink.before-flush", checkpointId);
        if (transactions == null) {
            // At-least-once: the checkpoint's offsets are committed right after it completes, so
            // everything written before the barrier must be acknowledged now.
            producer.flush();
            throwIfFailed();
            return;
        }
        if (checkpointId != epoch) {
            throw new WeirException(
                    info + ": barrier " + checkpointId + " arrived in epoch " + epoch);
        }
        if (previousSends != null) {
            // Records held for this epoch go into its transaction before it is handed over.
            awaitPreviousEpoch();
        }
        throwIfFailed();
        previousProducer = producer;
        previousSends = sends;
        sends = new Sends();
        epoch = transactions.epochAfter(checkpointId);
        producer = transactions.producer(epoch);
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
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (transactions == null) {
                meters.close();
                producer.close(Duration.ofSeconds(5));
            }
        } finally {
            serdes.release();
        }
    }
}
