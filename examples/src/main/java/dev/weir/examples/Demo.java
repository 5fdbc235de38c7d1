package dev.weir.examples;

import dev.weir.CheckpointStats;
import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.testkit.EmbeddedKafka;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * {@code ./weir demo}: a real Kafka broker in this JVM, generated input, the keyed-aggregate job at
 * parallelism 2 with checkpoints every second, a stop in the middle and a resume from the last
 * checkpoint, and a check that every key's final count and sum match the input.
 */
final class Demo {
    private static final int RECORDS = 200_000;
    private static final int KEYS = 1_000;

    private Demo() {}

    static int run(List<String> args) throws Exception {
        Path work = Files.createTempDirectory("weir-demo-");
        System.out.println("== Weir demo ==");
        System.out.println("starting a Kafka broker (KRaft, in this JVM)…");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Map.of());
                KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            client.createTopic("demo-input", 4);
            client.createTopic("demo-output", 4);
            Map<String, long[]> expected = new HashMap<>();
            Thread producer = new Thread(() -> produceInput(client, expected), "demo-input");
            producer.start();
            WeirConfig config =
                    WeirConfig.of(
                            Map.of(
                                    "job.name", "demo-keyed-aggregate",
                                    "bootstrap.servers", kafka.bootstrapServers(),
                                    "input.topic", "demo-input",
                                    "output.topic", "demo-output",
                                    "parallelism", "2",
                                    "checkpoint.dir",
                                            work.resolve("checkpoints").toUri().toString(),
                                    "checkpoint.interval.ms", "1000",
                                    "sink.delivery", "at-least-once",
                                    "state.local-dir", work.resolve("state").toString(),
                                    "source.start", "earliest"));
            KeyedAggregate factory = new KeyedAggregate();
            config.validate(WeirMain.knownOptions(factory));

            System.out.printf(
                    "running keyed-aggregate at parallelism 2, checkpoints every second in %s%n",
                    work.resolve("checkpoints"));
            RunningJob first = Weir.start(factory.create(config), config);
            watch(first, RECORDS / 3);
            CheckpointStats last = first.lastCompletedCheckpoint().orElse(null);
            first.stop();
            System.out.printf(
                    "stopped the job after %d of %d records; its last completed checkpoint is %s%n",
                    first.recordsIn(), RECORDS, last == null ? "none" : "#" + last.id());

            System.out.println(
                    "starting it again: it restores keyed state and offsets from that checkpoint…");
            RunningJob second = Weir.start(factory.create(config), config);
            System.out.printf(
                    "restored checkpoint %s; re-reading the input after its offsets%n",
                    second.restoredCheckpointId().map(id -> "#" + id).orElse("(none)"));
            System.out.println(
                    "(records after that checkpoint are processed again: the output is at-least-once)");
            boolean correct = waitForResult(second, client, expected, producer);
            second.stop();
            printCheckpoints(first, second);
            if (!correct) {
                System.out.println(
                        "RESULT: MISMATCH — some key's final count or sum differs from its input");
                return 1;
            }
            System.out.printf(
                    "RESULT: OK — all %d keys: final count and sum equal the %d input records%n",
                    KEYS, RECORDS);
            return 0;
        } finally {
            dev.weir.internal.LocalCheckpointStorage.deleteTree(work);
        }
    }

    /**
     * Produces the input in steps of 10,000 records every 250 ms, so the job runs while it arrives.
     */
    private static void produceInput(KafkaTestClient client, Map<String, long[]> expected) {
        System.out.printf(
                "producing %d records over %d keys to demo-input, 10000 every 250 ms…%n",
                RECORDS, KEYS);
        Random random = new Random(42);
        List<Map.Entry<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            String key = "user-" + random.nextInt(KEYS);
            int amount = random.nextInt(100);
            long[] e = expected.computeIfAbsent(key, k -> new long[2]);
            e[0]++;
            e[1] += amount;
            batch.add(
                    new AbstractMap.SimpleEntry<>(
                            key, "{\"amount\":" + amount + ",\"note\":\"demo\"}"));
            if (batch.size() == 10_000) {
                client.produceStrings("demo-input", batch);
                batch.clear();
                try {
                    Thread.sleep(250);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        client.produceStrings("demo-input", batch);
    }

    private static void watch(RunningJob job, long untilRecordsIn) throws InterruptedException {
        long last = 0;
        long started = System.nanoTime();
        while ((job.recordsIn() < untilRecordsIn || job.lastCompletedCheckpoint().isEmpty())
                && job.status() != JobStatus.FAILED) {
            Thread.sleep(1_000);
            printProgress(job, last);
            last = job.recordsIn();
            if (System.nanoTime() - started > Duration.ofMinutes(5).toNanos()) {
                throw new IllegalStateException("the demo job made no progress in 5 minutes");
            }
        }
    }

    private static void printProgress(RunningJob job, long lastIn) {
        long in = job.recordsIn();
        System.out.printf(
                "  %-10s %8d records in (%6d/s), %8d out, %s%n",
                job.status(),
                in,
                in - lastIn,
                job.recordsOut(),
                job.lastCompletedCheckpoint()
                        .map(
                                c ->
                                        "checkpoint #"
                                                + c.id()
                                                + " in "
                                                + c.durationMillis()
                                                + " ms, "
                                                + c.sizeBytes() / 1024
                                                + " KiB")
                        .orElse("no checkpoint yet"));
    }

    private static boolean waitForResult(
            RunningJob job, KafkaTestClient client, Map<String, long[]> expected, Thread producer)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        long lastIn = job.recordsIn();
        while (System.nanoTime() < deadline && job.status() != JobStatus.FAILED) {
            Thread.sleep(1_000);
            printProgress(job, lastIn);
            lastIn = job.recordsIn();
            if (producer.isAlive()) {
                continue;
            }
            producer.join();
            Map<String, String> finals =
                    lastValuePerKey(client.readAllCommitted("demo-output", Duration.ofSeconds(30)));
            if (matches(finals, expected)) {
                return true;
            }
        }
        return false;
    }

    static Map<String, String> lastValuePerKey(List<ConsumerRecord<String, String>> records) {
        Map<String, String> last = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            last.put(r.key(), r.value());
        }
        return last;
    }

    private static boolean matches(Map<String, String> finals, Map<String, long[]> expected) {
        if (finals.size() != expected.size()) {
            return false;
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String want = "{\"count\":" + e.getValue()[0] + ",\"sum\":" + e.getValue()[1] + "}";
            if (!want.equals(finals.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static void printCheckpoints(RunningJob... runs) {
        System.out.println("checkpoints (id, duration, size, alignment, synchronous pause):");
        for (RunningJob run : runs) {
            for (CheckpointStats c : run.checkpoints()) {
                System.out.printf(
                        "  #%-4d %-9s %5d ms %8d KiB  align %3d ms  sync %3d ms%n",
                        c.id(),
                        c.status(),
                        c.durationMillis(),
                        c.sizeBytes() / 1024,
                        c.alignmentMillis(),
                        c.syncMillis());
            }
        }
    }
}
