package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testkit.KafkaTestClient;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Generated keyed-aggregate input with the expected per-key results, and the output checks. */
final class AggregateWorkload {
    final Map<String, long[]> expected = new HashMap<>();
    private final Random random;
    private final int keys;

    AggregateWorkload(long seed, int keys) {
        this.random = new Random(seed);
        this.keys = keys;
    }

    /** Keys of the records of the last {@link #produce} call. */
    final java.util.Set<String> lastKeys = new java.util.HashSet<>();

    /** Produces {@code n} more records and records what they add to each key. */
    void produce(KafkaTestClient client, String topic, int n) {
        lastKeys.clear();
        List<Map.Entry<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "user-" + random.nextInt(keys);
            lastKeys.add(key);
            int amount = random.nextInt(1000) - 100;
            long[] e = expected.computeIfAbsent(key, k -> new long[2]);
            e[0]++;
            e[1] += amount;
            batch.add(
                    new AbstractMap.SimpleEntry<>(
                            key, "{\"id\":" + i + ",\"amount\":" + amount + "}"));
            if (batch.size() == 10_000) {
                client.produceStrings(topic, batch);
                batch.clear();
            }
        }
        client.produceStrings(topic, batch);
    }

    /**
     * A record of {@link #produceWithBadRecords} that the job must set aside: where it was written,
     * its value, and the operator that sets it aside ({@code input}: the source cannot read it;
     * {@code aggregate}: its amount would overflow the key's sum).
     */
    record BadRecord(int partition, long offset, String value, String operatorUid) {}

    /** The bad records produced so far, in order. */
    final List<BadRecord> bad = new java.util.concurrent.CopyOnWriteArrayList<>();

    private long badSeq;

    /**
     * Produces {@code n} more records, each unreadable with probability {@code unreadable} (values
     * {@code {"oops":…}} or {@code not json …}, which {@link AmountSerde} rejects) and, among the
     * others, each with probability {@code overflowing} an amount that takes a key's sum (known
     * non-zero) past a long's range; the rest count as {@link #produce}'s do.
     */
    void produceWithBadRecords(
            KafkaTestClient client, String topic, int n, double unreadable, double overflowing) {
        List<Map.Entry<String, String>> batch = new ArrayList<>();
        List<String> badIn = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "user-" + random.nextInt(keys);
            double dice = random.nextDouble();
            long[] e = expected.get(key);
            String value;
            String badBy = null;
            if (dice < unreadable) {
                long seq = badSeq++;
                value = seq % 2 == 0 ? "{\"oops\":" + seq + "}" : "not json " + seq;
                badBy = "input";
            } else if (dice < unreadable + overflowing && e != null && e[1] != 0) {
                value =
                        "{\"id\":"
                                + i
                                + ",\"amount\":"
                                + (e[1] > 0 ? Long.MAX_VALUE : Long.MIN_VALUE)
                                + ",\"bad\":"
                                + badSeq++
                                + "}";
                badBy = "aggregate";
            } else {
                int amount = random.nextInt(1000) - 100;
                e = expected.computeIfAbsent(key, k -> new long[2]);
                e[0]++;
                e[1] += amount;
                value = "{\"id\":" + i + ",\"amount\":" + amount + "}";
            }
            batch.add(new AbstractMap.SimpleEntry<>(key, value));
            badIn.add(badBy);
        }
        List<org.apache.kafka.clients.producer.RecordMetadata> written =
                client.produceStrings(topic, batch);
        for (int i = 0; i < batch.size(); i++) {
            if (badIn.get(i) != null) {
                bad.add(
                        new BadRecord(
                                written.get(i).partition(),
                                written.get(i).offset(),
                                batch.get(i).getValue(),
                                badIn.get(i)));
            }
        }
    }

    long total() {
        return expected.values().stream().mapToLong(v -> v[0]).sum();
    }

    static String value(long count, long sum) {
        return "{\"count\":" + count + ",\"sum\":" + sum + "}";
    }

    static long countOf(String value) {
        int start = value.indexOf("\"count\":") + 8;
        return Long.parseLong(value.substring(start, value.indexOf(',', start)));
    }

    /** Last output value per key (all records of a key are in one partition, in order). */
    static Map<String, String> lastValues(List<ConsumerRecord<String, String>> records) {
        Map<String, String> last = new TreeMap<>();
        records.forEach(r -> last.put(r.key(), r.value()));
        return last;
    }

    boolean isComplete(List<ConsumerRecord<String, String>> output) {
        Map<String, String> last = lastValues(output);
        return expected.entrySet().stream()
                .allMatch(
                        e -> value(e.getValue()[0], e.getValue()[1]).equals(last.get(e.getKey())));
    }

    /**
     * At-least-once check: every key's final value equals its input, and every count 1..n was
     * emitted (a gap would be a lost update). Returns the number of duplicated outputs.
     */
    long assertAtLeastOnce(List<ConsumerRecord<String, String>> output) {
        Map<String, String> last = lastValues(output);
        Map<String, TreeSet<Long>> counts = new HashMap<>();
        for (ConsumerRecord<String, String> r : output) {
            counts.computeIfAbsent(r.key(), k -> new TreeSet<>()).add(countOf(r.value()));
        }
        assertThat(last.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String key = e.getKey();
            assertThat(last.get(key))
                    .as("final value of %s", key)
                    .isEqualTo(value(e.getValue()[0], e.getValue()[1]));
            TreeSet<Long> seen = counts.get(key);
            assertThat(seen.size())
                    .as("distinct counts emitted for %s (a gap is a lost update)", key)
                    .isEqualTo((int) e.getValue()[0]);
            assertThat(seen.first()).isEqualTo(1L);
            assertThat(seen.last()).isEqualTo(e.getValue()[0]);
        }
        return output.size() - total();
    }

    /**
     * Exactly-once check: for every key the emitted counts are exactly 1, 2, …, n(key) in order — a
     * gap is a loss, a repeat a duplicate — and the last value has the key's input count and sum.
     */
    void assertExactlyOnce(List<ConsumerRecord<String, String>> output) {
        Map<String, List<Long>> counts = new HashMap<>();
        for (ConsumerRecord<String, String> r : output) {
            counts.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(countOf(r.value()));
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        Map<String, String> last = lastValues(output);
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String key = e.getKey();
            List<Long> seen = counts.get(key);
            for (int i = 0; i < seen.size(); i++) {
                if (seen.get(i) != i + 1) {
                    throw new AssertionError(
                            "key "
                                    + key
                                    + ": output #"
                                    + (i + 1)
                                    + " has count "
                                    + seen.get(i)
                                    + " ("
                                    + (seen.get(i) <= i ? "duplicate" : "gap: lost update")
                                    + "); counts emitted: "
                                    + abbreviate(seen));
                }
            }
            assertThat(seen.size()).as("outputs of %s", key).isEqualTo((int) e.getValue()[0]);
            assertThat(last.get(key))
                    .as("final value of %s", key)
                    .isEqualTo(value(e.getValue()[0], e.getValue()[1]));
        }
        assertThat((long) output.size()).isEqualTo(total());
    }

    private static String abbreviate(List<Long> l) {
        return l.size() <= 40 ? l.toString() : l.subList(0, 40) + "… (" + l.size() + ")";
    }

    /**
     * Waits until {@code before} (the committed output of the job a fork started from) followed by
     * the committed output in {@code topic} is complete; returns the two together.
     */
    static List<ConsumerRecord<String, String>> awaitOutputAfter(
            KafkaTestClient client,
            List<ConsumerRecord<String, String>> before,
            String topic,
            AggregateWorkload w,
            Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, String>> all = new ArrayList<>(before);
        while (System.nanoTime() < deadline) {
            all = new ArrayList<>(before);
            all.addAll(client.readAllCommitted(topic, Duration.ofSeconds(30)));
            if (w.isComplete(all)) {
                return all;
            }
            Thread.sleep(500);
        }
        return all;
    }

    static List<ConsumerRecord<String, String>> awaitOutput(
            KafkaTestClient client, String topic, AggregateWorkload w, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, String>> out = List.of();
        while (System.nanoTime() < deadline) {
            out = client.readAllCommitted(topic, Duration.ofSeconds(30));
            if (w.isComplete(out)) {
                return out;
            }
            Thread.sleep(500);
        }
        return out;
    }
}
