package dev.weir.examples;

import dev.weir.Job;
import dev.weir.JobFactory;
import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.WeirException;
import dev.weir.config.CheckpointOptions;
import dev.weir.config.ConfigOption;
import dev.weir.config.JobOptions;
import dev.weir.config.RestOptions;
import dev.weir.config.RestartOptions;
import dev.weir.config.SavepointOptions;
import dev.weir.config.WeirConfig;
import dev.weir.kafka.KafkaOptions;
import dev.weir.s3.S3Options;
import dev.weir.testkit.SchemaRegistryServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** The {@code ./weir} launcher: {@code demo} and {@code run}. */
public final class WeirMain {
    private static final Map<String, JobFactory> NAMED_JOBS =
            Map.of("keyed-aggregate", new KeyedAggregate(), "avro-aggregate", new AvroAggregate());

    private WeirMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            usage();
            System.exit(args.length == 0 ? 2 : 0);
        }
        registryHomeUnderWeirHome();
        try {
            int code =
                    switch (args[0]) {
                        case "demo" -> demo(List.of(args).subList(1, args.length));
                        case "registry" -> registry();
                        case "run" -> run(List.of(args).subList(1, args.length));
                        case "savepoint" -> savepoint(List.of(args).subList(1, args.length));
                        default -> {
                            System.err.println("unknown command '" + args[0] + "'");
                            usage();
                            yield 2;
                        }
                    };
            System.exit(code);
        } catch (WeirException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void usage() {
        System.err.println(
                """
                usage:
                  weir demo                       run the demo on an embedded Kafka broker
                  weir demo avro                  the same for avro-aggregate, with a schema registry,
                                                  two writer schemas and poison records
                  weir registry                   run a schema registry (Apicurio) for trying
                                                  avro-aggregate; prints schema.registry.url=…
                  weir run <job> [--config FILE] [--set key=value]... [--from-savepoint DIR]
                      [--allow-non-restored-state]
                                                  run a job until SIGTERM: keyed-aggregate (JSON),
                                                  avro-aggregate (Avro, needs schema.registry.url),
                                                  or a JobFactory class name; WEIR_<KEY> environment
                                                  variables set keys too
                  weir savepoint trigger|stop --url http://HOST:PORT [--dir URI] [--timeout 10m]
                      [--token TOKEN | --token-file FILE]
                                                  savepoint (or stop-with-savepoint) of a running job through
                                                  its REST endpoint (rest.port); says what it waits for,
                                                  prints the location last. Token also from WEIR_REST_TOKEN.
                                                  Exit 0 done, 1 refused or failed, 2 usage, 3 timed out
                  weir savepoint inspect|verify|rescale|dump|offsets|txn|gc …
                                                  the offline tools on savepoints, retained checkpoints,
                                                  a job's transactions and checkpoint directory;
                                                  `weir savepoint --help` lists them
                """);
    }

    /**
     * The {@code ./weir} script passes {@code -Dweir.home=<repo>}: the registry of {@code weir
     * registry} and {@code weir demo avro} is then unpacked once under examples/target, where the
     * tests find it too, wherever the command runs.
     */
    private static void registryHomeUnderWeirHome() {
        String home = System.getProperty("weir.home");
        if (home == null || System.getProperty(SchemaRegistryServer.HOME_PROPERTY) != null) {
            return;
        }
        Path target = Path.of(home, "examples", "target");
        System.setProperty(
                SchemaRegistryServer.HOME_PROPERTY,
                target.resolve("apicurio-registry-" + SchemaRegistryServer.VERSION).toString());
        if (System.getProperty(SchemaRegistryServer.WORK_DIR_PROPERTY) == null) {
            System.setProperty(
                    SchemaRegistryServer.WORK_DIR_PROPERTY,
                    target.resolve("schema-registry").toString());
        }
    }

    private static int demo(List<String> args) throws Exception {
        if (args.isEmpty()) {
            return Demo.run(args);
        }
        if (args.equals(List.of("avro"))) {
            return AvroDemo.run();
        }
        throw new IllegalArgumentException(
                "unknown demo "
                        + args
                        + ": weir demo runs keyed-aggregate, weir demo avro avro-aggregate");
    }

    /**
     * A schema registry for trying avro-aggregate: the testkit's Apicurio (fetched from Maven
     * Central on first use), its schemas in a file until it stops; prints its URL, runs until
     * SIGTERM / Ctrl-C.
     */
    private static int registry() throws InterruptedException {
        SchemaRegistryServer.main(new String[0]);
        return 0;
    }

    /** trigger and stop talk to a running job; every other command is an offline tool. */
    private static int savepoint(List<String> args)
            throws java.io.IOException, InterruptedException {
        if (!args.isEmpty() && (args.get(0).equals("trigger") || args.get(0).equals("stop"))) {
            return SavepointCli.run(args);
        }
        List<String> tool = new java.util.ArrayList<>(args);
        int job = tool.indexOf("--job");
        if (job >= 0 && job + 1 < tool.size() && NAMED_JOBS.containsKey(tool.get(job + 1))) {
            tool.set(job + 1, NAMED_JOBS.get(tool.get(job + 1)).getClass().getName());
        }
        return dev.weir.tools.cli.SavepointTool.run(
                tool.toArray(String[]::new),
                new java.io.PrintWriter(System.out, true),
                new java.io.PrintWriter(System.err, true));
    }

    static int run(List<String> args) throws InterruptedException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException(
                    "weir run needs a job: one of "
                            + NAMED_JOBS.keySet()
                            + " or a JobFactory class name");
        }
        JobFactory factory = factory(args.get(0));
        WeirConfig config = config(factory, args.subList(1, args.size()), System.getenv());
        Job job = factory.create(config);
        RunningJob running = Weir.start(job, config);
        Runtime.getRuntime().addShutdownHook(new Thread(running::stop, "weir-shutdown"));
        Thread progress = new Thread(() -> reportProgress(running), "weir-progress");
        progress.setDaemon(true);
        progress.start();
        running.awaitTermination(Duration.ofDays(3650));
        if (running.status() == JobStatus.FAILED) {
            System.err.println(
                    "job "
                            + running.name()
                            + " failed: "
                            + running.failure().map(Throwable::getMessage).orElse("?"));
            return 1;
        }
        return 0;
    }

    /**
     * The job's configuration from {@code args} (after the job name) and the environment, checked
     * against every key the launcher knows for {@code factory}.
     */
    static WeirConfig config(JobFactory factory, List<String> args, Map<String, String> env) {
        List<ConfigOption<?>> known = knownOptions(factory);
        WeirConfig fileConfig = WeirConfig.empty();
        WeirConfig sets = WeirConfig.empty();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config") && i + 1 < args.size()) {
                fileConfig = WeirConfig.fromFile(Path.of(args.get(++i)));
            } else if (a.equals("--from-savepoint") && i + 1 < args.size()) {
                sets = sets.with(SavepointOptions.RESTORE_PATH.key(), args.get(++i));
            } else if (a.equals("--allow-non-restored-state")) {
                sets = sets.with(SavepointOptions.ALLOW_NON_RESTORED_STATE.key(), "true");
            } else if (a.equals("--set") && i + 1 < args.size()) {
                String kv = args.get(++i);
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--set needs key=value, got '" + kv + "'");
                }
                sets = sets.with(kv.substring(0, eq), kv.substring(eq + 1));
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        WeirConfig config = fileConfig.merge(WeirConfig.fromEnvironment(env, known)).merge(sets);
        config.validate(known);
        return config;
    }

    private static void reportProgress(RunningJob job) {
        long last = 0;
        try {
            while (true) {
                Thread.sleep(5_000);
                long in = job.recordsIn();
                System.out.printf(
                        "[%s] %s: %d records in (%d/s), %d out, %s%n",
                        job.name(),
                        job.status(),
                        in,
                        (in - last) / 5,
                        job.recordsOut(),
                        job.lastCompletedCheckpoint()
                                .map(
                                        c ->
                                                "last checkpoint "
                                                        + c.id()
                                                        + " ("
                                                        + c.durationMillis()
                                                        + " ms)")
                                .orElse("no checkpoint yet"));
                last = in;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static JobFactory factory(String name) {
        JobFactory named = NAMED_JOBS.get(name);
        if (named != null) {
            return named;
        }
        try {
            return (JobFactory) Class.forName(name).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalArgumentException(
                    "unknown job '"
                            + name
                            + "': not one of "
                            + NAMED_JOBS.keySet()
                            + " nor a JobFactory class with a public no-argument constructor ("
                            + e
                            + ")");
        }
    }

    static List<ConfigOption<?>> knownOptions(JobFactory factory) {
        LinkedHashSet<ConfigOption<?>> all = new LinkedHashSet<>();
        all.addAll(JobOptions.all());
        all.addAll(CheckpointOptions.all());
        all.addAll(RestartOptions.all());
        all.addAll(SavepointOptions.all());
        all.addAll(RestOptions.all());
        all.addAll(S3Options.all());
        all.addAll(KafkaOptions.sourceOptions());
        all.addAll(KafkaOptions.sinkOptions());
        // The serdes' registry and Avro keys, bare and under source./sink. (docs/serdes.md).
        all.addAll(AvroAggregate.serdeOptions());
        all.addAll(factory.options());
        return new ArrayList<>(all);
    }
}
