package dev.weir.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A system under test, and how to start it in a child JVM on given topics. */
enum Contender {
    PIPE("raw transactional pipe (1 thread)", "pipe", true),
    WEIR_EOS("Weir keyed-aggregate P=2 exactly-once", "weir-eos", true),
    WEIR_ALO("Weir keyed-aggregate P=2 at-least-once", "weir-alo", false),
    STREAMS("Kafka Streams EOS-v2, 2 threads, RocksDB", "streams", true),
    /** Not in the default run: {@code --only …,weir-eos-nostate}. */
    WEIR_EOS_NO_STATE(
            "Weir keyed pass-through P=2 exactly-once (no state)", "weir-eos-nostate", true),
    /**
     * Not in the default run: {@code --only …,weir-avro}. keyed-aggregate's work on the same
     * records in Avro (the Confluent wire format, a schema registry of its own in the run).
     */
    WEIR_AVRO("Weir avro-aggregate P=2 exactly-once", "weir-avro", true),
    /** Only in {@link WindowBench}: windowed-aggregate, one output per closed window. */
    WEIR_WINDOW("Weir windowed-aggregate P=2 exactly-once", "weir-window", true),
    /** Only in {@link WindowBench}: {@link StreamsWindowAggregate}. */
    STREAMS_WINDOW("Kafka Streams EOS-v2 windowed, 2 threads, RocksDB", "streams-window", true);

    /** The job weir-window runs; it must be registered as a JobFactory service under this name. */
    static final String WINDOW_JOB = "windowed-aggregate";

    /**
     * The commit interval of a run unless {@code --interval-ms} says otherwise: the pipe's
     * transactions, Weir's checkpoints, Kafka Streams' {@code commit.interval.ms}.
     */
    static final long DEFAULT_INTERVAL_MS = 1000;

    final String title;
    final String id;
    final boolean exactlyOnce;

    Contender(String title, String id, boolean exactlyOnce) {
        this.title = title;
        this.id = id;
        this.exactlyOnce = exactlyOnce;
    }

