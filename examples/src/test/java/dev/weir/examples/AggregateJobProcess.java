package dev.weir.examples;

import dev.weir.testkit.ChildClasspath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * keyed-aggregate (or another named job) run by {@code WeirMain run} in a child JVM (small heap,
 * serial GC), with its stdout and stderr in a log file of its own, optionally with a crash point
 * ({@code -Dweir.test.crash-at=<point>:<checkpointId>}). Used by one test thread.
 */
final class AggregateJobProcess implements AutoCloseable {
    /** Exit code of a JVM killed with SIGKILL, and of one halted at a crash point. */
    static final int KILLED = 137;

    private static final Pattern LAST_COMMITTED =
            Pattern.compile("last committed checkpoint: (\\d+|none)");
    private static final Pattern RESTORING =
            Pattern.compile("restoring committed checkpoint (\\d+)");
    private static final Pattern COMPLETED = Pattern.compile("checkpoint (\\d+) completed in");

    final Process process;
    final Path log;
    private final long startNanos = System.nanoTime();

    private AggregateJobProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * The settings of keyed-aggregate with exactly-once output on {@code broker}, checkpoints every
     * 300 ms under {@code dir}, a 6 s job lock, reading from the earliest offset.
     */
    static Map<String, String> exactlyOnceSettings(
            dev.weir.testkit.KafkaBroker broker, Path dir, String job, String in, String out) {
        Map<String, String> s = new java.util.LinkedHashMap<>();
        s.put("bootstrap.servers", broker.bootstrapServers());
        s.put("job.name", job);
        s.put("input.topic", in);
        s.put("output.topic", out);
        s.put("parallelism", "2");
        s.put("checkpoint.dir", dir.resolve("checkpoints").toUri().toString());
        s.put("checkpoint.interval.ms", "300");
        s.put("state.local-dir", dir.resolve("state").toString());
        s.put("sink.delivery", "exactly-once");
        s.put("job.lock.session-timeout.ms", "6000");
        s.put("source.start", "earliest");
        return s;
    }

    /**
     * Starts the child; {@code settings} become {@code --set key=value} arguments, in their
     * iteration order.
     */
    static AggregateJobProcess start(
            Path log, Optional<String> crashAt, Map<String, String> settings) throws IOException {
        return startWith(
                log,
                crashAt.map(c -> List.of("-Dweir.test.crash-at=" + c)).orElse(List.of()),
                settings);
    }

    /** Starts the child with extra JVM options (system properties such as a stop point). */
    static AggregateJobProcess startWith(
            Path log, List<String> jvmOptions, Map<String, String> settings) throws IOException {
        return startJob("keyed-aggregate", log, jvmOptions, settings);
    }

    /** Starts {@code weir run <job>} (a named job, such as avro-aggregate) in the child. */
    static AggregateJobProcess startJob(
            String job, Path log, List<String> jvmOptions, Map<String, String> settings)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dlog4j2.configurationFile=weir-log4j2.xml");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(ChildClasspath.ofThisJvm());
        cmd.add("dev.weir.launcher.WeirMain");
        cmd.add("run");
        cmd.add(job);
        settings.forEach(
                (k, v) -> {
                    cmd.add("--set");
                    cmd.add(k + "=" + v);
                });
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        return new AggregateJobProcess(p, log);
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    String tail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * Waits until the log contains {@code fragment}; returns how long that took since the start, or
     * throws if it did not appear within {@code timeout} or the process ended without it.
     */
    Duration awaitLog(String fragment, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (log().contains(fragment)) {
                return Duration.ofNanos(System.nanoTime() - startNanos);
            }
            if (!process.isAlive()) {
                process.waitFor();
                if (log().contains(fragment)) {
                    return Duration.ofNanos(System.nanoTime() - startNanos);
                }
                throw new AssertionError(
                        "child exited with "
                                + process.exitValue()
                                + " before logging '"
                                + fragment
                                + "'; "
                                + log
                                + " ends with:\n"
                                + tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "child did not log '"
                                + fragment
                                + "' within "
                                + timeout
                                + "; "
                                + log
                                + " ends with:\n"
                                + tail(40));
            }
            Thread.sleep(50);
        }
    }

    /** Waits for the process to end and returns its exit code; throws if it is still alive. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(
                    "child still alive after " + timeout + "; " + log + " ends with:\n" + tail(40));
        }
        return process.exitValue();
    }

    /** SIGKILL, and waits until the process is gone; returns its exit code. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return awaitExit(Duration.ofSeconds(30));
    }

    /** The checkpoint the process's recovery found committed (-1: none), from its log. */
    long lastCommittedAtStart() {
        Matcher m = LAST_COMMITTED.matcher(log());
        if (!m.find()) {
            throw new AssertionError("no 'last committed checkpoint' line in " + log);
        }
        return m.group(1).equals("none") ? -1 : Long.parseLong(m.group(1));
    }

    /** The committed checkpoint the process restored at its first start, if any. */
    Optional<Long> restoredAtStart() {
        Matcher m = RESTORING.matcher(log());
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** The last checkpoint the process logged as completed (committed), if any. */
    Optional<Long> lastCompletedCheckpoint() {
        Matcher m = COMPLETED.matcher(log());
        Long last = null;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return Optional.ofNullable(last);
    }

    /** Log lines with WARN or ERROR level, for the test output. */
    List<String> warnings() {
        return log().lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
    }

    /** SIGTERM (a graceful stop) if still alive; SIGKILL if that takes more than 60 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
