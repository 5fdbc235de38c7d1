package dev.weir.benchmarks;

import dev.weir.CheckpointStats;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.examples.KeyedAggregate;
import dev.weir.testkit.KafkaBrokerProcess;
import dev.weir.testkit.KafkaTestClient;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Runs, one after the other on the same input and the same broker (a separate process): a raw
 * consume→produce pipe (the physical-limit proxy) and keyed-aggregate at parallelism 2 with
 * at-least-once output and a checkpoint every second. Each run is timed from its start until an
 * independent consumer has seen all N outputs. Prints records/s, the ratio to the pipe, CPU per
 * record of this JVM, checkpoint figures, and whether keyed-aggregate's final results are correct.
 */
public final class EndToEnd {
    private static final int PARTITIONS = 4;

    private EndToEnd() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Path work = Files.createTempDirectory("weir-bench-");
        System.out.printf(
                "machine: %d cores, JVM %s; N=%d records, K=%d keys, %d partitions%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                n,
                keys,
                PARTITIONS);
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
                KafkaTestClient client = new KafkaTestClient(broker.bootstrapServers())) {
            client.createTopic("bench-in", PARTITIONS);
            client.createTopic("pipe-out", PARTITIONS);
            client.createTopic("weir-out", PARTITIONS);
            client.createTopic("weir-eos-out", PARTITIONS);
            Map<String, long[]> expected = produce(broker.bootstrapServers(), n, keys);

            Result pipe =
                    measure(
                            "raw pipe (consume->produce)",
                            broker.bootstrapServers(),
                            "pipe-out",
                            n,
                            () -> rawPipe(broker.bootstrapServers(), n));
            RunningJob[] alo = new RunningJob[1];
            Result weir =
                    measure(
                            "weir keyed-aggregate P=2 at-least-once",
                            broker.bootstrapServers(),
                            "weir-out",
                            n,
                            () -> {
                                alo[0] =
                                        startWeir(
                                                broker.bootstrapServers(),
                                                work,
                                                "bench-alo",
                                                "weir-out",
                                                "at-least-once");
                                return alo[0]::stop;
                            });
            RunningJob[] eos = new RunningJob[1];
            Result weirEos =
                    measure(
                            "weir keyed-aggregate P=2 exactly-once",
                            broker.bootstrapServers(),
                            "weir-eos-out",
                            n,
                            () -> {
                                eos[0] =
                                        startWeir(
                                                broker.bootstrapServers(),
                                                work,
                                                "bench-eos",
                                                "weir-eos-out",
                                                "exactly-once");
                                return eos[0]::stop;
                            });
            boolean ok =
                    verify(client, "weir-out", expected)
                            && verify(client, "weir-eos-out", expected);
            System.out.println();
            System.out.printf(
                    "%-42s %12s %10s %14s%n", "run", "records/s", "vs pipe", "CPU µs/record");
            for (Result r : List.of(pipe, weir, weirEos)) {
                System.out.printf(
                        "%-42s %12.0f %10.2f %14.1f%n",
                        r.name,
                        r.recordsPerSecond(),
                        r.recordsPerSecond() / pipe.recordsPerSecond(),
                        r.cpuMicrosPerRecord());
            }
            printCheckpoints("at-least-once", alo[0]);
            printCheckpoints("exactly-once", eos[0]);
            System.out.println(
                    "keyed-aggregate final count and sum per key: " + (ok ? "OK" : "MISMATCH"));
            if (!ok) {
                System.exit(1);
            }
        } finally {
            dev.weir.internal.LocalCheckpointStorage.deleteTree(work);
        }
    }

    private static void printCheckpoints(String name, RunningJob job) {
        List<CheckpointStats> cps =
                job.checkpoints().stream()
                        .filter(c -> c.status() == CheckpointStats.Status.COMPLETED)
                        .toList();
        System.out.printf(
                "%s checkpoints: %d; duration p50 %d ms, max %d ms; sync pause max %d ms;"
                        + " alignment max %d ms; commit max %d ms; size of last %d KiB%n",
                name,
                cps.size(),
                percentile(cps, 50, CheckpointStats::durationMillis),
                percentile(cps, 100, CheckpointStats::durationMillis),
                percentile(cps, 100, CheckpointStats::syncMillis),
                percentile(cps, 100, CheckpointStats::alignmentMillis),
                percentile(cps, 100, CheckpointStats::commitMillis),
                cps.isEmpty() ? 0 : cps.get(cps.size() - 1).sizeBytes() / 1024);
    }

    private static long percentile(
            List<CheckpointStats> cps,
            int p,
            java.util.function.ToLongFunction<CheckpointStats> f) {
        if (cps.isEmpty()) {
            return 0;
        }
        long[] v = cps.stream().mapToLong(f).sorted().toArray();
        return v[Math.min(v.length - 1, (int) Math.ceil(p / 100.0 * v.length) - 1)];
    }

    private static Map<String, long[]> produce(String bootstrap, int n, int keys) throws Exception {
        Map<String, long[]> expected = new HashMap<>();
        Random random = new Random(1);
        Map<String, Object> props =
                Map.of(
                        "bootstrap.servers",
                        bootstrap,
                        "acks",
                        "all",
                        "linger.ms",
                        "20",
                        "batch.size",
                        "262144");
        String pad = "x".repeat(60);
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                String key = "user-" + random.nextInt(keys);
                int amount = random.nextInt(1000);
                long[] e = expected.computeIfAbsent(key, k -> new long[2]);
                e[0]++;
                e[1] += amount;
                String value =
                        "{\"amount\":" + amount + ",\"seq\":" + i + ",\"pad\":\"" + pad + "\"}";
                p.send(new ProducerRecord<>("bench-in", key.getBytes(), value.getBytes()));
            }
            p.flush();
        }
        return expected;
    }

    interface Run {
        AutoCloseable start() throws Exception;
    }

    record Result(String name, long records, long nanos, long cpuNanos) {
        double recordsPerSecond() {
            return records / (nanos / 1e9);
        }

        double cpuMicrosPerRecord() {
            return cpuNanos / 1e3 / records;
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Result measure(String name, String bootstrap, String outTopic, int n, Run run)
            throws Exception {
        System.out.println("running: " + name);
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        try (AutoCloseable running = run.start()) {
            awaitCount(bootstrap, outTopic, n);
            long t1 = System.nanoTime();
            long cpu1 = processCpuNanos();
            return new Result(name, n, t1 - t0, cpu1 - cpu0);
        }
    }

    private static void awaitCount(String bootstrap, String topic, int n) {
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        Map.of(
                                "bootstrap.servers",
                                bootstrap,
                                "isolation.level",
                                "read_committed",
                                "fetch.min.bytes",
                                "65536",
                                "fetch.max.wait.ms",
                                "100"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                parts.add(new TopicPartition(topic, i));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            long seen = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (seen < n) {
                seen += c.poll(Duration.ofMillis(200)).count();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "only " + seen + " of " + n + " outputs on " + topic);
                }
            }
        }
    }

    /** consume → produce with no state: the cost of moving records through Kafka clients alone. */
    private static AutoCloseable rawPipe(String bootstrap, int n) {
        AtomicBoolean stop = new AtomicBoolean();
        Thread t =
                new Thread(
                        () -> {
                            try (KafkaConsumer<byte[], byte[]> c =
                                            new KafkaConsumer<>(
                                                    Map.of(
                                                            "bootstrap.servers",
                                                            bootstrap,
                                                            "isolation.level",
                                                            "read_committed"),
                                                    new ByteArrayDeserializer(),
                                                    new ByteArrayDeserializer());
                                    KafkaProducer<byte[], byte[]> p =
                                            new KafkaProducer<>(
                                                    Map.of(
                                                            "bootstrap.servers",
                                                            bootstrap,
                                                            "acks",
                                                            "all",
                                                            "linger.ms",
                                                            "5"),
                                                    new ByteArraySerializer(),
                                                    new ByteArraySerializer())) {
                                List<TopicPartition> parts = new ArrayList<>();
                                for (int i = 0; i < PARTITIONS; i++) {
                                    parts.add(new TopicPartition("bench-in", i));
                                }
                                c.assign(parts);
                                c.seekToBeginning(parts);
                                while (!stop.get()) {
                                    for (ConsumerRecord<byte[], byte[]> r :
                                            c.poll(Duration.ofMillis(100))) {
                                        p.send(
                                                new ProducerRecord<>(
                                                        "pipe-out", r.key(), r.value()));
                                    }
                                }
                                p.flush();
                            }
                        },
                        "raw-pipe");
        t.start();
        return () -> {
            stop.set(true);
            t.join();
        };
    }

    private static RunningJob startWeir(
            String bootstrap, Path work, String name, String out, String delivery) {
        WeirConfig c =
                WeirConfig.of(
                        Map.of(
                                "job.name",
                                name,
                                "bootstrap.servers",
                                bootstrap,
                                "input.topic",
                                "bench-in",
                                "output.topic",
                                out,
                                "parallelism",
                                "2",
                                "checkpoint.dir",
                                work.resolve("chk").toUri().toString(),
                                "checkpoint.interval.ms",
                                "1000",
                                "state.local-dir",
                                work.resolve("state").toString(),
                                "source.start",
                                "earliest",
                                "sink.delivery",
                                delivery));
        return Weir.start(new KeyedAggregate().create(c), c);
    }

    private static boolean verify(
            KafkaTestClient client, String topic, Map<String, long[]> expected) {
        Map<String, String> last = new HashMap<>();
        for (ConsumerRecord<String, String> r :
                client.readAllCommitted(topic, Duration.ofMinutes(2))) {
            last.put(r.key(), r.value());
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            if (!("{\"count\":" + e.getValue()[0] + ",\"sum\":" + e.getValue()[1] + "}")
                    .equals(last.get(e.getKey()))) {
                return false;
            }
        }
        return last.size() == expected.size();
    }
}
