package dev.weir.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The offline savepoint rescale against {@code cp -r} of the same files, in one run:
 *
 * <ol>
 *   <li>writes a savepoint of about GB with {@link SavepointGen} (P=2, 128 key groups, 1 KiB
 *       values; not timed) and, unless {@code --no-verify}, checks it with {@code verify --deep};
 *   <li>per round, three steps, each after {@code sync} and dropping the page cache (when this
 *       process may write {@code /proc/sys/vm/drop_caches}; the report says whether it could), then
 *       running the step once untimed on a 1 MB savepoint, so that SRC is read cold but the JDK and
 *       the tool's jar are not: {@code cp -r SRC DST0}; {@code rescale SRC DST1 --parallelism 3}
 *       (key-group sections copied); {@code rescale SRC DST2 --parallelism 3 --max-parallelism 256}
 *       (keys re-hashed in two passes). Round 1 runs them in that order, round 2 with {@code cp}
 *       last, and so on alternately. The tool is savepoint-tools' runnable jar in a child JVM under
 *       {@code -Xmx256m} ({@code BENCH_TOOL_JAVA_OPTS} replaces that). Each step is timed from
 *       start to exit, then the {@code sync} after it separately: {@code cp} leaves its copy in the
 *       page cache, the tool fsyncs every file it writes;
 *   <li>each output is checked (round 1: {@code verify --deep}; every round: its size) and deleted.
 * </ol>
 *
 * Peak RSS, CPU and I/O come from {@code /usr/bin/time} (getrusage of the child: exact), or, where
 * it is not installed, from sampling {@code /proc/<pid>} every 50 ms (peak RSS and CPU only).
 *
 * <p>Usage: {@code RescaleBench --tool-jar JAR [GB=1] [--rounds R] [--no-verify]}
 */
public final class RescaleBench {
    private static final Path TIME = Path.of("/usr/bin/time");
    private static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");
    private static final double GOAL_PARALLELISM = 0.8;
    private static final double GOAL_MAX_PARALLELISM = 0.4;

    private RescaleBench() {}

