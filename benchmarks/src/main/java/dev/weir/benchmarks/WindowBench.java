package dev.weir.benchmarks;

import dev.weir.JobFactory;
import dev.weir.testkit.KafkaBrokerProcess;
import dev.weir.testkit.KafkaTestClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The windowed-aggregate benchmark ({@code benchmarks/run.sh window}): like {@link EndToEnd}'s
 * throughput runs — one broker process, the input produced once to 4 partitions, each contender in
 * a JVM of its own on that input, timed from its start until an independent read_committed consumer
 * has seen every expected output — on an input with event time ({@link EventTime}) and a tumbling
 * window aggregate ({@link WindowSpec}) whose outputs are checked against a {@link WindowModel}.
 *
 * <p>Usage: {@code WindowBench [N] [K] [--small] [--zipf] [--only pipe,weir-window,streams-window]
 * [--rounds R] [--window-ms W] [--records-per-ms R] [--disorder-ms D] [--out-of-orderness-ms O]
 * [--lateness-ms L] [--streams-emit suppress|on-window-close] [--streams-cache-bytes B]}.
 */
public final class WindowBench {
    private static final String INPUT = "win-in";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);
    private static final Pattern DROPPED =
            Pattern.compile(Pattern.quote(StreamsWindowAggregate.DROPPED) + "(\\d+)");

    private WindowBench() {}

    /** What to run. */
    record Options(
            int records,
            int keys,
            Workload.Distribution distribution,
            List<Contender> contenders,
            int rounds,
            WindowSpec spec,
            int recordsPerMs,
            int disorderMs,
            String streamsEmit,
            long streamsCacheBytes) {

        static Options parse(List<String> args) {
            List<Integer> numbers = new ArrayList<>();
            boolean small = false;
            Workload.Distribution dist = Workload.Distribution.UNIFORM;
            int rounds = 1;
            List<Contender> contenders =
                    List.of(Contender.PIPE, Contender.WEIR_WINDOW, Contender.STREAMS_WINDOW);
            long windowMs = 1_000;
            long outOfOrderness = 500;
            long lateness = 0;
            int perMs = 1;
            int disorder = 200;
            String emit = "suppress";
            long cache = 10L << 20; // Kafka Streams' default statestore.cache.max.bytes
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--small" -> small = true;
                    case "--zipf" -> dist = Workload.Distribution.ZIPF;
                    case "--uniform" -> dist = Workload.Distribution.UNIFORM;
                    case "--rounds" -> rounds = Integer.parseInt(args.get(++i));
                    case "--window-ms" -> windowMs = Long.parseLong(args.get(++i));
                    case "--out-of-orderness-ms" -> outOfOrderness = Long.parseLong(args.get(++i));
                    case "--lateness-ms" -> lateness = Long.parseLong(args.get(++i));
                    case "--records-per-ms" -> perMs = Integer.parseInt(args.get(++i));
                    case "--disorder-ms" -> disorder = Integer.parseInt(args.get(++i));
                    case "--streams-emit" -> emit = args.get(++i);
                    case "--streams-cache-bytes" -> cache = Long.parseLong(args.get(++i));
                    case "--only" ->
                            contenders =
                                    Arrays.stream(args.get(++i).split(","))
                                            .map(Contender::byId)
                                            .peek(Options::windowMode)
                                            .toList();
                    default -> {
                        if (!a.matches("[0-9_]+")) {
                            throw new IllegalArgumentException("unknown argument '" + a + "'");
                        }
                        numbers.add(Integer.parseInt(a.replace("_", "")));
                    }
                }
            }
            int n = numbers.size() > 0 ? numbers.get(0) : small ? 100_000 : 1_000_000;
            int k = numbers.size() > 1 ? numbers.get(1) : small ? 10_000 : 100_000;
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
            }
            if (disorder >= outOfOrderness) {
                throw new IllegalArgumentException(
                        "--disorder-ms must be below --out-of-orderness-ms (no record may be"
                                + " late), got "
                                + disorder
                                + " and "
                                + outOfOrderness);
            }
            if (!emit.equals("suppress") && !emit.equals("on-window-close")) {
                throw new IllegalArgumentException(
                        "--streams-emit must be suppress or on-window-close, got " + emit);
            }
            WindowSpec spec = new WindowSpec(windowMs, outOfOrderness, lateness);
            return new Options(n, k, dist, contenders, rounds, spec, perMs, disorder, emit, cache);
        }

        private static void windowMode(Contender c) {
            if (!c.windowed() && c != Contender.PIPE) {
                throw new IllegalArgumentException(
                        c.id
                                + " is not a contender of the window mode (pipe, weir-window,"
                                + " streams-window)");
            }
        }
    }

    /** One contender's run. {@code late} is -1 where not measured (the pipe). */
    record Run(
            Contender contender,
            int round,
            long wallNanos,
            long firstOutputNanos,
            long cpuNanos,
            long peakRssBytes,
            long brokerCpuNanos,
            long harnessCpuNanos,
            long outputs,
            long late,
            String check,
            /** {@link ChildJvm#cpuByThread} at the end of the run. */
            String cpuByThread) {
        boolean ok() {
            return check.startsWith("OK");
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(List.of(args));
        if (o.contenders().contains(Contender.WEIR_WINDOW) && !windowJobPresent()) {
            System.err.println(
                    "weir-window runs the job '"
                            + Contender.WINDOW_JOB
                            + "', but no JobFactory of that name is on the class path (it belongs"
                            + " in the examples module, registered in"
                            + " META-INF/services/dev.weir.JobFactory); rebuild once it exists, or"
                            + " run --only pipe,streams-window");
            System.exit(2);
        }
        List<Run> runs = run(o, System.out);
        boolean ok =
                runs.size() == o.contenders().size() * o.rounds()
                        && runs.stream().allMatch(Run::ok);
        System.exit(ok ? 0 : 1);
    }

    /** Whether the launcher would find the windowed-aggregate job on this class path. */
    static boolean windowJobPresent() {
        return ServiceLoader.load(JobFactory.class).stream()
                .anyMatch(p -> p.get().name().equals(Contender.WINDOW_JOB));
    }

    static List<Run> run(Options o, PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("weir-bench-window-");
        long start = System.nanoTime();
        String machine = Machine.describe();
        WindowSpec spec = o.spec();
        long spanMs = (o.records() - 1L) / o.recordsPerMs() + 1;
        // Everything stamped in the past, so the broker's timestamp checks and retention accept it.
        long flushAhead = 2 * spec.sizeMs() + spec.graceMs();
        long t0 = spec.start(System.currentTimeMillis() - spanMs - flushAhead - 60_000);
        EventTime time =
                new EventTime(
                        t0,
                        o.recordsPerMs(),
                        o.disorderMs(),
                        t0 + (o.records() - 1L) / o.recordsPerMs() + flushAhead);
        out.println("load average before the run: " + Machine.loadAverage());
        out.printf(
                "machine: %s%nworkload: N=%,d records, K=%,d keys (%s), %d partitions, %d"
                        + " records per event-time ms (%,d s of event time from %d), disorder up to"
                        + " %d ms; windows of %d ms, out-of-orderness %d ms, allowed lateness %d ms"
                        + " (grace %d ms); Kafka Streams: %s, cache %,d bytes; work dir %s%n",
                machine,
                o.records(),
                o.keys(),
                o.distribution().name().toLowerCase(),
                EndToEnd.PARTITIONS,
                o.recordsPerMs(),
                spanMs / 1000,
                t0,
                o.disorderMs(),
                spec.sizeMs(),
                spec.outOfOrdernessMs(),
                spec.allowedLatenessMs(),
                spec.graceMs(),
                o.streamsEmit(),
                o.streamsCacheBytes(),
                work);
        List<Run> runs = new ArrayList<>();
        boolean ok = false;
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
                KafkaTestClient client = new KafkaTestClient(broker.bootstrapServers())) {
            String bootstrap = broker.bootstrapServers();
            BrokerWarmup.run(bootstrap, client);
            client.createTopic(INPUT, EndToEnd.PARTITIONS);
            Workload w = new Workload(o.records(), o.keys(), o.distribution(), 42, time);
            WindowModel model = new WindowModel(spec, o.keys(), t0 - o.disorderMs(), o.records());
            long produceNanos = w.produce(bootstrap, INPUT, model);
            model.finish(time.flushTimestampMs());
            out.printf(
                    "produced %,d records over %,d distinct keys (+%d flush records) in %.1f s;"
                            + " expected: %,d window outputs over %,d windows, %d late inputs, %d"
                            + " windows left open%n",
                    o.records(),
                    w.distinctKeys(),
                    EndToEnd.PARTITIONS,
                    produceNanos / 1e9,
                    model.expected(),
                    model.windows(),
                    model.lateInputs(),
                    model.notClosed());
            if (model.lateInputs() != 0 || model.notClosed() != 0) {
                throw new IllegalStateException(
                        "the generated input has late records or windows"
                                + " the flush does not close: a bug of the generator");
            }
            // The raw pipe once over the whole input (and the flush records), unmeasured.
            EndToEnd.warmUpBroker(
                    bootstrap,
                    client,
                    work,
                    INPUT,
                    o.records() + EndToEnd.PARTITIONS,
                    Contender.DEFAULT_INTERVAL_MS);
            for (int round = 1; round <= o.rounds(); round++) {
                for (Contender c : o.contenders()) {
                    Run r = runOne(c, round, o, w, model, bootstrap, client, work);
                    runs.add(r);
                    out.printf(
                            "  %s%-50s %6.1f s  %,9.0f records/s  CPU %.1f µs/record  RSS %d MB"
                                    + "  %s%n",
                            o.rounds() > 1 ? "round " + round + ": " : "",
                            c.title,
                            r.wallNanos() / 1e9,
                            o.records() / (r.wallNanos() / 1e9),
                            r.cpuNanos() / 1e3 / o.records(),
                            r.peakRssBytes() >> 20,
                            r.check());
                    if (!r.cpuByThread().isEmpty()) {
                        out.printf("    CPU by thread: %s%n", r.cpuByThread());
                    }
                }
            }
            WindowReport.print(o, machine, model, runs, out);
            out.printf("total time of the run: %.0f s%n", (System.nanoTime() - start) / 1e9);
            ok = runs.stream().allMatch(Run::ok);
        } finally {
            WorkDir.finish(work, ok, out);
        }
        return runs;
    }

    private static Run runOne(
            Contender c,
            int round,
            Options o,
            Workload w,
            WindowModel model,
            String bootstrap,
            KafkaTestClient client,
            Path work)
            throws Exception {
        String suffix = c.id + (round > 1 ? "-" + round : "");
        String output = "out-" + suffix;
        String late = "late-" + suffix;
        client.createTopic(output, EndToEnd.PARTITIONS);
        client.createTopic(late, EndToEnd.PARTITIONS);
        long brokerPid = ProcStats.brokerPid().orElseThrow();
        long self = ProcessHandle.current().pid();
        boolean pipe = c == Contender.PIPE;
        OutputCheck pipeCheck = OutputCheck.forPipe();
        WindowCheck windowCheck = new WindowCheck(model);
        long target = pipe ? o.records() + EndToEnd.PARTITIONS : model.expected();
        try (OutputReader reader =
                OutputReader.start(
                        bootstrap,
                        output,
                        true,
                        Optional.empty(),
                        target,
                        pipe ? pipeCheck : windowCheck)) {
            long broker0 = ProcStats.cpuNanos(brokerPid).orElse(0L);
            long self0 = ProcStats.cpuNanos(self).orElse(0L);
            Contender.WindowSettings settings =
                    new Contender.WindowSettings(
                            o.spec(), late, o.streamsEmit(), o.streamsCacheBytes());
            ChildJvm child =
                    c.startWindowed(bootstrap, INPUT, output, "w-" + suffix, work, settings);
            try {
                long reached = awaitTarget(reader, child, c);
                long cpu = child.cpuNanos();
                String cpuByThread = child.cpuByThread();
                long rss = child.peakRssBytes();
                long brokerCpu = ProcStats.cpuNanos(brokerPid).orElse(0L) - broker0;
                long selfCpu = ProcStats.cpuNanos(self).orElse(0L) - self0;
                child.stop(Duration.ofSeconds(60));
                if (!reader.drain(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("could not read " + output + " to its end");
                }
                long outputs = reader.count();
                long lateRecords =
                        switch (c) {
                            case PIPE -> -1;
                            case WEIR_WINDOW -> countRecords(bootstrap, late);
                            default -> droppedByStreams(child);
                        };
                String verdict = pipe ? pipeCheck.verify(w) : windowCheck.verify();
                if (verdict.equals("OK")
                        && outputs != target + (pipe ? 0 : windowCheck.flushOutputs())) {
                    verdict = "MISMATCH: " + outputs + " outputs, " + target + " expected";
                }
                if (verdict.equals("OK") && lateRecords != -1 && lateRecords != 0) {
                    verdict = "MISMATCH: " + lateRecords + " late records, none expected";
                }
                if (verdict.equals("OK") && windowCheck.flushOutputs() > 0) {
                    verdict = "OK (" + windowCheck.flushOutputs() + " flush-key outputs)";
                }
                return new Run(
                        c,
                        round,
                        reached - child.startNanos(),
                        reader.firstNanos() - child.startNanos(),
                        cpu,
                        rss,
                        brokerCpu,
                        selfCpu,
                        outputs,
                        lateRecords,
                        verdict,
                        cpuByThread);
            } finally {
                child.stop(Duration.ofSeconds(60));
            }
        }
    }

    /** As {@link OutputReader#awaitTarget}, naming the missing job if the launcher said so. */
    private static long awaitTarget(OutputReader reader, ChildJvm child, Contender c)
            throws InterruptedException {
        try {
            return reader.awaitTarget(RUN_TIMEOUT, child);
        } catch (IllegalStateException e) {
            if (c == Contender.WEIR_WINDOW && child.logText().contains("unknown job '")) {
                throw new IllegalStateException(
                        "weir-window: the launcher does not know the job '"
                                + Contender.WINDOW_JOB
                                + "' (exit 2); it lands in the examples module. "
                                + e.getMessage(),
                        e);
            }
            throw e;
        }
    }

    /** Records on {@code topic}, read_committed to its end. */
    private static long countRecords(String bootstrap, String topic) throws InterruptedException {
        try (OutputReader r =
                OutputReader.start(
                        bootstrap, topic, true, Optional.empty(), 0, OutputCheck.none())) {
            if (!r.drain(Duration.ofSeconds(60))) {
                throw new IllegalStateException("could not read " + topic + " to its end");
            }
            return r.count();
        }
    }

    /** Kafka Streams' dropped-records total, printed by the child when it stopped. */
    private static long droppedByStreams(ChildJvm child) {
        Matcher m = DROPPED.matcher(child.logText());
        long last = -2;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        if (last == -2) {
            throw new IllegalStateException(
                    child.name() + " did not print its dropped records; " + child.log());
        }
        return last;
    }
}
