package dev.weir.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The generated input of the throughput runs: {@code records} records with keys {@code user-<i>},
 * {@code i} drawn from {@code [0, keys)} uniformly or by a Zipf law (rank {@code i} has weight
 * {@code 1/(i+1)}), with a fixed seed, and values of exactly {@value #VALUE_BYTES} bytes of JSON
 * with an integer {@code amount}. {@link #produce} sends them once and remembers each key's final
 * count and sum, the result every contender must reach. With an {@link EventTime} the records carry
 * explicit timestamps, and one flush record per partition (key {@value #FLUSH_KEY_PREFIX}{@code
 * <partition>}, amount 0) follows them; without, the producer stamps them at send time. Used by one
 * thread.
 */
final class Workload {
    static final int VALUE_BYTES = 100;

    /** Keys of the flush records that end an event-time input; no check counts them. */
    static final String FLUSH_KEY_PREFIX = "flush-";

    /** How keys are drawn. */
    enum Distribution {
        UNIFORM,
        ZIPF
    }

    private final int records;
    private final int keys;
    private final Distribution distribution;
    private final long seed;
    private final EventTime eventTime;
    private final long[] counts;
    private final long[] sums;

    Workload(int records, int keys, Distribution distribution, long seed) {
        this(records, keys, distribution, seed, null);
    }

    /** Records stamped by {@code eventTime} (null: stamped by the producer at send time). */
    Workload(int records, int keys, Distribution distribution, long seed, EventTime eventTime) {
        if (records < 1 || keys < 1) {
            throw new IllegalArgumentException(
                    "records and keys must be >= 1, got " + records + " and " + keys);
        }
        this.records = records;
        this.keys = keys;
        this.distribution = distribution;
        this.seed = seed;
        this.eventTime = eventTime;
        this.counts = new long[keys];
        this.sums = new long[keys];
    }

    int records() {
        return records;
    }

    int keys() {
        return keys;
    }

    Distribution distribution() {
        return distribution;
    }

    /** Whether {@code key} is one of the flush records' keys. */
    static boolean isFlushKey(String key) {
        return key.startsWith(FLUSH_KEY_PREFIX);
    }

    /** Number of distinct keys the produced input holds. */
    long distinctKeys() {
        return Arrays.stream(counts).filter(c -> c > 0).count();
    }

    /** The final {@code [count, sum]} of {@code key}, or null if the input never had it. */
    long[] expected(String key) {
        if (!key.startsWith("user-")) {
            return null;
        }
        int i;
        try {
            i = Integer.parseInt(key, 5, key.length(), 10);
        } catch (NumberFormatException e) {
            return null;
        }
        return i >= 0 && i < keys && counts[i] > 0 ? new long[] {counts[i], sums[i]} : null;
    }

    /**
     * Produces the records to {@code topic} (acks=all) and waits until all are acknowledged;
     * returns the elapsed nanoseconds.
     */
    long produce(String bootstrap, String topic) {
        return produce(bootstrap, topic, Workload::value);
    }

    /** How a record's value is written: from its amount and sequence number. */
    public interface ValueFormat {
        byte[] value(int amount, long seq);
    }

    /**
     * Produces the same records — keys, amounts and order, from the same seed — with values in
     * {@code format}, so every topic produced holds the same per-key counts and sums.
     */
    long produce(String bootstrap, String topic, ValueFormat format) {
        return produce(bootstrap, topic, format, (k, ts, amount) -> {});
    }

    /** Sees each real record (not the flush records) as it is sent, in order. */
    interface RecordListener {
        void record(int key, long timestampMs, int amount);
    }

    /**
     * Produces the records with JSON values and, with an {@link EventTime}, their timestamps and
     * the flush records; {@code listener} sees every real record.
     */
    long produce(String bootstrap, String topic, RecordListener listener) {
        return produce(bootstrap, topic, Workload::value, listener);
    }

    private long produce(
            String bootstrap, String topic, ValueFormat format, RecordListener listener) {
        long start = System.nanoTime();
        Arrays.fill(counts, 0);
        Arrays.fill(sums, 0);
        KeySampler sampler = new KeySampler(keys, distribution, new Random(seed));
        Random amounts = new Random(seed + 1);
        Random jitter = new Random(seed + 2);
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback onError =
                (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                };
        try (KafkaProducer<byte[], byte[]> p = inputProducer(bootstrap)) {
            for (int i = 0; i < records; i++) {
                int k = sampler.next();
                int amount = amounts.nextInt(1000);
                counts[k]++;
                sums[k] += amount;
                Long ts = eventTime == null ? null : eventTime.timestamp(i, jitter);
                p.send(
                        new ProducerRecord<>(topic, null, ts, key(k), format.value(amount, i)),
                        onError);
                listener.record(k, ts == null ? -1 : ts, amount);
            }
            if (eventTime != null) {
                int partitions = p.partitionsFor(topic).size();
                for (int part = 0; part < partitions; part++) {
                    byte[] key = (FLUSH_KEY_PREFIX + part).getBytes(StandardCharsets.UTF_8);
                    p.send(
                            new ProducerRecord<>(
                                    topic,
                                    part,
                                    eventTime.flushTimestampMs(),
                                    key,
                                    format.value(0, -1)),
                            onError);
                }
            }
            p.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "producing the input to " + topic + " failed: " + failure.get(), failure.get());
        }
        return System.nanoTime() - start;
    }

    static byte[] key(int i) {
        return ("user-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"amount":A,"seq":S,"pad":"xx…"}}, padded to exactly {@value #VALUE_BYTES} bytes. */
    static byte[] value(int amount, long seq) {
        String head = "{\"amount\":" + amount + ",\"seq\":" + seq + ",\"pad\":\"";
        int pad = Math.max(0, VALUE_BYTES - head.length() - 2);
        return (head + "x".repeat(pad) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The producer of the generated input: one request in flight per connection. With more, the
     * first batch to a partition of a topic just created can fail (its leader still loading) while
     * the next one is appended; the broker then rejects every retry of the first with
     * OutOfOrderSequenceException until the delivery timeout drops its records (seen here: 74
     * records lost, 120 s spent).
     */
    private static KafkaProducer<byte[], byte[]> inputProducer(String bootstrap) {
        Map<String, Object> props = new HashMap<>(settings(bootstrap, "20"));
        props.put("max.in.flight.requests.per.connection", "1");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, String lingerMs) {
        return new KafkaProducer<>(
                settings(bootstrap, lingerMs),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private static Map<String, Object> settings(String bootstrap, String lingerMs) {
        return Map.of(
                "bootstrap.servers",
                bootstrap,
                "acks",
                "all",
                "linger.ms",
                lingerMs,
                "batch.size",
                "262144",
                "client.id",
                "bench-input");
    }

    /** Draws key indexes; Zipf by binary search in the cumulative weights. */
    static final class KeySampler {
        private final int keys;
        private final Random random;
        private final double[] cdf;

        KeySampler(int keys, Distribution distribution, Random random) {
            this.keys = keys;
            this.random = random;
            if (distribution == Distribution.ZIPF) {
                cdf = new double[keys];
                double total = 0;
                for (int i = 0; i < keys; i++) {
                    total += 1.0 / (i + 1);
                    cdf[i] = total;
                }
                for (int i = 0; i < keys; i++) {
                    cdf[i] /= total;
                }
            } else {
                cdf = null;
            }
        }

        int next() {
            if (cdf == null) {
                return random.nextInt(keys);
            }
            int i = Arrays.binarySearch(cdf, random.nextDouble());
            return Math.min(keys - 1, i >= 0 ? i : -i - 1);
        }
    }
}
