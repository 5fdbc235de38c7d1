package dev.weir.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The independent consumer that decides when a contender is done: it reads every partition of an
 * output topic on a thread of its own ({@code assign()}, no group), counts records, hands each to a
 * check, and optionally records end-to-end latency (receive time minus the record's timestamp,
 * which every contender copies from its input record) of records stamped at or after a given time.
 *
 * <p>Lifecycle: {@link #start} assigns and starts polling; {@link #drain} reads up to the end of
 * every partition (for read_committed: the last stable offset) and stops; {@link #close} stops at
 * once. Accessors may be called from any thread; the check is called on the reader's thread only
 * and may be read by others after {@link #drain} or {@link #close} returned.
 */
final class OutputReader implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final BiConsumer<byte[], byte[]> check;
    private volatile long latencyFromMillis = Long.MAX_VALUE;
    private final long target;
    private final Thread thread;
    private final AtomicLong count = new AtomicLong();
    private final List<Long> latencies = new ArrayList<>();
    private volatile long firstNanos;
    private volatile long reachedNanos;
    private volatile boolean stop;
    private volatile boolean drain;
    private volatile boolean drained;
    private volatile RuntimeException failure;

    private OutputReader(
            String bootstrap,
            String topic,
            boolean readCommitted,
            Optional<Map<TopicPartition, Long>> startOffsets,
            long target,
            BiConsumer<byte[], byte[]> check) {
        this.topic = topic;
        this.target = target;
        this.check = check;
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
        props.put("enable.auto.commit", "false");
        props.put("fetch.max.wait.ms", "50");
        props.put("client.id", "bench-reader-" + topic);
        consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            parts.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(parts);
        if (startOffsets.isPresent()) {
            startOffsets.get().forEach(consumer::seek);
        } else {
            consumer.seekToBeginning(parts);
        }
        parts.forEach(tp -> consumer.position(tp, Duration.ofSeconds(30)));
        thread = new Thread(this::run, "bench-reader-" + topic);
        thread.setDaemon(true);
    }

    /**
     * Starts reading {@code topic} from the beginning, or from {@code startOffsets}, and notes the
     * time the {@code target}-th record arrives.
     */
    static OutputReader start(
            String bootstrap,
            String topic,
            boolean readCommitted,
            Optional<Map<TopicPartition, Long>> startOffsets,
            long target,
            BiConsumer<byte[], byte[]> check) {
        OutputReader r =
                new OutputReader(bootstrap, topic, readCommitted, startOffsets, target, check);
        r.thread.start();
        return r;
    }

    private void run() {
        try {
            Map<TopicPartition, Long> ends = null;
            while (!stop) {
                if (drain && ends == null) {
                    ends = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
                }
                if (ends != null && reached(ends)) {
                    drained = true;
                    return;
                }
                var records = consumer.poll(POLL);
                long nowNanos = System.nanoTime();
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    check.accept(r.key(), r.value());
                    if (r.timestamp() >= latencyFromMillis) {
                        synchronized (latencies) {
                            latencies.add(now - r.timestamp());
                        }
                    }
                }
                if (!records.isEmpty()) {
                    if (firstNanos == 0) {
                        firstNanos = nowNanos;
                    }
                    if (reachedNanos == 0 && count.get() + records.count() >= target) {
                        reachedNanos = nowNanos;
                    }
                    count.addAndGet(records.count());
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** From now on, records the latency of records stamped at or after {@code millis}. */
    void recordLatencyFrom(long millis) {
        latencyFromMillis = millis;
    }

    long count() {
        return count.get();
    }

    /** {@link System#nanoTime()} when the first record arrived, 0 if none did. */
    long firstNanos() {
        return firstNanos;
    }

    /**
     * Waits until the target count is reached and returns the {@link System#nanoTime()} it was;
     * fails early if {@code child} exits, or after {@code timeout}.
     */
    long awaitTarget(Duration timeout, ChildJvm child) throws InterruptedException {
        awaitCount(target, timeout, child);
        while (reachedNanos == 0) {
            Thread.sleep(1); // the count is published just before the time
        }
        return reachedNanos;
    }

    /**
     * Waits until at least {@code n} records arrived; returns the {@link System#nanoTime()} it saw
     * that (within 10 ms). Fails early if {@code child} exits, or after {@code timeout}.
     */
    long awaitCount(long n, Duration timeout, ChildJvm child) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count() < n) {
            checkFailure();
            if (child != null) {
                child.checkAlive();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only "
                                + count()
                                + " of "
                                + n
                                + " records on "
                                + topic
                                + " after "
                                + timeout
                                + (child == null
                                        ? ""
                                        : "; " + child.log() + " ends with:\n" + child.tail(30)));
            }
            Thread.sleep(10);
        }
        return System.nanoTime();
    }

    /** Reads up to the current end of every partition, then stops; false if that timed out. */
    boolean drain(Duration timeout) throws InterruptedException {
        drain = true;
        thread.join(timeout.toMillis());
        close();
        checkFailure();
        return drained;
    }

    /** Latencies in milliseconds recorded so far, in arrival order. */
    long[] latenciesMillis() {
        synchronized (latencies) {
            return latencies.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private void checkFailure() {
        if (failure != null) {
            throw new IllegalStateException("reading " + topic + " failed: " + failure, failure);
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