    /**
     * Settings for experiments, added after (and so overriding) the benchmark's own: {@code
     * BENCH_WEIR_SET="state.cache.max-dirty-entries=16384 …"}.
     */
    static List<String> extraWeirSettings() {
        String extra = System.getenv().getOrDefault("BENCH_WEIR_SET", "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    /** The contenders of a run without {@code --only}. */
    static List<Contender> defaults() {
        return List.of(PIPE, WEIR_EOS, WEIR_ALO, STREAMS);
    }

    static Contender byId(String id) {
        for (Contender c : values()) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown contender '" + id + "'");
    }

    /** Whether this contender runs the windowed aggregate ({@link WindowBench} only). */
    boolean windowed() {
        return this == WEIR_WINDOW || this == STREAMS_WINDOW;
    }

    /**
     * How the windowed contenders run: the window contract, the topic Weir sends late records to,
     * Kafka Streams' emit strategy ({@code suppress} or {@code on-window-close}) and record cache.
     */
    record WindowSettings(
            WindowSpec spec, String lateTopic, String streamsEmit, long streamsCacheBytes) {}

    /**
     * Starts a windowed contender as {@link #start} does; the pipe starts as in {@link #start}, and
     * {@code window} is ignored for it.
     */
    ChildJvm startWindowed(
            String bootstrap,
            String input,
            String output,
            String runId,
            Path work,
            WindowSettings window) {
        Path log = work.resolve("logs").resolve(runId + ".log");
        WindowSpec spec = window.spec();
        return switch (this) {
            case PIPE ->
                    start(
                            bootstrap,
                            input,
                            output,
                            runId,
                            work,
                            Optional.empty(),
                            DEFAULT_INTERVAL_MS);
            case STREAMS_WINDOW ->
                    ChildJvm.start(
                            runId,
                            log,
                            StreamsWindowAggregate.class.getName(),
                            List.of(
                                    bootstrap,
                                    input,
                                    output,
                                    runId,
                                    work.resolve("streams-state").resolve(runId).toString(),
                                    "2",
                                    Long.toString(DEFAULT_INTERVAL_MS),
                                    Long.toString(spec.sizeMs()),
                                    Long.toString(spec.graceMs()),
                                    window.streamsEmit(),
                                    Long.toString(window.streamsCacheBytes())));
            case WEIR_WINDOW ->
                    ChildJvm.start(
                            runId,
                            log,
                            "dev.weir.launcher.WeirMain",
                            weirArgs(
                                    bootstrap,
                                    input,
                                    output,
                                    runId,
                                    work,
                                    Optional.empty(),
                                    DEFAULT_INTERVAL_MS,
                                    List.of(
                                            "window.size.ms=" + spec.sizeMs(),
                                            "watermark.out-of-orderness.ms="
                                                    + spec.outOfOrdernessMs(),
                                            "window.allowed-lateness.ms="
                                                    + spec.allowedLatenessMs(),
                                            "late.topic=" + window.lateTopic())));
            default -> throw new IllegalArgumentException(id + " is not a windowed contender");
        };
    }

    OutputCheck newCheck() {
        // The pass-through forwards the input like the pipe: same per-key count and sum.
        return switch (this) {
            case PIPE, WEIR_EOS_NO_STATE -> OutputCheck.forPipe();
            case WEIR_AVRO -> OutputCheck.forAvroAggregate();
            default -> OutputCheck.forAggregate();
        };
    }

    /** Whether this contender reads Avro input and needs a schema registry. */
    boolean avro() {
        return this == WEIR_AVRO;
    }

    /**
     * Starts this contender reading {@code input} from the beginning and writing {@code output};
     * {@code runId} names its job, group, application and transactional ids, which must be new.
     * {@code registryUrl} is the schema registry of the {@link #avro()} contenders; {@code
     * intervalMs} is how often it commits.
     */
    ChildJvm start(
            String bootstrap,
            String input,
            String output,
            String runId,
            Path work,
            Optional<String> registryUrl,
            long intervalMs) {
        String interval = Long.toString(intervalMs);
        Path log = work.resolve("logs").resolve(runId + ".log");
        return switch (this) {
            case PIPE ->
                    ChildJvm.start(
                            runId,
                            log,
                            RawTransactionalPipe.class.getName(),
                            List.of(bootstrap, input, output, runId, interval));
            case STREAMS ->
                    ChildJvm.start(
                            runId,
                            log,
                            StreamsAggregate.class.getName(),
                            List.of(
                                    bootstrap,
                                    input,
                                    output,
                                    runId,
                                    work.resolve("streams-state").resolve(runId).toString(),
                                    "2",
                                    interval));
            case WEIR_EOS, WEIR_ALO, WEIR_EOS_NO_STATE, WEIR_AVRO ->
                    ChildJvm.start(
                            runId,
                            log,
                            "dev.weir.launcher.WeirMain",
                            weirArgs(
                                    bootstrap,
                                    input,
                                    output,
                                    runId,
                                    work,
                                    registryUrl,
                                    intervalMs,
                                    List.of()));
            case WEIR_WINDOW, STREAMS_WINDOW ->
                    throw new IllegalArgumentException(
                            id + " runs only in the window mode (benchmarks/run.sh window)");
        };
    }

    private List<String> weirArgs(
            String bootstrap,
            String input,
            String output,
            String runId,
            Path work,
            Optional<String> registryUrl,
            long intervalMs,
            List<String> jobSettings) {
        List<String> sets = new ArrayList<>();
        sets.add("job.name=" + runId);
        sets.add("bootstrap.servers=" + bootstrap);
        sets.add("input.topic=" + input);
        sets.add("output.topic=" + output);
        sets.add("parallelism=2");
        sets.add("checkpoint.interval.ms=" + intervalMs);
        sets.add("checkpoint.dir=" + work.resolve("checkpoints").toUri());
        sets.add("state.local-dir=" + work.resolve("weir-state").resolve(runId));
        sets.add("source.start=earliest");
        if (avro()) {
            sets.add(
                    "schema.registry.url="
                            + registryUrl.orElseThrow(
                                    () -> new IllegalStateException(id + " needs a registry")));
        }
        sets.addAll(jobSettings);
        if (exactlyOnce) {
            sets.add("sink.delivery=exactly-once");
            sets.add("job.lock.session-timeout.ms=6000");
        } else {
            sets.add("sink.delivery=at-least-once");
        }
        sets.addAll(extraWeirSettings());
        String job =
                switch (this) {
                    case WEIR_EOS_NO_STATE -> KeyedPassThrough.class.getName();
                    case WEIR_AVRO -> "avro-aggregate";
                    case WEIR_WINDOW -> WINDOW_JOB;
                    default -> "keyed-aggregate";
                };
        List<String> args = new ArrayList<>(List.of("run", job));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        return args;
    }
}
