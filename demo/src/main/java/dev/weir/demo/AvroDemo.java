package dev.weir.demo;

import dev.weir.OutgoingHeaders;
import dev.weir.examples.AvroInput;
import dev.weir.examples.AvroTotalsSerde;
import dev.weir.examples.KeyedAggregate.Totals;
import dev.weir.launcher.WeirMain;
import dev.weir.serdes.avro.AvroRecordSerde;
import dev.weir.testkit.ChildClasspath;
import dev.weir.testkit.EmbeddedKafka;
import dev.weir.testkit.KafkaTestClient;
import dev.weir.testkit.SchemaRegistryServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code ./weir demo avro}: a Kafka broker in this JVM, a schema registry (Apicurio, child JVM) and
 * avro-aggregate with exactly-once output and {@code source.deserialization.error.policy=
 * dead-letter} in a third JVM. Input arrives in the Confluent wire format written with two writer
 * schemas (shop.Order with an int amount, pay.v2.Payment with a long one), with a few poison
 * records among it (a wrong magic byte, a schema id the registry never assigned). The demo kills
 * the job with SIGKILL mid-run and starts it again, then checks the committed output — per key the
 * counts run 1..n without a gap or a repeat and the last carries the key's count and sum — and that
 * the dead-letter topic holds exactly the poison records.
 */
final class AvroDemo {
    private static final int RECORDS = 60_000;
    private static final int KEYS = 500;
    private static final int BATCH = 2_000;
    private static final String JOB = "demo-avro-aggregate";
    private static final String IN = "avro-demo-input";
    private static final String OUT = "avro-demo-output";
    private static final String DLQ = "avro-demo-dead-letters";

    private AvroDemo() {}

    static int run() throws Exception {
        Path work = Files.createTempDirectory("weir-demo-avro-");
        System.out.println(
                "== Weir demo: avro-aggregate, exactly once across a kill -9, poison records to a"
                        + " dead-letter topic ==");
        System.out.println("starting a Kafka broker (KRaft, in this JVM) and a schema registry…");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Map.of());
                SchemaRegistryServer registry = SchemaRegistryServer.startPrivate();
                KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            System.out.println("  schema.registry.url=" + registry.url());
            client.createTopic(IN, 4);
            client.createTopic(OUT, 4);
            client.createTopic(DLQ, 1);
            Map<String, long[]> expected = new HashMap<>();
            Map<String, byte[]> poison = new LinkedHashMap<>();
            AtomicLong produced = new AtomicLong();
            Thread producer =
                    new Thread(
                            () -> produceInput(client, registry, expected, poison, produced),
                            "demo-avro-input");
            producer.start();

