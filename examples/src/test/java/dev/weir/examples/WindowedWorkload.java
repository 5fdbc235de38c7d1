package dev.weir.examples;

import dev.weir.testkit.KafkaTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Generated windowed-aggregate input with event times the test chooses, the model of the windows it
 * makes, and the exactly-once check of the job's output against that model.
 *
 * <p>Event time advances through the input ({@link #base}); each record's timestamp is the base
 * minus a jitter below the out-of-orderness and it goes to a random partition, so every partition's
 * timestamps are out of order but none is late. Timestamps start at {@link #T0}, a whole hour an
 * hour before now (only so that the broker neither rejects them as too far in the future nor
 * deletes them by retention): everything the tests check is relative to it.
 */
final class WindowedWorkload {
    static final long SIZE = 1_000;
    static final long OUT_OF_ORDERNESS = 200;
    static final long T0 = (System.currentTimeMillis() / 3_600_000 - 1) * 3_600_000;

    private static final Pattern VALUE =
            Pattern.compile(
                    "\\{\"window_start\":(-?\\d+),\"window_end\":(-?\\d+),\"count\":(-?\\d+),"
                            + "\"sum\":(-?\\d+)\\}");

    /** One key's window, by its start. */
    record Window(String key, long start) implements Comparable<Window> {
        @Override
        public int compareTo(Window o) {
            int c = Long.compare(start, o.start);
            return c != 0 ? c : key.compareTo(o.key);
        }

        @Override
        public String toString() {
            return key + "@[" + (start - T0) + "," + (start - T0 + SIZE) + ")";
        }
    }

    final String topic;
    final int partitions;
    final long lateness;
    private final Random random;
    private final int keys;

    /** Count and sum per window of the records produced that the job must count. */
    final Map<Window, long[]> expected = new TreeMap<>();

    /** Records produced that the job must write unchanged to the late topic. */
    final List<ProducerRecord<String, String>> late = new ArrayList<>();

    /** The largest timestamp produced per partition (Long.MIN_VALUE: none yet). */
    final long[] maxTimestamp;

    private final long[] produced;
    private long base = T0;

    WindowedWorkload(long seed, String topic, int partitions, int keys, long lateness) {
        this.random = new Random(seed);
        this.topic = topic;
        this.partitions = partitions;
        this.keys = keys;
        this.lateness = lateness;
        this.maxTimestamp = new long[partitions];
        Arrays.fill(maxTimestamp, Long.MIN_VALUE);
        this.produced = new long[partitions];
    }

    /**
     * The window settings of the tests' jobs: 1 s windows, 200 ms out-of-orderness, no idleness
     * (event time never depends on the wall clock), late records to {@code lateTopic}.
     */
    static Map<String, String> settings(long lateness, String lateTopic) {
        Map<String, String> s = new java.util.LinkedHashMap<>();
        s.put("window.size.ms", String.valueOf(SIZE));
        s.put("watermark.out-of-orderness.ms", String.valueOf(OUT_OF_ORDERNESS));
        s.put("window.allowed-lateness.ms", String.valueOf(lateness));
        s.put("watermark.idle-timeout.ms", "0");
        s.put("late.topic", lateTopic);
        return s;
    }

    /** The event time the input reached: no record produced by {@link #produce} is later. */
    long base() {
        return base;
    }

    static long fireAt(long start, long lateness) {
        return start + SIZE - 1 + lateness;
    }

    static long startOf(long timestamp) {
        return timestamp - Math.floorMod(timestamp, SIZE);
    }

    /**
     * Produces {@code n} more on-time records, event time advancing by {@code step} ms per record
     * on average.
     */
    void produce(KafkaTestClient client, int n, long step) {
        List<ProducerRecord<String, String>> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            base += random.nextInt((int) (2 * step + 1));
            long ts = base - random.nextInt((int) OUT_OF_ORDERNESS);
            String key = "k" + random.nextInt(keys);
            batch.add(counted(random.nextInt(partitions), ts, key, random.nextInt(1000) - 100));
        }
        send(client, batch);
    }

    /**
     * One record at {@code timestamp} on every partition (keys {@code close-<p>}), which moves the
     * watermark to {@code timestamp - out-of-orderness - 1} once the job has read them all.
     */
    void closeAt(KafkaTestClient client, long timestamp) {
        List<ProducerRecord<String, String>> batch = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            batch.add(counted(p, timestamp, "close-" + p, 1));
        }
        base = Math.max(base, timestamp);
        send(client, batch);
    }

    /** A record the job must count, for the window of {@code timestamp}; not sent yet. */
    ProducerRecord<String, String> counted(int partition, long timestamp, String key, long amount) {
        long[] e = expected.computeIfAbsent(new Window(key, startOf(timestamp)), w -> new long[2]);
        e[0]++;
        e[1] += amount;
        return new ProducerRecord<>(
                topic, partition, timestamp, key, "{\"amount\":" + amount + "}");
    }

    /** A record the job must pass unchanged to the late topic; not sent yet. */
    ProducerRecord<String, String> late(int partition, long timestamp, String key, String value) {
        ProducerRecord<String, String> r =
                new ProducerRecord<>(topic, partition, timestamp, key, value);
        late.add(r);
        return r;
    }

    void send(KafkaTestClient client, List<ProducerRecord<String, String>> batch) {
        client.produce(batch);
        for (ProducerRecord<String, String> r : batch) {
            maxTimestamp[r.partition()] = Math.max(maxTimestamp[r.partition()], r.timestamp());
            produced[r.partition()]++;
        }
    }

    /** Records produced per partition (offsets, on a fresh topic). */
    long[] produced() {
        return produced.clone();
    }

    /** The watermark once every produced record is read. */
    long watermark() {
        return Arrays.stream(maxTimestamp).min().orElseThrow() - OUT_OF_ORDERNESS - 1;
    }

    /** Windows the job must have emitted once the watermark is {@code watermark}. */
    Map<Window, long[]> closedAt(long watermark) {
        Map<Window, long[]> closed = new TreeMap<>();
        expected.forEach(
                (w, t) -> {
                    if (fireAt(w.start, lateness) <= watermark) {
                        closed.put(w, t);
                    }
                });
        return closed;
    }

    static String value(Window w, long[] t) {
        return "{\"window_start\":"
                + w.start
                + ",\"window_end\":"
                + (w.start + SIZE)
                + ",\"count\":"
                + t[0]
                + ",\"sum\":"
                + t[1]
                + "}";
    }

    /**
     * What is wrong with {@code output} if exactly the windows closed at {@code watermark} must be
     * in it, each once, with the model's count and sum, value format and timestamp E − 1; empty if
     * nothing.
     */
    String problems(List<ConsumerRecord<String, byte[]>> output, long watermark) {
        Map<Window, long[]> want = closedAt(watermark);
        Map<Window, Integer> seen = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : output) {
            String v = new String(r.value(), StandardCharsets.UTF_8);
            Matcher m = VALUE.matcher(v);
            if (!m.matches()) {
                wrong.add(r.key() + " malformed " + v);
                continue;
            }
            Window w = new Window(r.key(), Long.parseLong(m.group(1)));
            if (seen.merge(w, 1, Integer::sum) > 1) {
                continue;
            }
            long[] t = want.get(w);
            if (t == null) {
                unexpected.add(w + " " + v + (expected.containsKey(w) ? " (not closed)" : ""));
            } else if (!Arrays.equals(r.value(), value(w, t).getBytes(StandardCharsets.UTF_8))) {
                wrong.add(w + " got " + v + " want " + value(w, t));
            } else if (r.timestamp() != w.start + SIZE - 1) {
                wrong.add(w + " timestamp " + r.timestamp() + " want " + (w.start + SIZE - 1));
            }
        }
        List<String> lost = new ArrayList<>();
        want.keySet().stream()
                .filter(w -> !seen.containsKey(w))
                .forEach(w -> lost.add(w.toString()));
        List<String> duplicated = new ArrayList<>();
        seen.forEach(
                (w, n) -> {
                    if (n > 1) {
                        duplicated.add(w + " x" + n);
                    }
                });
        StringBuilder b = new StringBuilder();
        report(b, "lost", lost);
        report(b, "duplicated", duplicated);
        report(b, "wrong", wrong);
        report(b, "unexpected", unexpected);
        if (b.length() > 0) {
            b.append(
                    String.format(
                            "(%d windows expected closed at watermark T0+%d, %d output records)",
                            want.size(), watermark - T0, output.size()));
        }
        return b.toString();
    }

    private static void report(StringBuilder b, String what, List<String> items) {
        if (!items.isEmpty()) {
            b.append(items.size())
                    .append(' ')
                    .append(what)
                    .append(": ")
                    .append(items.subList(0, Math.min(10, items.size())))
                    .append(items.size() > 10 ? " …" : "")
                    .append("; ");
        }
    }

    /**
     * Reads {@code topic} read_committed (after {@code before}, the output of the job a fork
     * started from) until every window closed at {@code watermark} is in it, then once more a
     * second later (so that a window emitted too early or twice shows); returns all of it.
     */
    List<ConsumerRecord<String, byte[]>> awaitClosed(
            KafkaTestClient client,
            List<ConsumerRecord<String, byte[]>> before,
            String outputTopic,
            long watermark,
            Duration timeout)
            throws InterruptedException {
        java.util.Set<Window> want = closedAt(watermark).keySet();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<String, byte[]>> out = read(client, before, outputTopic);
            java.util.Set<Window> got = new java.util.HashSet<>();
            for (ConsumerRecord<String, byte[]> r : out) {
                Matcher m = VALUE.matcher(new String(r.value(), StandardCharsets.UTF_8));
                if (m.matches()) {
                    got.add(new Window(r.key(), Long.parseLong(m.group(1))));
                }
            }
            if (got.containsAll(want)) {
                Thread.sleep(1_000);
                return read(client, before, outputTopic);
            }
            Thread.sleep(300);
        }
        return read(client, before, outputTopic);
    }

    private static List<ConsumerRecord<String, byte[]>> read(
            KafkaTestClient client, List<ConsumerRecord<String, byte[]>> before, String topic) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(before);
        all.addAll(client.readAllCommittedBytes(topic, Duration.ofSeconds(30)));
        return all;
    }

    /**
     * What is wrong with {@code lateOutput} if it must hold exactly the late records produced, each
     * once, with key, value bytes and timestamp unchanged; empty if nothing.
     */
    String lateProblems(List<ConsumerRecord<String, byte[]>> lateOutput) {
        Map<String, Integer> want = new TreeMap<>();
        for (ProducerRecord<String, String> r : late) {
            want.merge(r.key() + " " + r.value() + " @" + r.timestamp(), 1, Integer::sum);
        }
        Map<String, Integer> got = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> r : lateOutput) {
            got.merge(
                    r.key()
                            + " "
                            + new String(r.value(), StandardCharsets.UTF_8)
                            + " @"
                            + r.timestamp(),
                    1,
                    Integer::sum);
        }
        return want.equals(got) ? "" : "late records: want " + want + " got " + got;
    }
}
