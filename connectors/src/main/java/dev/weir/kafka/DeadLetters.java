package dev.weir.kafka;

import dev.weir.Origin;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.spi.DeadLetterWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The dead-letter output of one subtask: of a source subtask, each record its serde could not read
 * ({@code source.dead-letter.topic}); of a keyed operator subtask, each record its process function
 * threw on ({@code process.dead-letter.topic}), found through the record's {@link
 * Origin#sourceRecord()}. Either is written unchanged — key, value, timestamp and headers as the
 * source read them — with headers that name the error, where the record was and the subtask's
 * operator uid (docs/serdes.md, "Poison records").
 *
 * <p>Exactly-once: a dead letter goes into the transaction of the epoch its subtask is in — the
 * producer the sinks write that epoch's output with, by the rule of {@link
 * KafkaTransactions#epochAfter} — so it is committed with the checkpoint whose barrier the subtask
 * passes next, which moves the source past the record, or aborted and written again with the
 * replay. Otherwise a producer of its own sends it, and the subtask's barrier waits until Kafka has
 * it, so a checkpoint never completes over a lost dead letter. Dead letters of different
 * checkpoints may interleave in a partition of the dead-letter topic. Task thread only, except send
 * callbacks.
 */
final class DeadLetters implements DeadLetterWriter {
    /** Header names: Kafka Streams' dead-letter names (KIP-1034) under Weir's prefix. */
    static final String EXCEPTION = "__weir.errors.exception";

    static final String MESSAGE = "__weir.errors.message";
    static final String STACKTRACE = "__weir.errors.stacktrace";
    static final String TOPIC = "__weir.errors.topic";
    static final String PARTITION = "__weir.errors.partition";
    static final String OFFSET = "__weir.errors.offset";
    static final String OPERATOR = "__weir.errors.operator.uid";

    private final String topic;
    private final SubtaskInfo info;
    private final KafkaTransactions transactions;
    private final WeirConfig config;
    private KafkaProducer<byte[], byte[]> own;
    private long lastBarrier = -1;
    private boolean closed;
    private final AtomicLong pending = new AtomicLong();
    private volatile Exception sendFailure;

    /**
     * Dead letters to {@code topic}; into the epochs' transactions if {@code transactions} is not
     * null, else through a producer of their own, created at the first one.
     */
    DeadLetters(String topic, SubtaskInfo info, KafkaTransactions transactions, WeirConfig config) {
        this.topic = topic;
        this.info = info;
        this.transactions = transactions;
        this.config = config;
    }

    /**
     * Sends the Kafka record {@code origin} holds; false if it holds none (built from coordinates,
     * or by another source).
     */
    @Override
    public boolean write(Origin origin, Throwable error) {
        if (!(origin.sourceRecord() instanceof ConsumerRecord<?, ?> r)
                || !(r.key() == null || r.key() instanceof byte[])
                || !(r.value() == null || r.value() instanceof byte[])) {
            return false;
        }
        @SuppressWarnings("unchecked")
        ConsumerRecord<byte[], byte[]> raw = (ConsumerRecord<byte[], byte[]>) r;
        send(raw, error);
        return true;
    }

    /** Sends {@code r} with the error {@code e}. */
    void send(ConsumerRecord<byte[], byte[]> r, Throwable e) {
        ProducerRecord<byte[], byte[]> out =
                new ProducerRecord<>(topic, null, r.timestamp(), r.key(), r.value());
        for (Header h : r.headers()) {
            out.headers().add(h);
        }
        out.headers()
                .add(EXCEPTION, utf8(e.getClass().getName()))
                .add(MESSAGE, utf8(String.valueOf(e.getMessage())))
                .add(STACKTRACE, utf8(stackTrace(e)))
                .add(TOPIC, utf8(r.topic()))
                .add(PARTITION, utf8(String.valueOf(r.partition())))
                .add(OFFSET, utf8(String.valueOf(r.offset())))
                .add(OPERATOR, utf8(info.operatorUid()));
        pending.incrementAndGet();
        producer()
                .send(
                        out,
                        (metadata, failure) -> {
                            if (failure != null && sendFailure == null) {
                                sendFailure = failure;
                            }
                            pending.decrementAndGet();
                        });
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (transactions != null) {
            return transactions.producer(transactions.epochAfter(lastBarrier));
        }
        if (own == null) {
            Map<String, Object> props = KafkaOptions.clientProperties(config, "kafka.producer.");
            props.putIfAbsent(
                    "client.id",
                    info.jobName() + "-" + info.operatorUid() + "-" + info.subtask() + "-dlq");
            props.put("acks", "all");
            props.put("enable.idempotence", "true");
            own = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return own;
    }

    /**
     * The subtask's barrier {@code checkpointId}: dead letters sent since the last one belong to
     * that checkpoint. Exactly-once they are in its transaction (its commit flushes them and fails
     * on any failed send), and later ones go to the next epoch's; otherwise this waits until Kafka
     * acknowledged them, and throws if any was lost.
     */
    @Override
    public void checkpoint(long checkpointId) {
        if (transactions != null) {
            lastBarrier = checkpointId;
            failIfLost();
            return;
        }
        if (own != null && pending.get() > 0) {
            own.flush();
        }
        failIfLost();
    }

    private void failIfLost() {
        Exception e = sendFailure;
        if (e != null) {
            throw new WeirException(
                    info + ": a dead letter for topic " + topic + " could not be written: " + e, e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String stackTrace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (own != null) {
            own.close(Duration.ofSeconds(5));
        }
    }
}
