package dev.weir.benchmarks;

import dev.weir.testkit.KafkaBrokerProcess;
import dev.weir.testkit.KafkaTestClient;
import dev.weir.testkit.SchemaRegistryServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The throughput and latency benchmark. One broker in a process of its own; one generated input
 * topic (4 partitions) produced once; then each contender, one after the other, in a JVM of its own
 * on that same input with its own output topic and ids, timed from its start until an independent
 * read_committed consumer has seen one output per input. Then, per contender, a paced phase on
 * fresh topics measures end-to-end latency. Prints Markdown tables.
 *
 * <p>Usage: {@code EndToEnd [N] [K] [--small] [--zipf] [--no-latency] [--latency-rate R]
 * [--latency-seconds S] [--only id,id…] [--rounds R] [--interval-ms I]}; contender ids: pipe,
 * weir-eos, weir-alo, streams (and, only when named, weir-eos-nostate: {@link KeyedPassThrough},
 * and weir-avro: avro-aggregate on the same records with Avro values, {@link AvroValues}). With
 * {@code --rounds R} the contenders run R times in turn on the same input, and a summary gives the
 * median of each one's ratios to the pipe of the same round: on a shared machine single runs move
 * by ±20 %. {@code --interval-ms} is every contender's commit interval (default {@value
 * Contender#DEFAULT_INTERVAL_MS}): the pipe's transactions, Weir's {@code checkpoint.interval.ms},
 * Kafka Streams' {@code commit.interval.ms}; under exactly-once it is the latency floor.
 */
public final class EndToEnd {
    static final int PARTITIONS = 4;
    private static final String INPUT = "bench-in";

    /** The same records with Avro values, for the {@link Contender#avro()} contenders. */
    private static final String AVRO_INPUT = "bench-in-avro";