            Map<String, String> settings = settings(kafka.bootstrapServers(), registry, work);
            System.out.println(
                    "starting avro-aggregate in its own JVM: parallelism 2, sink.delivery=exactly-once,"
                            + " source.deserialization.error.policy=dead-letter");
            Process job = startJob(settings, work);
            long committed = watch(client, produced, RECORDS / 4, job);
            System.out.printf(
                    "%n>>> kill -9 %d (the job process) with %d results committed%n",
                    job.pid(), committed);
            job.destroyForcibly();
            job.waitFor(30, TimeUnit.SECONDS);
            System.out.println(
                    ">>> starting it again: it waits for the dead process's job lock to expire,"
                            + " aborts its open transactions and restores the last committed"
                            + " checkpoint");
            Process second = startJob(settings, work);
            producer.join();
            watch(client, produced, RECORDS, second);
            List<ConsumerRecord<String, String>> output = committedOutput(client, registry);
            List<ConsumerRecord<String, byte[]>> letters =
                    client.readAllCommittedBytes(DLQ, Duration.ofSeconds(30));
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
            return verify(output, expected, letters, poison);
        } finally {
            dev.weir.internal.LocalCheckpointStorage.deleteTree(work);
        }
    }

    private static Map<String, String> settings(
            String bootstrap, SchemaRegistryServer registry, Path work) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", bootstrap);
        s.put("schema.registry.url", registry.url());
        s.put("job.name", JOB);
        s.put("input.topic", IN);
        s.put("output.topic", OUT);
        s.put("parallelism", "2");
        s.put("checkpoint.dir", work.resolve("checkpoints").toUri().toString());
        s.put("checkpoint.interval.ms", "1000");
        s.put("state.local-dir", work.resolve("state").toString());
        s.put("sink.delivery", "exactly-once");
        s.put("job.lock.session-timeout.ms", "6000");
        s.put("source.start", "earliest");
        s.put("source.deserialization.error.policy", "dead-letter");
        s.put("source.dead-letter.topic", DLQ);
        return s;
    }

    private static Process startJob(Map<String, String> settings, Path work) throws IOException {
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
                                "avro-aggregate"));
        settings.forEach(
                (k, v) -> {
                    cmd.add("--set");
                    cmd.add(k + "=" + v);
                });
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("job.log").toFile()))
                .start();
    }

    /**
     * Produces the input in batches every 300 ms, alternating the writer schemas batch by batch,
     * and after every fifth batch a poison record: a wrong magic byte or an id never assigned.
     */
    private static void produceInput(
            KafkaTestClient client,
            SchemaRegistryServer registry,
            Map<String, long[]> expected,
            Map<String, byte[]> poison,
            AtomicLong produced) {
        Random random = new Random(42);
        OutgoingHeaders headers = OutgoingHeaders.of(List.of());
        AvroRecordSerde<GenericRecord> writer =
                AvroRecordSerde.generic().configured(registry.clientConfig(), false);
        try {
            List<ProducerRecord<String, byte[]>> batch = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                Schema schema = (i / BATCH) % 2 == 0 ? AvroInput.ORDER : AvroInput.PAYMENT;
                String key = "user-" + random.nextInt(KEYS);
                long amount = random.nextInt(100);
                synchronized (expected) {
                    long[] e = expected.computeIfAbsent(key, k -> new long[2]);
                    e[0]++;
                    e[1] += amount;
                }
                byte[] value = writer.serialize(IN, headers, AvroInput.record(schema, amount, i));
                batch.add(new ProducerRecord<>(IN, key, value));
                if (batch.size() == BATCH) {
                    if ((i / BATCH) % 5 == 4) {
                        batch.add(poisonRecord(value, poison));
                    }
                    client.produceBytes(batch);
                    produced.addAndGet(BATCH);
                    batch.clear();
                    Thread.sleep(300);
                }
            }
            client.produceBytes(batch);
            produced.addAndGet(batch.size());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } finally {
            writer.close();
        }
    }

    private static ProducerRecord<String, byte[]> poisonRecord(
            byte[] good, Map<String, byte[]> poison) {
        byte[] bad = good.clone();
        String name;
        if (poison.size() % 2 == 0) {
            bad[0] = 1;
            name = "poison-" + poison.size() + "-wrong-magic-byte";
        } else {
            bad[1] = 0x7f;
            name = "poison-" + poison.size() + "-unknown-schema-id";
        }
        synchronized (poison) {
            poison.put(name, bad);
        }
        return new ProducerRecord<>(IN, name, bad);
    }

    /** The committed output, values decoded from Avro as {@code {"count":C,"sum":S}}. */
    private static List<ConsumerRecord<String, String>> committedOutput(
            KafkaTestClient client, SchemaRegistryServer registry) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        AvroTotalsSerde totals = new AvroTotalsSerde();
        totals.configure(registry.clientConfig(), false);
        try {
            for (ConsumerRecord<String, byte[]> r :
                    client.readAllCommittedBytes(OUT, Duration.ofSeconds(30))) {
                Totals t = totals.deserialize(OUT, List.of(), r.value());
                out.add(
                        new ConsumerRecord<>(
                                r.topic(),
                                r.partition(),
                                r.offset(),
                                r.key(),
                                "{\"count\":" + t.count() + ",\"sum\":" + t.sum() + "}"));
            }
        } finally {
            totals.close();
        }
        return out;
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
            long committed = client.readAllCommittedBytes(OUT, Duration.ofSeconds(30)).size();
            System.out.printf(
                    "  input %6d   committed output %6d (+%d/s, read_committed)%n",
                    produced.get(), committed, committed - last);
            last = committed;
            if (committed >= untilCommitted) {
                return committed;
            }
        }
        throw new IllegalStateException("the demo job made no progress in 3 minutes");
    }

    private static int verify(
            List<ConsumerRecord<String, String>> output,
            Map<String, long[]> expected,
            List<ConsumerRecord<String, byte[]>> letters,
            Map<String, byte[]> poison) {
        long[] lostAndRepeated = Demo.lostAndRepeated(output, expected);
        System.out.printf(
                "checked %d committed results for %d inputs over %d keys: %d lost, %d repeated%n",
                output.size(), RECORDS, expected.size(), lostAndRepeated[0], lostAndRepeated[1]);
        Map<String, String> deadLetters = new LinkedHashMap<>();
        boolean lettersIntact = letters.size() == poison.size();
        for (ConsumerRecord<String, byte[]> r : letters) {
            var message = r.headers().lastHeader("__weir.errors.message");
            deadLetters.put(
                    r.key(),
                    message == null
                            ? "(no header)"
                            : new String(message.value(), StandardCharsets.UTF_8));
            lettersIntact &= java.util.Arrays.equals(poison.get(r.key()), r.value());
        }
        System.out.printf("dead-letter topic %s: %d records%n", DLQ, letters.size());
        deadLetters.forEach(
                (key, message) ->
                        System.out.printf(
                                "  %s: %s%n",
                                key,
                                message.length() > 140
                                        ? message.substring(0, 140) + "…"
                                        : message));
        if (lostAndRepeated[0] == 0
                && lostAndRepeated[1] == 0
                && output.size() == RECORDS
                && lettersIntact
                && deadLetters.keySet().equals(poison.keySet())) {
            System.out.printf(
                    "RESULT: OK — exactly once across a kill -9 with Avro input of two writer"
                            + " schemas: every key's counts run 1..n without a gap or a repeat, its"
                            + " final count and sum match the input, and the %d poison records are"
                            + " in the dead-letter topic, once each and unchanged%n",
                    poison.size());
            return 0;
        }
        System.out.println("RESULT: MISMATCH — see above");
        return 1;
    }
}