    /** What to run. */
    record Options(Path toolJar, double gigabytes, int rounds, boolean verify) {
        static Options parse(List<String> args) {
            Path jar = null;
            double gb = 1;
            int rounds = 2;
            boolean verify = true;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--tool-jar" -> jar = Path.of(args.get(++i));
                    case "--rounds" -> rounds = Integer.parseInt(args.get(++i));
                    case "--no-verify" -> verify = false;
                    default -> {
                        if (!a.matches("[0-9]+(\\.[0-9]+)?")) {
                            throw new IllegalArgumentException("unknown argument '" + a + "'");
                        }
                        gb = Double.parseDouble(a);
                    }
                }
            }
            if (jar == null || !Files.isRegularFile(jar)) {
                throw new IllegalArgumentException(
                        "--tool-jar must name savepoint-tools/target/weir-savepoint-tools.jar, got "
                                + jar);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
            }
            return new Options(jar, gb, rounds, verify);
        }
    }

    /** One timed step; the tool's steps name their arguments after SRC and DST. */
    enum Step {
        COPY("cp -r", List.of()),
        PARALLELISM("rescale --parallelism 3", List.of("--parallelism", "3")),
        MAX_PARALLELISM(
                "rescale --parallelism 3 --max-parallelism 256",
                List.of("--parallelism", "3", "--max-parallelism", "256"));

        final String title;
        final List<String> toolArgs;

        Step(String title, List<String> toolArgs) {
            this.title = title;
            this.toolArgs = toolArgs;
        }
    }

    /**
     * One step of one round: what the child did, the {@code sync} after it, the tool's own time.
     */
    record Measurement(
            int round, Step step, Measured child, long syncNanos, OptionalLong toolMillis) {}

    /**
     * What one child did. {@code readBytes} is what it read from the block device, {@code
     * writtenBytes} what it wrote to files (scratch files included), both from getrusage; -1 where
     * unknown, as without {@code /usr/bin/time}.
     */
    record Measured(
            int exitCode,
            long wallNanos,
            long cpuMillis,
            long peakRssBytes,
            long readBytes,
            long writtenBytes) {}

    public static void main(String[] args) throws Exception {
        boolean ok = run(Options.parse(List.of(args)), System.out);
        System.exit(ok ? 0 : 1);
    }

    static boolean run(Options o, PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("weir-bench-rescale-");
        out.println("load average before the run: " + Machine.loadAverage());
        out.printf("machine: %s; work dir %s%n", Machine.describe(), work);
        boolean ok = false;
        try {
            ok = new Run(o, work, out).run();
        } finally {
            WorkDir.finish(work, ok, out);
        }
        return ok;
    }

    private static final class Run {
        private final Options o;
        private final Path work;
        private final PrintStream out;
        private final Path src;
        private final List<Measurement> results = new ArrayList<>();
        private long srcBytes;
        private boolean dropped;
        private final Path tiny;

        Run(Options o, Path work, PrintStream out) {
            this.o = o;
            this.work = work;
            this.out = out;
            this.src = work.resolve("savepoint-" + SavepointGen.JOB + "-1");
            this.tiny = work.resolve("savepoint-warm-up");
        }

        boolean run() throws Exception {
            long t0 = System.nanoTime();
            SavepointGen.Result g =
                    SavepointGen.write(src, SavepointGen.Options.defaults(o.gigabytes()));
            srcBytes = WorkDir.size(src);
            SavepointGen.write(tiny, SavepointGen.Options.defaults(0.001));
            out.printf(
                    "savepoint %s: %,d keys, %,d bytes (%,d MB) in %d files, written in %.1f s"
                            + " (not timed)%n",
                    src,
                    g.keys(),
                    srcBytes,
                    srcBytes >> 20,
                    fileCount(src),
                    (System.nanoTime() - t0) / 1e9);
            if (o.verify()) {
                tool("verify-src", List.of("verify", "--deep", "--quiet", src.toString()));
            }
            dropped = dropCaches();
            out.println(
                    dropped
                            ? "page cache: sync and drop_caches before every step, then the step"
                                    + " run once untimed on a 1 MB savepoint: SRC is read cold,"
                                    + " the JDK and the jar warm"
                            : "page cache: cannot write "
                                    + DROP_CACHES
                                    + " (not root?): every step reads SRC from a warm cache,"
                                    + " which the generator just filled");
            out.println(
                    Files.isExecutable(TIME)
                            ? "RSS, CPU and I/O: " + TIME + " (getrusage of the child)"
                            : "RSS and CPU: sampled from /proc every 50 ms (no " + TIME + ")");
            out.println("tool JVM options: " + toolJavaOpts());
            for (int round = 1; round <= o.rounds(); round++) {
                List<Step> order = new ArrayList<>(List.of(Step.values()));
                if (round % 2 == 0) {
                    order.add(order.remove(0)); // cp last
                }
                for (Step s : order) {
                    results.add(step(round, s));
                }
            }
            print();
            out.println("load average after the run: " + Machine.loadAverage());
            return true;
        }

        private Measurement step(int round, Step s) throws Exception {
            Path dst = work.resolve("dst-" + s.name().toLowerCase());
            String log = round + "-" + s.name().toLowerCase();
            if (dropped) {
                dropCaches();
                // Untimed: the same step on a 1 MB savepoint brings the step's own program back
                // into the page cache — the JDK's classes and the tool's 100 MB jar, read cold,
                // added ~2 s to every tool step; a --version start warmed only part of them — but
                // not SRC.
                Path warmDst = work.resolve("warm-dst");
                measure(
                        log + "-warm",
                        s == Step.COPY
                                ? List.of("cp", "-r", tiny.toString(), warmDst.toString())
                                : toolCommand(rescaleArgs(s, tiny, warmDst)));
                WorkDir.delete(warmDst);
            }
            Measured m =
                    s == Step.COPY
                            ? measure(log, List.of("cp", "-r", src.toString(), dst.toString()))
                            : measure(log, toolCommand(rescaleArgs(s, src, dst)));
            if (m.exitCode() != 0) {
                throw new IllegalStateException(
                        s.title + " exited with " + m.exitCode() + "; see " + logFile(log));
            }
            long syncStart = System.nanoTime();
            sync();
            long syncNanos = System.nanoTime() - syncStart;
            long size = WorkDir.size(dst);
            if (s == Step.COPY ? size != srcBytes : size < srcBytes / 2) {
                throw new IllegalStateException(
                        s.title + " wrote " + size + " bytes of " + srcBytes + " to " + dst);
            }
            OptionalLong toolMillis = OptionalLong.empty();
            if (s != Step.COPY) {
                Matcher x = MILLIS.matcher(Files.readString(logFile(log)));
                toolMillis = x.find() ? OptionalLong.of(Long.parseLong(x.group(1))) : toolMillis;
                if (round == 1 && o.verify()) {
                    tool(log + "-verify", List.of("verify", "--deep", "--quiet", dst.toString()));
                }
            }
            WorkDir.delete(dst);
            sync();
            out.printf(
                    "round %d, %s: %.1f s (+ %.1f s sync), %,d MB written to %s%n",
                    round, s.title, m.wallNanos() / 1e9, syncNanos / 1e9, size >> 20, dst);
            return new Measurement(round, s, m, syncNanos, toolMillis);
        }

        private static final Pattern MILLIS = Pattern.compile("\"millis\"\\s*:\\s*(\\d+)");

        private List<String> rescaleArgs(Step s, Path from, Path dst) {
            List<String> a = new ArrayList<>(List.of("rescale", from.toString(), dst.toString()));
            a.addAll(s.toolArgs);
            a.addAll(List.of("--quiet", "-o", "json"));
            return a;
        }

        private List<String> toolCommand(List<String> args) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String opt : toolJavaOpts().split("\\s+")) {
                if (!opt.isEmpty()) {
                    cmd.add(opt);
                }
            }
            cmd.add("-jar");
            cmd.add(o.toolJar().toString());
            cmd.addAll(args);
            return cmd;
        }

        private static String toolJavaOpts() {
            return System.getenv().getOrDefault("BENCH_TOOL_JAVA_OPTS", "-Xmx256m").trim();
        }

        /** Runs the tool untimed; throws unless it exits 0. */
        private void tool(String log, List<String> args) throws Exception {
            Measured m = measure(log, toolCommand(args));
            if (m.exitCode() != 0) {
                throw new IllegalStateException(
                        "savepoint tool "
                                + args
                                + " exited with "
                                + m.exitCode()
                                + "; see "
                                + logFile(log));
            }
            out.printf("%s: OK (%.1f s, not timed)%n", String.join(" ", args), m.wallNanos() / 1e9);
        }

        private Path logFile(String name) {
            return work.resolve("logs").resolve(name + ".log");
        }

        private Measured measure(String logName, List<String> command) throws Exception {
            Path log = logFile(logName);
            Files.createDirectories(log.getParent());
            Path usage = work.resolve("logs").resolve(logName + ".time");
            boolean timed = Files.isExecutable(TIME);
            List<String> cmd = new ArrayList<>();
            if (timed) {
                // %M peak RSS in KiB; %U %S CPU s; %I %O block-device reads, file writes (512 B).
                cmd.addAll(
                        List.of(TIME.toString(), "-f", "%M %U %S %I %O", "-o", usage.toString()));
            }
            cmd.addAll(command);
            long t0 = System.nanoTime();
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                            .start();
            AtomicLong peak = new AtomicLong();
            AtomicLong cpu = new AtomicLong();
            while (!timed && p.isAlive()) {
                ProcStats.peakRssBytes(p.pid()).ifPresent(v -> peak.accumulateAndGet(v, Math::max));
                ProcStats.cpuNanos(p.pid()).ifPresent(cpu::set);
                Thread.sleep(50);
            }
            int code = p.waitFor();
            long wall = System.nanoTime() - t0;
            if (!timed) {
                return new Measured(code, wall, cpu.get() / 1_000_000, peak.get(), -1, -1);
            }
            String[] f = lastLine(usage).trim().split("\\s+");
            return new Measured(
                    code,
                    wall,
                    Math.round((Double.parseDouble(f[1]) + Double.parseDouble(f[2])) * 1000),
                    Long.parseLong(f[0]) * 1024,
                    Long.parseLong(f[3]) * 512,
                    Long.parseLong(f[4]) * 512);
        }

        /** The line GNU time appends; before it, "Command exited with non-zero status". */
        private static String lastLine(Path file) throws IOException {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.get(lines.size() - 1);
        }

        private void print() {
            double mb = srcBytes / (double) (1 << 20);
            out.println();
            out.printf(
                    "SRC: %,d MB in key-group files (P=2, 128 key groups); %s%n%n",
                    srcBytes >> 20, dropped ? "cold page cache before every step" : "warm cache");
            out.println(
                    "| round | step | wall s | in tool s | MB/s | vs cp -r | sync after s |"
                            + " vs cp -r + sync | CPU s | peak RSS MB | disk read MB |"
                            + " file writes MB |");
            out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (Measurement r : results) {
                Measured m = r.child();
                Measurement cp = copyOf(r.round());
                out.printf(
                        "| %d | %s | %.1f | %s | %.0f | %.2f | %.1f | %.2f | %.1f | %d | %s | %s |%n",
                        r.round(),
                        r.step().title,
                        m.wallNanos() / 1e9,
                        r.toolMillis().isPresent()
                                ? String.format("%.1f", r.toolMillis().getAsLong() / 1e3)
                                : "-",
                        mb / (m.wallNanos() / 1e9),
                        vsCopy(r, cp),
                        r.syncNanos() / 1e9,
                        vsCopyAndSync(r, cp),
                        m.cpuMillis() / 1e3,
                        m.peakRssBytes() >> 20,
                        m.readBytes() < 0 ? "-" : String.valueOf(m.readBytes() >> 20),
                        m.writtenBytes() < 0 ? "-" : String.valueOf(m.writtenBytes() >> 20));
            }
            out.println();
            goal(Step.PARALLELISM, GOAL_PARALLELISM);
            goal(Step.MAX_PARALLELISM, GOAL_MAX_PARALLELISM);
            long rss =
                    results.stream()
                            .filter(r -> r.step() != Step.COPY)
                            .mapToLong(r -> r.child().peakRssBytes())
                            .max()
                            .orElse(0);
            out.printf("peak RSS of the tool (%s): %d MB%n", toolJavaOpts(), rss >> 20);
        }

        private void goal(Step s, double goal) {
            List<Double> vsCp = new ArrayList<>();
            List<Double> vsCpSync = new ArrayList<>();
            for (Measurement r : results) {
                if (r.step() == s) {
                    Measurement cp = copyOf(r.round());
                    vsCp.add(vsCopy(r, cp));
                    vsCpSync.add(vsCopyAndSync(r, cp));
                }
            }
            double worst = vsCp.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            out.printf(
                    "%s: %s x cp -r (goal >= %.1f: %s), %s x cp -r + sync%n",
                    s.title, range(vsCp), goal, worst >= goal ? "met" : "not met", range(vsCpSync));
        }

        /**
         * Throughput relative to {@code cp -r} of the same round: the inverse ratio of wall times.
         */
        private static double vsCopy(Measurement r, Measurement cp) {
            return (double) cp.child().wallNanos() / r.child().wallNanos();
        }

        /** The same, each with the {@code sync} after it: {@code cp} does not flush its copy. */
        private static double vsCopyAndSync(Measurement r, Measurement cp) {
            return (double) (cp.child().wallNanos() + cp.syncNanos())
                    / (r.child().wallNanos() + r.syncNanos());
        }

        private static String range(List<Double> values) {
            double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            return String.format("%.2f–%.2f", min, max);
        }

        private Measurement copyOf(int round) {
            return results.stream()
                    .filter(r -> r.round() == round && r.step() == Step.COPY)
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static long fileCount(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    /** Writes back dirty pages, so a step's writes are not paid by the next one. */
    private static void sync() throws Exception {
        int code = new ProcessBuilder("sync").inheritIO().start().waitFor();
        if (code != 0) {
            throw new IllegalStateException("sync exited with " + code);
        }
    }

    /** {@code sync} then drops the page cache, dentries and inodes; false if not allowed. */
    private static boolean dropCaches() throws Exception {
        sync();
        try {
            Files.writeString(DROP_CACHES, "3");
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