    private static final int WARMUP_RECORDS = 200;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);

    private EndToEnd() {}

    /** What to run. */
    record Options(
            int records,
            int keys,
            Workload.Distribution distribution,
            boolean latency,
            int latencyRate,
            int latencySeconds,
            List<Contender> contenders,
            int rounds,
            long intervalMs) {

        private static void notWindowed(Contender c) {
            if (c.windowed()) {
                throw new IllegalArgumentException(
                        c.id + " runs in the window mode: benchmarks/run.sh window --only " + c.id);
            }
        }

        static Options parse(List<String> args) {
            List<Integer> numbers = new ArrayList<>();
            boolean small = false;
            boolean latency = true;
            Workload.Distribution dist = Workload.Distribution.UNIFORM;
            int rate = 2_000;
            Integer seconds = null;
            int rounds = 1;
            long interval = Contender.DEFAULT_INTERVAL_MS;
            List<Contender> contenders = Contender.defaults();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--small" -> small = true;
                    case "--zipf" -> dist = Workload.Distribution.ZIPF;
                    case "--uniform" -> dist = Workload.Distribution.UNIFORM;
                    case "--no-latency" -> latency = false;
                    case "--latency-rate" -> rate = Integer.parseInt(args.get(++i));
                    case "--latency-seconds" -> seconds = Integer.parseInt(args.get(++i));
                    case "--rounds" -> rounds = Integer.parseInt(args.get(++i));
                    case "--interval-ms" -> interval = Long.parseLong(args.get(++i));
                    case "--only" ->
                            contenders =
                                    Arrays.stream(args.get(++i).split(","))
                                            .map(Contender::byId)
                                            .peek(Options::notWindowed)
                                            .toList();
                    default -> {
                        if (!a.matches("[0-9_]+")) {
                            throw new IllegalArgumentException("unknown argument '" + a + "'");
                        }
                        numbers.add(Integer.parseInt(a.replace("_", "")));
                    }
                }
            }
            int n = numbers.size() > 0 ? numbers.get(0) : small ? 100_000 : 2_000_000;
            int k = numbers.size() > 1 ? numbers.get(1) : small ? 10_000 : 100_000;
            int s = seconds != null ? seconds : small ? 5 : 10;
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be at least 1");
            }
            if (interval < 1) {
                throw new IllegalArgumentException("--interval-ms must be at least 1");
            }
            return new Options(n, k, dist, latency, rate, s, contenders, rounds, interval);
        }
    }

    /** One contender's throughput run. */
    record Throughput(
            Contender contender,
            int round,
            long wallNanos,
            long firstOutputNanos,
            long cpuNanos,
            long peakRssBytes,
            long brokerCpuNanos,
            long harnessCpuNanos,
            long outputs,
            String check,
            long registryRequests,
            /** {@link ChildJvm#cpuByThread} at the end of the run. */
            String cpuByThread) {
        boolean ok() {
            return check.startsWith("OK");
        }
    }

    /** One contender's paced latency run, in milliseconds. */
    record Latency(
            Contender contender,
            int rate,
            long records,
            Percentiles millis,
            long startupCpuNanos) {}

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(List.of(args));
        Report report = run(o, System.out);
        System.exit(report.allOk() ? 0 : 1);
    }

    /** Runs everything {@code o} asks for, printing progress and the tables to {@code out}. */
    static Report run(Options o, PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("weir-bench-");
        long start = System.nanoTime();
        Report report = new Report(o, Machine.describe());
        out.println("load average before the run: " + Machine.loadAverage());
        out.printf(
                "machine: %s%nworkload: N=%,d records, K=%,d keys (%s), %d partitions, %d-byte"
                        + " values; commit interval %d ms; work dir %s%n",
                report.machine(),
                o.records(),
                o.keys(),
                o.distribution().name().toLowerCase(),
                PARTITIONS,
                Workload.VALUE_BYTES,
                o.intervalMs(),
                work);
        boolean ok = false;
        boolean avro = o.contenders().stream().anyMatch(Contender::avro);
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
                KafkaTestClient client = new KafkaTestClient(broker.bootstrapServers());
                Registry registry = Registry.startIf(avro, out)) {
            String bootstrap = broker.bootstrapServers();
            BrokerWarmup.run(bootstrap, client);
            client.createTopic(INPUT, PARTITIONS);
            Workload w = new Workload(o.records(), o.keys(), o.distribution(), 42);
            if (avro) {
                client.createTopic(AVRO_INPUT, PARTITIONS);
                try (AvroValues values = new AvroValues(registry.url(), AVRO_INPUT)) {
                    long nanos = w.produce(bootstrap, AVRO_INPUT, values);
                    out.printf("produced the Avro input in %.1f s%n", nanos / 1e9);
                }
            }
            long produceNanos = w.produce(bootstrap, INPUT);
            out.printf(
                    "produced %,d records over %,d distinct keys in %.1f s%n",
                    o.records(), w.distinctKeys(), produceNanos / 1e9);
            warmUpBroker(bootstrap, client, work, INPUT, o.records(), o.intervalMs());
            for (int round = 1; round <= o.rounds(); round++) {
                for (Contender c : o.contenders()) {
                    Throughput t = throughput(c, round, w, o, bootstrap, client, registry, work);
                    report.add(t);
                    out.printf(
                            "  %s%-45s %6.1f s  %,9.0f records/s  CPU %.1f µs/record  RSS %d MB"
                                    + "  %s%n",
                            o.rounds() > 1 ? "round " + round + ": " : "",
                            c.title,
                            t.wallNanos() / 1e9,
                            o.records() / (t.wallNanos() / 1e9),
                            t.cpuNanos() / 1e3 / o.records(),
                            t.peakRssBytes() >> 20,
                            t.check());
                    if (!t.cpuByThread().isEmpty()) {
                        out.printf("    CPU by thread: %s%n", t.cpuByThread());
                    }
                    if (t.registryRequests() >= 0) {
                        out.printf(
                                "    schema registry requests during the run: %d for %,d"
                                        + " records%n",
                                t.registryRequests(), o.records());
                    }
                }
            }
            if (o.latency()) {
                for (Contender c : o.contenders()) {
                    if (c.avro()) {
                        out.printf("  latency %-37s not measured (JSON input only)%n", c.title);
                        continue;
                    }
                    Latency l = latency(c, o, bootstrap, client, work);
                    report.add(l);
                    out.printf(
                            "  latency %-37s p50 %d ms, p99 %d ms, max %d ms (%d records)%n",
                            c.title,
                            l.millis().at(50),
                            l.millis().at(99),
                            l.millis().max(),
                            l.records());
                }
            }
            report.print(out);
            out.printf("total time of the run: %.0f s%n", (System.nanoTime() - start) / 1e9);
            ok = report.allOk();
        } finally {
            WorkDir.finish(work, ok, out);
        }
        return report;
    }

    /**
     * Runs the raw pipe, unmeasured, over the whole input, so the broker's JIT has compiled its
     * produce, fetch and transaction paths, and the input is in the page cache, before the first
     * measured contender. (A pass over a tenth of the input left the first measured pipe run 20–35
     * % slower than later ones.)
     */
    static void warmUpBroker(
            String bootstrap,
            KafkaTestClient client,
            Path work,
            String input,
            long outputs,
            long intervalMs)
            throws Exception {
        client.createTopic("warmup-out", PARTITIONS);
        try (OutputReader reader =
                        OutputReader.start(
                                bootstrap,
                                "warmup-out",
                                true,
                                Optional.empty(),
                                outputs,
                                OutputCheck.none());
                ChildJvm pipe =
                        Contender.PIPE.start(
                                bootstrap,
                                input,
                                "warmup-out",
                                "warmup",
                                work,
                                Optional.empty(),
                                intervalMs)) {
            reader.awaitTarget(RUN_TIMEOUT, pipe);
        }
    }

    private static Throughput throughput(
            Contender c,
            int round,
            Workload w,
            Options o,
            String bootstrap,
            KafkaTestClient client,
            Registry registry,
            Path work)
            throws Exception {
        String suffix = c.id + (round > 1 ? "-" + round : "");
        String output = "out-" + suffix;
        client.createTopic(output, PARTITIONS);
        long brokerPid = ProcStats.brokerPid().orElseThrow();
        long self = ProcessHandle.current().pid();
        OutputCheck check = c.newCheck();
        try (OutputReader reader =
                OutputReader.start(bootstrap, output, true, Optional.empty(), w.records(), check)) {
            long broker0 = ProcStats.cpuNanos(brokerPid).orElse(0L);
            long self0 = ProcStats.cpuNanos(self).orElse(0L);
            int requests0 = c.avro() ? registry.requests() : 0;
            ChildJvm child =
                    c.start(
                            bootstrap,
                            c.avro() ? AVRO_INPUT : INPUT,
                            output,
                            "tp-" + suffix,
                            work,
                            c.avro() ? Optional.of(registry.url()) : Optional.empty(),
                            o.intervalMs());
            try {
                long reached = reader.awaitTarget(RUN_TIMEOUT, child);
                long cpu = child.cpuNanos();
                String cpuByThread = child.cpuByThread();
                long rss = child.peakRssBytes();
                long brokerCpu = ProcStats.cpuNanos(brokerPid).orElse(0L) - broker0;
                long selfCpu = ProcStats.cpuNanos(self).orElse(0L) - self0;
                child.stop(Duration.ofSeconds(60));
                if (!reader.drain(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("could not read " + output + " to its end");
                }
                long requests = c.avro() ? registry.requests() - requests0 : -1;
                String verdict = check.verify(w);
                long outputs = reader.count();
                if (verdict.equals("OK") && outputs != w.records()) {
                    verdict =
                            c.exactlyOnce
                                    ? "MISMATCH: "
                                            + outputs
                                            + " outputs for "
                                            + w.records()
                                            + " inputs"
                                    : "OK (" + (outputs - w.records()) + " duplicates)";
                }
                return new Throughput(
                        c,
                        round,
                        reached - child.startNanos(),
                        reader.firstNanos() - child.startNanos(),
                        cpu,
                        rss,
                        brokerCpu,
                        selfCpu,
                        outputs,
                        verdict,
                        requests,
                        cpuByThread);
            } finally {
                child.stop(Duration.ofSeconds(60));
            }
        }
    }

    /**
     * A fresh run of {@code c} on new topics: warm-up records until its first output is visible,
     * then {@code rate} records/s for the configured seconds, stamped when sent; latency is the
     * time until each output is visible to read_committed, minus that stamp.
     */
    private static Latency latency(
            Contender c, Options o, String bootstrap, KafkaTestClient client, Path work)
            throws Exception {
        String input = "lat-in-" + c.id;
        String output = "lat-out-" + c.id;
        client.createTopic(input, PARTITIONS);
        client.createTopic(output, PARTITIONS);
        long paced = (long) o.latencyRate() * o.latencySeconds();
        Workload.KeySampler keys =
                new Workload.KeySampler(o.keys(), o.distribution(), new Random(7));
        Random amounts = new Random(8);
        try (OutputReader reader =
                        OutputReader.start(
                                bootstrap,
                                output,
                                true,
                                Optional.empty(),
                                WARMUP_RECORDS + paced,
                                OutputCheck.none());
                KafkaProducer<byte[], byte[]> producer = Workload.producer(bootstrap, "0")) {
            ChildJvm child =
                    c.start(
                            bootstrap,
                            input,
                            output,
                            "lat-" + c.id,
                            work,
                            Optional.empty(),
                            o.intervalMs());
            try {
                for (int i = 0; i < WARMUP_RECORDS; i++) {
                    producer.send(
                            new ProducerRecord<>(
                                    input, Workload.key(keys.next()), Workload.value(1, i)));
                }
                producer.flush();
                reader.awaitCount(WARMUP_RECORDS, Duration.ofMinutes(2), child);
                long startupCpu = child.cpuNanos();
                reader.recordLatencyFrom(System.currentTimeMillis());
                Pacer.run(
                        producer,
                        o.latencyRate(),
                        o.latencySeconds(),
                        seq ->
                                new ProducerRecord<>(
                                        input,
                                        null,
                                        System.currentTimeMillis(),
                                        Workload.key(keys.next()),
                                        Workload.value(amounts.nextInt(1000), seq)));
                reader.awaitTarget(Duration.ofMinutes(2), child);
                return new Latency(
                        c,
                        o.latencyRate(),
                        paced,
                        new Percentiles(reader.latenciesMillis()),
                        startupCpu);
            } finally {
                child.stop(Duration.ofSeconds(60));
            }
        }
    }

    /** The run's schema registry (the testkit's), when an Avro contender runs. */
    private static final class Registry implements AutoCloseable {
        private final SchemaRegistryServer server;

        private Registry(SchemaRegistryServer server) {
            this.server = server;
        }

        static Registry startIf(boolean needed, PrintStream out) {
            if (!needed) {
                return new Registry(null);
            }
            out.println("starting a schema registry (Apicurio, a JVM of its own)…");
            return new Registry(SchemaRegistryServer.startPrivate());
        }

        String url() {
            return server.url();
        }

        /** Requests the server has logged so far, the harness's own probes excluded. */
        int requests() {
            return server.requests().size();
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }
}
