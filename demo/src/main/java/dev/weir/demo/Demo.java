package dev.weir.demo;

import dev.weir.launcher.SavepointCli;
import dev.weir.launcher.WeirMain;
import dev.weir.testkit.ChildClasspath;
import dev.weir.testkit.EmbeddedKafka;
import dev.weir.testkit.KafkaTestClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * {@code ./weir demo}: a real Kafka broker in this JVM and the keyed-aggregate job with
 * exactly-once output in a separate JVM, at parallelism 2 with a checkpoint every second. Input
 * arrives while the job runs; the demo kills the job process with SIGKILL mid-run, starts it again
 * (it aborts the dead process's open transactions and restores the committed checkpoint), and
 * finally checks the committed output: for every key the counts emitted are exactly 1, 2, …, n — no
 * update lost, none repeated — and the last one carries the key's input count and sum.
 */
final class Demo {
    private static final int RECORDS = 200_000;
    private static final int KEYS = 1_000;
    private static final String JOB = "demo-keyed-aggregate";

    private Demo() {}

    static int run(List<String> args) throws Exception {
        Path work = Files.createTempDirectory("weir-demo-");
        System.out.println(
                "== Weir demo: exactly-once keyed aggregation across a kill -9, a savepoint and a"
                        + " rescale ==");
        System.out.println("starting a Kafka broker (KRaft, in this JVM)…");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Map.of());
                KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            client.createTopic("demo-input", 4);
            client.createTopic("demo-output", 4);
            Map<String, long[]> expected = new HashMap<>();
            AtomicLong produced = new AtomicLong();
            Thread producer =
                    new Thread(() -> produceInput(client, expected, produced), "demo-input");
            producer.start();

            System.out.println(
                    "starting keyed-aggregate in its own JVM: parallelism 2, checkpoint every"
                            + " second, sink.delivery=exactly-once");
            Process job = startJob(kafka.bootstrapServers(), work, 2, -1);
            long committed = watch(client, produced, RECORDS / 4, job);
            System.out.printf(
                    "%n>>> kill -9 %d (the job process) with %d results committed%n",
                    job.pid(), committed);
            job.destroyForcibly();
            job.waitFor(30, TimeUnit.SECONDS);

            System.out.println(
                    ">>> starting it again: it waits until the dead process's job lock expires"
                            + " (job.lock.session-timeout.ms=6000), aborts its open transactions and"
                            + " restores the last committed checkpoint");
            int restPort = freePort();
            Process second = startJob(kafka.bootstrapServers(), work, 2, restPort);
            committed = watch(client, produced, 3L * RECORDS / 4, second);

            System.out.printf(
                    "%n>>> stop with a savepoint (the REST call ./weir savepoint stop makes), %d results"
                            + " committed%n",
                    committed);
            String savepoint;
            try {
                savepoint =
                        SavepointCli.await(
                                new SavepointCli.Request(
                                        "http://127.0.0.1:" + restPort,
                                        true,
                                        Optional.empty(),
                                        Optional.empty(),
                                        Duration.ofMinutes(2)),
                                System.out);
            } catch (SavepointCli.Failure f) {
                throw new IllegalStateException("stop-with-savepoint failed: " + f.getMessage(), f);
            }
            second.waitFor(60, TimeUnit.SECONDS);
            System.out.printf(
                    "    savepoint: %s%n    the job process exited with %d%n",
                    savepoint, second.exitValue());
            System.out.println(
                    ">>> resume from it at parallelism 3: key groups are redistributed over three"
                            + " subtasks, Kafka partitions over three sources");
            Process third =
                    startJob(kafka.bootstrapServers(), work, 3, -1, "--from-savepoint", savepoint);
            List<ConsumerRecord<String, String>> output =
                    awaitComplete(client, produced, producer, expected, third);
            third.destroy();
            third.waitFor(60, TimeUnit.SECONDS);
            printJobLog(work);
            return verify(output, expected);
        } finally {
            dev.weir.internal.LocalCheckpointStorage.deleteTree(work);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process startJob(
            String bootstrap, Path work, int parallelism, int restPort, String... extra)
            throws IOException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx512m",
                                "-Dlog4j2.configurationFile=weir-log4j2.xml",
                                "-cp",
                                ChildClasspath.ofThisJvm(),
                                WeirMain.class.getName(),
                                "run",
                                "keyed-aggregate"));
        for (String kv :
                List.of(
                        "bootstrap.servers=" + bootstrap,
                        "job.name=" + JOB,
                        "input.topic=demo-input",
                        "output.topic=demo-output",
                        "parallelism=" + parallelism,
                        "rest.port=" + restPort,
                        "checkpoint.dir=" + work.resolve("checkpoints").toUri(),
                        "savepoint.dir=" + work.resolve("savepoints").toUri(),
                        "checkpoint.interval.ms=1000",
                        "state.local-dir=" + work.resolve("state"),
                        "sink.delivery=exactly-once",
                        "job.lock.session-timeout.ms=6000",
                        "source.start=earliest")) {
            cmd.add("--set");
            cmd.add(kv);
        }
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("job.log").toFile()))
                .start();
    }

    /**
     * Produces the input in steps of 10,000 records every 300 ms, so the job runs while it arrives.
     */
    private static void produceInput(
            KafkaTestClient client, Map<String, long[]> expected, AtomicLong produced) {
        Random random = new Random(42);
        List<Map.Entry<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            String key = "user-" + random.nextInt(KEYS);
            int amount = random.nextInt(100);
            synchronized (expected) {
                long[] e = expected.computeIfAbsent(key, k -> new long[2]);
                e[0]++;
                e[1] += amount;
            }
            batch.add(
                    new AbstractMap.SimpleEntry<>(
                            key, "{\"amount\":" + amount + ",\"note\":\"demo\"}"));
            if (batch.size() == 5_000) {
                client.produceStrings("demo-input", batch);
                produced.addAndGet(batch.size());
                batch.clear();
                try {
                    Thread.sleep(400);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        client.produceStrings("demo-input", batch);
        produced.addAndGet(batch.size());
    }

    private static long committedCount(KafkaTestClient client) {
        return client.readAllCommitted("demo-output", Duration.ofSeconds(30)).size();
    }

    /** Prints progress each second until {@code untilCommitted} results are committed. */
    private static long watch(
            KafkaTestClient client, AtomicLong produced, long untilCommitted, Process job)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        long last = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            if (!job.isAlive()) {
                throw new IllegalStateException("the job process exited early; see its log");
            }
            long committed = committedCount(client);
            System.out.printf(
                    "  input %7d   committed output %7d (+%d/s, read_committed)%n",
                    produced.get(), committed, committed - last);
            last = committed;
            if (committed >= untilCommitted) {
                return committed;
            }
        }
        throw new IllegalStateException("the demo job made no progress in 3 minutes");
    }

    private static List<ConsumerRecord<String, String>> awaitComplete(
            KafkaTestClient client,
            AtomicLong produced,
            Thread producer,
            Map<String, long[]> expected,
            Process job)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        long last = committedCount(client);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            List<ConsumerRecord<String, String>> output =
                    client.readAllCommitted("demo-output", Duration.ofSeconds(30));
            System.out.printf(
                    "  input %7d   committed output %7d (+%d/s, read_committed)%n",
                    produced.get(), output.size(), output.size() - last);
            last = output.size();
            if (!producer.isAlive() && output.size() >= RECORDS) {
                return output;
            }
            if (!job.isAlive()) {
                throw new IllegalStateException("the job process exited early; see its log");
            }
        }
        return client.readAllCommitted("demo-output", Duration.ofSeconds(30));
    }

    private static void printJobLog(Path work) throws IOException {
        System.out.println("from the job processes' logs:");
        for (String line : Files.readAllLines(work.resolve("job.log"))) {
            if (line.contains("restoring committed checkpoint")
                    || line.contains("restoring savepoint")
                    || line.contains("triggering savepoint")
                    || line.contains("last committed checkpoint")
                    || line.contains("running") && line.contains("subtasks at parallelism")) {
                System.out.println("  " + line.replaceAll("^\\S+ \\S+\\s+", ""));
            }
        }
        long checkpoints =
                Files.readAllLines(work.resolve("job.log")).stream()
                        .filter(l -> l.contains("completed in"))
                        .count();
        System.out.println("  … and " + checkpoints + " checkpoints completed and committed");
    }

    /** Exactly once: per key, the counts are 1..n in order and the last has the input's sum. */
    private static int verify(
            List<ConsumerRecord<String, String>> output, Map<String, long[]> expected) {
        long[] lostAndRepeated = lostAndRepeated(output, expected);
        long lost = lostAndRepeated[0];
        long repeated = lostAndRepeated[1];
        System.out.printf(
                "checked %d committed results for %d inputs over %d keys: %d lost, %d repeated%n",
                output.size(), RECORDS, expected.size(), lost, repeated);
        if (lost == 0 && repeated == 0 && output.size() == RECORDS) {
            System.out.printf(
                    "RESULT: OK — exactly once across a kill -9, a savepoint and a rescale: every key's"
                            + " counts run 1..n without a gap or a repeat, and its final count and"
                            + " sum match the input%n");
            return 0;
        }
        System.out.println("RESULT: MISMATCH — see above");
        return 1;
    }

    /**
     * Per key of {@code expected} (count, sum), how many updates the committed {@code output}
     * ({@code {"count":C,"sum":S}} values) lost and how many it repeated: the counts must run 1..n
     * in order and the last must carry the key's input count and sum.
     */
    static long[] lostAndRepeated(
            List<ConsumerRecord<String, String>> output, Map<String, long[]> expected) {
        Map<String, List<String>> perKey = new HashMap<>();
        for (ConsumerRecord<String, String> r : output) {
            perKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
        long lost = 0;
        long repeated = 0;
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            List<String> values = perKey.getOrDefault(e.getKey(), List.of());
            long previous = 0;
            for (String v : values) {
                long count = Long.parseLong(v.substring(9, v.indexOf(',')));
                if (count <= previous) {
                    repeated++;
                } else if (count > previous + 1) {
                    lost += count - previous - 1;
                }
                previous = Math.max(previous, count);
            }
            lost += Math.max(0, e.getValue()[0] - previous);
            String want = "{\"count\":" + e.getValue()[0] + ",\"sum\":" + e.getValue()[1] + "}";
            if (!values.isEmpty() && !values.get(values.size() - 1).equals(want)) {
                lost++;
            }
        }
        return new long[] {lost, repeated};
    }
}
