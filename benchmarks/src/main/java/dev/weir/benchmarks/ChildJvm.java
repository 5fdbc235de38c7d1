package dev.weir.benchmarks;

import dev.weir.testkit.ChildClasspath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One contender in a JVM of its own, started with this JVM's class path, {@code -Xmx1g} (or {@code
 * BENCH_CHILD_JAVA_OPTS}) and Weir's launcher logging configuration; stdout and stderr go to a log
 * file. A daemon thread samples its peak RSS (VmHWM) every 100 ms while it lives, so the figure
 * survives the process. Used by one harness thread.
 */
final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final long startNanos;
    private final LocalTime startClock;
    private final AtomicLong peakRss = new AtomicLong();

    private ChildJvm(String name, Process process, Path log, long startNanos, LocalTime clock) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startNanos = startNanos;
        this.startClock = clock;
        Thread sampler = new Thread(this::sample, "rss-sampler-" + name);
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts {@code mainClass} with {@code args}; its output is appended to {@code log}. */
    static ChildJvm start(String name, Path log, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String opts = System.getenv().getOrDefault("BENCH_CHILD_JAVA_OPTS", "-Xmx1g");
        for (String o : opts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.add("-Dlog4j2.configurationFile=weir-log4j2.xml");
        cmd.add("-cp");
        cmd.add(ChildClasspath.ofThisJvm());
        cmd.add(mainClass);
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            LocalTime clock = LocalTime.now();
            long t0 = System.nanoTime();
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                            .start();
            return new ChildJvm(name, p, log, t0, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the child JVM of " + name, e);
        }
    }

    private void sample() {
        while (process.isAlive()) {
            ProcStats.peakRssBytes(process.pid())
                    .ifPresent(v -> peakRss.accumulateAndGet(v, Math::max));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** {@link System#nanoTime()} just before the process was started. */
    long startNanos() {
        return startNanos;
    }

    /** Wall-clock time of day of the start, to place the child's log timestamps. */
    LocalTime startClock() {
        return startClock;
    }

    Path log() {
        return log;
    }

    /** CPU time (user + system) the process used so far; 0 once it is gone. */
    long cpuNanos() {
        return ProcStats.cpuNanos(process.pid()).orElse(0L);
    }

    /** {@link ProcStats#cpuByThread} of the eight largest thread groups; empty once it is gone. */
    String cpuByThread() {
        return ProcStats.cpuByThread(process.pid(), 8);
    }

    /** Peak resident set size seen so far, in bytes. */
    long peakRssBytes() {
        ProcStats.peakRssBytes(process.pid())
                .ifPresent(v -> peakRss.accumulateAndGet(v, Math::max));
        return peakRss.get();
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Throws with the log's tail if the process has exited. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    name
                            + " exited with code "
                            + process.exitValue()
                            + "; "
                            + log
                            + " ends with:\n"
                            + tail(40));
        }
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM (graceful stop) if still alive; SIGKILL if that takes longer than {@code grace}. */
    void stop(Duration grace) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        }
    }

    /** {@link #stop} with 60 s of grace; if interrupted, kills the process and keeps the flag. */
    @Override
    public void close() {
        try {
            stop(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
