package dev.weir.benchmarks;

import dev.weir.testkit.KafkaBrokerProcess;
import dev.weir.testkit.KafkaTestClient;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Checkpoint and recovery figures of Weir at a given size of keyed state, with {@link
 * StateHeavyJob} (P=2, checkpoint every second) in a child JVM:
 *
 * <ol>
 *   <li>fill: one record per key, {@code MB·2^20 / value-bytes} keys, so the job builds about MB of
 *       state;
 *   <li>steady: updates of random keys at a fixed rate for some seconds; the completed checkpoints
 *       of that window (parsed from the child's log) give the synchronous pause and duration at
 *       that state size, and the outputs give end-to-end latency;
 *   <li>recovery: SIGKILL, more input, wait until the crashed process's job lock expired, start a
 *       new process and time its milestones until its first output, then check every key's final
 *       count.
 * </ol>
 *
 * <p>Usage: {@code StateBench [MB=100] [--value-bytes B] [--steady-seconds S] [--update-rate R]
 * [--delivery exactly-once|at-least-once]}
 */
public final class StateBench {
    private static final String INPUT = "state-in";
    private static final String OUTPUT = "state-out";
    private static final String JOB = "state-job";
    private static final int RECOVERY_RECORDS = 1_000;

    private StateBench() {}

    /** What to run. */
    record Options(
            int megabytes,
            int valueBytes,
            int steadySeconds,
            int updateRate,
            String delivery,
            long intervalMs) {
        static Options parse(List<String> args) {
            int mb = 100;
            int valueBytes = 1024;
            int seconds = 30;
            int rate = 2_000;
            String delivery = "exactly-once";
            long interval = Contender.DEFAULT_INTERVAL_MS;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--value-bytes" -> valueBytes = Integer.parseInt(args.get(++i));
                    case "--steady-seconds" -> seconds = Integer.parseInt(args.get(++i));
                    case "--update-rate" -> rate = Integer.parseInt(args.get(++i));
                    case "--delivery" -> delivery = args.get(++i);
                    case "--interval-ms" -> interval = Long.parseLong(args.get(++i));
                    default -> {
                        if (!a.matches("[0-9]+")) {
                            throw new IllegalArgumentException("unknown argument '" + a + "'");
                        }
                        mb = Integer.parseInt(a);
                    }
                }
            }
            if (interval < 1) {
                throw new IllegalArgumentException("--interval-ms must be at least 1");
            }
            return new Options(mb, valueBytes, seconds, rate, delivery, interval);
        }

        int keys() {
            return (int) (((long) megabytes << 20) / valueBytes);
        }
    }

    public static void main(String[] args) throws Exception {
        boolean ok = run(Options.parse(List.of(args)), System.out);
        System.exit(ok ? 0 : 1);
    }

    static boolean run(Options o, PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("weir-bench-state-");
        long start = System.nanoTime();
        int keys = o.keys();
        out.println("load average before the run: " + Machine.loadAverage());
        out.printf(
                "machine: %s%nstate: %,d keys x %,d bytes = %,d MB of values, %s, checkpoints every"
                        + " %d ms; work dir %s%n",
                Machine.describe(),
                keys,
                o.valueBytes(),
                ((long) keys * o.valueBytes()) >> 20,
                o.delivery(),
                o.intervalMs(),
                work);
        boolean ok = false;
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
                KafkaTestClient client = new KafkaTestClient(broker.bootstrapServers())) {
            String bootstrap = broker.bootstrapServers();
            BrokerWarmup.run(bootstrap, client);
            client.createTopic(INPUT, EndToEnd.PARTITIONS);
            client.createTopic(OUTPUT, EndToEnd.PARTITIONS);
            ok = new Run(o, bootstrap, client, work, out).run();
            out.printf("total time of the run: %.0f s%n", (System.nanoTime() - start) / 1e9);
        } finally {
            WorkDir.finish(work, ok, out);
        }
        return ok;
    }

    /** One invocation's state: the expected count per key, the reader of all outputs. */
    private static final class Run {
        private final Options o;
        private final String bootstrap;
        private final KafkaTestClient client;
        private final Path work;
        private final PrintStream out;
        private final long[] counts;
        private final Random random = new Random(3);
        private long produced;
        private long restoredBytes;

        Run(Options o, String bootstrap, KafkaTestClient client, Path work, PrintStream out) {
            this.o = o;
            this.bootstrap = bootstrap;
            this.client = client;
            this.work = work;
            this.out = out;
            this.counts = new long[o.keys()];
        }

        boolean run() throws Exception {
            int keys = counts.length;
            long t0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> p = Workload.producer(bootstrap, "20")) {
                for (int i = 0; i < keys; i++) {
                    p.send(record(i, System.currentTimeMillis()));
                }
                p.flush();
            }
            out.printf(
                    "fill: produced %,d records in %.1f s%n", keys, (System.nanoTime() - t0) / 1e9);
            StateCheck check = new StateCheck(keys);
            try (OutputReader reader =
                    OutputReader.start(bootstrap, OUTPUT, true, Optional.empty(), keys, check)) {
                ChildJvm first = startJob("state-1");
                try {
                    long filled = reader.awaitTarget(Duration.ofMinutes(30), first);
                    out.printf(
                            "fill: %,d records through the job in %.1f s (first output after %.1f s);"
                                    + " %d checkpoints so far; local state dir %,d MB%n",
                            keys,
                            (filled - first.startNanos()) / 1e9,
                            (reader.firstNanos() - first.startNanos()) / 1e9,
                            CheckpointLog.completed(first.logText()).size(),
                            WorkDir.size(stateDir()) >> 20);
                    steady(reader, first, CheckpointLog.completed(first.logText()));
                } finally {
                    first.kill();
                }
                Thread.sleep(200); // requests the killed process had sent may still land
                recover(reader, logEndOffsets());
                if (!reader.drain(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("could not read " + OUTPUT + " to its end");
                }
                String verdict = check.verify(counts);
                if (verdict.equals("OK")
                        && o.delivery().equals("exactly-once")
                        && reader.count() != produced) {
                    verdict =
                            "MISMATCH: " + reader.count() + " outputs for " + produced + " inputs";
                }
                out.println("final count per key after the recovery: " + verdict);
                return verdict.startsWith("OK");
            }
        }

        private ProducerRecord<byte[], byte[]> record(int key, long timestamp) {
            counts[key]++;
            produced++;
            return new ProducerRecord<>(
                    INPUT, null, timestamp, StateHeavyJob.keyBytes(key), new byte[8]);
        }

        private Path stateDir() {
            return work.resolve("weir-state");
        }

        private ChildJvm startJob(String name) {
            List<String> args = new ArrayList<>(List.of("run", StateHeavyJob.class.getName()));
            List<String> settings =
                    new ArrayList<>(
                            List.of(
                                    "job.name=" + JOB,
                                    "bootstrap.servers=" + bootstrap,
                                    "input.topic=" + INPUT,
                                    "output.topic=" + OUTPUT,
                                    "state-job.value-bytes=" + o.valueBytes(),
                                    "parallelism=2",
                                    "checkpoint.interval.ms=" + o.intervalMs(),
                                    "checkpoint.dir=" + work.resolve("checkpoints").toUri(),
                                    "state.local-dir=" + stateDir(),
                                    "source.start=earliest",
                                    "sink.delivery=" + o.delivery(),
                                    "job.lock.session-timeout.ms=6000"));
            settings.addAll(Contender.extraWeirSettings());
            for (String s : settings) {
                args.add("--set");
                args.add(s);
            }
            return ChildJvm.start(
                    name,
                    work.resolve("logs").resolve(name + ".log"),
                    "dev.weir.launcher.WeirMain",
                    args);
        }

        /** Paced updates; prints the checkpoints completed meanwhile and the latency. */
        private void steady(OutputReader reader, ChildJvm job, List<CheckpointLog.Completed> fill)
                throws Exception {
            int logMark = job.logText().length();
            reader.recordLatencyFrom(System.currentTimeMillis());
            long before = produced;
            try (KafkaProducer<byte[], byte[]> p = Workload.producer(bootstrap, "0")) {
                Pacer.run(
                        p,
                        o.updateRate(),
                        o.steadySeconds(),
                        seq -> record(random.nextInt(counts.length), System.currentTimeMillis()));
            }
            reader.awaitCount(produced, Duration.ofMinutes(10), job);
            reader.recordLatencyFrom(Long.MAX_VALUE);
            List<CheckpointLog.Completed> cps =
                    CheckpointLog.completed(job.logText().substring(logMark));
            restoredBytes = cps.isEmpty() ? 0 : cps.get(cps.size() - 1).bytes();
            long localBytes = WorkDir.size(stateDir());
            long checkpointBytes = WorkDir.size(work.resolve("checkpoints"));
            out.printf(
                    "steady: %,d updates at %,d/s over %d s; %d checkpoints completed; local state dir"
                            + " %,d MB, checkpoint dir %,d MB; peak RSS %d MB%n",
                    produced - before,
                    o.updateRate(),
                    o.steadySeconds(),
                    cps.size(),
                    localBytes >> 20,
                    checkpointBytes >> 20,
                    job.peakRssBytes() >> 20);
            printCheckpoints(fill, cps, new Percentiles(reader.latenciesMillis()));
        }

        private void printCheckpoints(
                List<CheckpointLog.Completed> fill,
                List<CheckpointLog.Completed> steady,
                Percentiles latency) {
            out.println();
            out.println(
                    "| phase (largest checkpoint) | checkpoints | sync pause p50 / p99 / max ms |"
                            + " duration p50 / p99 / max ms | alignment max ms | commit p50 / max ms |"
                            + " e2e latency p50 / p99 / max ms |");
            out.println("|---|---:|---|---|---:|---|---|");
            out.println(
                    checkpointRow(
                            "fill: " + String.format("%,d", counts.length) + " new keys",
                            fill,
                            "-"));
            out.println(
                    checkpointRow(
                            "steady: " + String.format("%,d", o.updateRate()) + " updates/s",
                            steady,
                            latency.summary()));
            out.println();
        }

        private static String checkpointRow(
                String phase, List<CheckpointLog.Completed> cps, String latency) {
            long maxBytes = cps.stream().mapToLong(CheckpointLog.Completed::bytes).max().orElse(0);
            Percentiles commit = of(cps, CheckpointLog.Completed::commitMillis);
            return String.format(
                    "| %s (%,d MB) | %d | %s | %s | %d | %d / %d | %s |",
                    phase,
                    maxBytes >> 20,
                    cps.size(),
                    of(cps, CheckpointLog.Completed::syncPauseMillis).summary(),
                    of(cps, CheckpointLog.Completed::durationMillis).summary(),
                    of(cps, CheckpointLog.Completed::alignmentMillis).max(),
                    commit.at(50),
                    commit.max(),
                    latency);
        }

        private static Percentiles of(
                List<CheckpointLog.Completed> cps, ToLongFunction<CheckpointLog.Completed> field) {
            return new Percentiles(cps.stream().mapToLong(field).toArray());
        }

        /**
         * After the kill: more input, wait for the job lock to expire, then a new process, timed
         * from its start to each milestone.
         */
        private void recover(OutputReader all, Map<TopicPartition, Long> ends) throws Exception {
            long killed = System.nanoTime() - 200_000_000L;
            try (KafkaProducer<byte[], byte[]> p = Workload.producer(bootstrap, "5")) {
                for (int i = 0; i < RECOVERY_RECORDS; i++) {
                    p.send(record(random.nextInt(counts.length), System.currentTimeMillis()));
                }
                p.flush();
            }
            long lockFree = awaitLockFree() - killed;
            try (OutputReader produced =
                            OutputReader.start(
                                    bootstrap,
                                    OUTPUT,
                                    false,
                                    Optional.of(ends),
                                    1,
                                    OutputCheck.none());
                    OutputReader committed =
                            OutputReader.start(
                                    bootstrap,
                                    OUTPUT,
                                    true,
                                    Optional.of(ends),
                                    RECOVERY_RECORDS,
                                    OutputCheck.none())) {
                ChildJvm second = startJob("state-2");
                try {
                    long firstProduced = produced.awaitTarget(Duration.ofMinutes(10), second);
                    long allCommitted = committed.awaitTarget(Duration.ofMinutes(10), second);
                    all.awaitCount(this.produced, Duration.ofMinutes(10), second);
                    printRecovery(
                            second, lockFree, firstProduced, committed.firstNanos(), allCommitted);
                } finally {
                    second.stop(Duration.ofSeconds(60));
                }
            }
        }

        private void printRecovery(
                ChildJvm job, long lockFree, long firstProduced, long firstCommitted, long all) {
            String log = job.logText();
            long s = job.startNanos();
            out.println(
                    "| recovery (s from process start) | kill → lock free | job lock held | restore"
                            + " downloaded | running | first output produced | first output"
                            + " committed | "
                            + RECOVERY_RECORDS
                            + " outputs committed |");
            out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
            out.printf(
                    "| %s, %,d MB of state | %.1f | %s | %s | %s | %.1f | %.1f | %.1f |%n%n",
                    o.delivery(),
                    restoredBytes >> 20,
                    lockFree / 1e9,
                    milestone(log, "holds the job lock", job),
                    milestone(log, "restoring", job),
                    milestone(log, "attempt 1 running", job),
                    (firstProduced - s) / 1e9,
                    (firstCommitted - s) / 1e9,
                    (all - s) / 1e9);
        }

        private static String milestone(String log, String fragment, ChildJvm job) {
            return CheckpointLog.timeOf(log, fragment, job.startClock())
                    .map(d -> String.format("%.1f", d.toMillis() / 1e3))
                    .orElse("-");
        }

        /** Waits until the exactly-once job lock group has no member; returns nanoTime then. */
        private long awaitLockFree() throws Exception {
            if (!o.delivery().equals("exactly-once")) {
                return System.nanoTime();
            }
            String group = dev.weir.kafka.KafkaJobNames.lockGroup(JOB);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                ConsumerGroupDescription d =
                        client.admin()
                                .describeConsumerGroups(List.of(group))
                                .describedGroups()
                                .get(group)
                                .get(10, TimeUnit.SECONDS);
                if (d.members().isEmpty()) {
                    return System.nanoTime();
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("job lock group " + group + " still has members");
        }

        private Map<TopicPartition, Long> logEndOffsets() {
            try (KafkaConsumer<byte[], byte[]> c =
                    new KafkaConsumer<>(
                            Map.of("bootstrap.servers", bootstrap),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (PartitionInfo p : c.partitionsFor(OUTPUT, Duration.ofSeconds(30))) {
                    parts.add(new TopicPartition(OUTPUT, p.partition()));
                }
                return new HashMap<>(c.endOffsets(parts, Duration.ofSeconds(30)));
            }
        }
    }

    /** The last {@code {"count":C}} output per key {@code s-<i>}. */
    static final class StateCheck implements BiConsumer<byte[], byte[]> {
        private final long[] last;

        StateCheck(int keys) {
            this.last = new long[keys];
        }

        @Override
        public void accept(byte[] key, byte[] value) {
            String k = new String(key, StandardCharsets.UTF_8);
            String v = new String(value, StandardCharsets.UTF_8);
            int i = Integer.parseInt(k, 2, k.length(), 10);
            last[i] = Long.parseLong(v, 9, v.length() - 1, 10);
        }

        String verify(long[] expected) {
            long bad = 0;
            String first = null;
            for (int i = 0; i < expected.length; i++) {
                if (last[i] != expected[i]) {
                    bad++;
                    if (first == null) {
                        first =
                                StateHeavyJob.key(i)
                                        + ": count "
                                        + last[i]
                                        + " instead of "
                                        + expected[i];
                    }
                }
            }
            return bad == 0 ? "OK" : "MISMATCH: " + bad + " keys wrong, e.g. " + first;
        }
    }
}
