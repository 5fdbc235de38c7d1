package dev.weir.launcher;

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
import dev.weir.serdes.avro.AvroSerdeOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code weir run} and {@code weir savepoint}: the distribution's entry point, in the image and
 * behind the {@code ./weir} script (which adds {@code demo} and {@code registry} from the demo
 * module). Exit codes are in docs/operations.md#exit-codes.
 */
public final class WeirMain {
    /** {@code WEIR_*} variables read by the scripts and the CLI, not config keys. */
    private static final Set<String> NOT_KEYS =
            Set.of("WEIR_JAVA_OPTS", "WEIR_LOG_LEVEL", "WEIR_REST_TOKEN", "WEIR_HOME");

    private WeirMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            usage();
            System.exit(args.length == 0 ? 2 : 0);
        }
        try {
            int code =
                    switch (args[0]) {
                        case "demo", "registry" -> {
                            System.err.println(
                                    "weir "
                                            + args[0]
                                            + " is part of the source checkout's ./weir script,"
                                            + " not of the distribution");
                            yield 2;
                        }
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
                  weir demo [avro]                (./weir script of a source checkout) the demo
                                                  on an embedded broker; README
                  weir registry                   (./weir script) a schema registry for trying
                                                  avro-aggregate
                  weir run <job> [--config FILE] [--set key=value]... [--from-savepoint DIR]
                      [--allow-non-restored-state]
                                                  run a job until SIGTERM: keyed-aggregate (JSON),
                                                  avro-aggregate (Avro, needs schema.registry.url),
                                                  or a JobFactory class name; WEIR_<KEY> environment
                                                  variables set keys too. With shutdown.savepoint=true
                                                  SIGTERM stops with a savepoint
                  weir run --jar FILE [--class NAME | <job>] [options as above]
                                                  a job from a user's jar: the class named, the
                                                  jar's Weir-Job-Factory manifest attribute, or the
                                                  one JobFactory service it registers
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

    /** trigger and stop talk to a running job; every other command is an offline tool. */
    private static int savepoint(List<String> args)
            throws java.io.IOException, InterruptedException {
        if (!args.isEmpty() && (args.get(0).equals("trigger") || args.get(0).equals("stop"))) {
            return SavepointCli.run(args);
        }
        List<String> tool = new ArrayList<>(args);
        int job = tool.indexOf("--job");
        Map<String, JobFactory> named = Jobs.named(WeirMain.class.getClassLoader());
        if (job >= 0 && job + 1 < tool.size() && named.containsKey(tool.get(job + 1))) {
            tool.set(job + 1, named.get(tool.get(job + 1)).getClass().getName());
        }
        return dev.weir.tools.cli.SavepointTool.run(
                tool.toArray(String[]::new),
                new java.io.PrintWriter(System.out, true),
                new java.io.PrintWriter(System.err, true));
    }

    /**
     * {@code weir run}: starts the job, stops it on SIGTERM (with a savepoint when {@code
     * shutdown.savepoint=true}) and returns 0 once it stopped, 1 if it failed for good.
     */
    public static int run(List<String> args) throws InterruptedException {
        Launch launch = parse(args, System.getenv());
        Job job = launch.factory().create(launch.config());
        RunningJob running = Weir.start(job, launch.config());
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(() -> shutdown(running, launch.config()), "weir-shutdown"));
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

    /** The job {@code weir run} runs, and its checked configuration. */
    public record Launch(JobFactory factory, WeirConfig config) {}

    /**
     * Reads {@code weir run}'s arguments: the job (a name, or {@code --jar FILE [--class NAME]}),
     * then its configuration from {@code --config}, {@code env} and {@code --set}, checked against
     * every key the launcher knows for it; an unknown key or a bad value fails here, naming the
     * key.
     */
    public static Launch parse(List<String> args, Map<String, String> env) {
        String name = null;
        Path jar = null;
        String className = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--jar") && i + 1 < args.size()) {
                jar = Path.of(args.get(++i));
            } else if (a.equals("--class") && i + 1 < args.size()) {
                className = args.get(++i);
            } else if (i == 0 && !a.startsWith("--")) {
                name = a;
            } else {
                rest.add(a);
            }
        }
        ClassLoader own = WeirMain.class.getClassLoader();
        JobFactory factory;
        if (jar != null) {
            factory = Jobs.fromJar(jar, className != null ? className : name);
        } else if (className != null || name != null) {
            factory = Jobs.find(className != null ? className : name, own);
        } else {
            throw new IllegalArgumentException(
                    "weir run needs a job: one of "
                            + Jobs.named(own).keySet()
                            + ", a JobFactory class name, or --jar FILE");
        }
        return new Launch(factory, config(factory, rest, env));
    }

    /**
     * The job's configuration from {@code args} (options after the job) and the environment,
     * checked against every key the launcher knows for {@code factory}.
     */
    public static WeirConfig config(
            JobFactory factory, List<String> args, Map<String, String> env) {
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
        refuseUnknownVariables(known, env);
        WeirConfig config = fileConfig.merge(WeirConfig.fromEnvironment(env, known)).merge(sets);
        config.validate(known);
        if (config.get(LauncherOptions.SHUTDOWN_SAVEPOINT)
                && config.get(LauncherOptions.SHUTDOWN_SAVEPOINT_DIR).isBlank()
                && config.get(SavepointOptions.DIR).isBlank()) {
            throw new IllegalArgumentException(
                    "config key 'shutdown.savepoint' is true but neither 'shutdown.savepoint.dir'"
                            + " nor 'savepoint.dir' says where the savepoint goes");
        }
        return config;
    }

    /**
     * A {@code WEIR_*} variable that sets no key (a misspelt {@code WEIR_CHECKPOINT_INTERVALL_MS})
     * fails the start, as an unknown {@code --set} key does; the variables of the scripts and tools
     * themselves pass.
     */
    private static void refuseUnknownVariables(
            List<ConfigOption<?>> known, Map<String, String> env) {
        Set<String> vars = new HashSet<>(NOT_KEYS);
        known.forEach(o -> vars.add(WeirConfig.environmentVariable(o)));
        List<String> unknown =
                env.keySet().stream()
                        .filter(v -> v.startsWith("WEIR_") && !v.startsWith("WEIR_TEST_"))
                        .filter(v -> !vars.contains(v))
                        .sorted()
                        .toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "environment variable"
                            + (unknown.size() == 1 ? " " : "s ")
                            + String.join(", ", unknown)
                            + " set no config key of this job (WEIR_<KEY>: the key in upper case,"
                            + " dots and hyphens as underscores; docs/configuration.md lists them)");
        }
    }

    /**
     * What SIGTERM does: a stop-with-savepoint when {@code shutdown.savepoint=true} (falling back
     * to a plain stop if it fails or times out), then the stop; waits at most {@code
     * shutdown.timeout.ms} for each.
     */
    static void shutdown(RunningJob running, WeirConfig config) {
        Duration timeout = Duration.ofMillis(config.get(LauncherOptions.SHUTDOWN_TIMEOUT_MS));
        JobStatus status = running.status();
        if (status == JobStatus.STOPPED || status == JobStatus.FAILED) {
            return;
        }
        if (config.get(LauncherOptions.SHUTDOWN_SAVEPOINT)) {
            String dir = config.get(LauncherOptions.SHUTDOWN_SAVEPOINT_DIR);
            System.err.println("weir: SIGTERM, stopping " + running.name() + " with a savepoint");
            try {
                String location =
                        running.stopWithSavepoint(dir.isBlank() ? null : dir)
                                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                System.out.println("savepoint: " + location);
                System.out.flush();
            } catch (ExecutionException e) {
                System.err.println(
                        "error: the savepoint on SIGTERM failed ("
                                + e.getCause().getMessage()
                                + "); stopping without one, the next start resumes from the last"
                                + " checkpoint");
            } catch (TimeoutException e) {
                System.err.println(
                        "error: no savepoint after shutdown.timeout.ms="
                                + timeout.toMillis()
                                + "; stopping without one, the next start resumes from the last"
                                + " checkpoint");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            System.err.println("weir: SIGTERM, stopping " + running.name());
        }
        running.stop();
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

    /** Every key {@code weir run} accepts for {@code factory}. */
    public static List<ConfigOption<?>> knownOptions(JobFactory factory) {
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
        all.addAll(AvroSerdeOptions.bareAndPerSide());
        all.addAll(LauncherOptions.all());
        all.addAll(factory.options());
        return new ArrayList<>(all);
    }
}
