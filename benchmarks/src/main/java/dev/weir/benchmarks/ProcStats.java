package dev.weir.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads a Linux process's CPU time and peak resident set size from {@code /proc}. Stateless and
 * thread-safe; every method returns empty (or 0) once the process is gone.
 */
final class ProcStats {
    private static final long TICKS_PER_SECOND = clockTicks();

    private ProcStats() {}

    /** utime + stime of {@code pid} in nanoseconds (all its threads), or empty if it is gone. */
    static Optional<Long> cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces; fields after it follow the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
            return Optional.of(ticks * 1_000_000_000L / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The CPU time of {@code pid}'s live threads grouped by name (digits replaced by {@code N};
     * Linux keeps 15 characters of a name), largest first, as {@code "name 1.2 s (34 %), …"} for
     * the {@code top} largest; empty if it is gone. Threads that have ended are not counted. Shows
     * where a child's CPU went, native threads too (RocksDB's, the JIT compilers, GC), which a Java
     * profiler's samples leave out.
     */
    static String cpuByThread(long pid, int top) {
        Map<String, Long> ticks = new HashMap<>();
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long n = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    ticks.merge(name.replaceAll("[0-9]+", "N"), n, Long::sum);
                    total += n;
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while being read
                }
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        long all = Math.max(1, total);
        return ticks.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .map(
                        e ->
                                String.format(
                                        "%s %.1f s (%d %%)",
                                        e.getKey(),
                                        (double) e.getValue() / TICKS_PER_SECOND,
                                        Math.round(100.0 * e.getValue() / all)))
                .collect(Collectors.joining(", "));
    }

    /** VmHWM (peak resident set size) of {@code pid} in bytes, or empty if it is gone. */
    static Optional<Long> peakRssBytes(long pid) {
        return statusField(pid, "VmHWM:");
    }

    private static Optional<Long> statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    String kb = line.substring(field.length()).trim().split("\\s+")[0];
                    return Optional.of(Long.parseLong(kb) * 1024);
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The pid of the Kafka broker, a child process of this JVM running {@code kafka.Kafka}. */
    static Optional<Long> brokerPid() {
        return ProcessHandle.current()
                .children()
                .filter(p -> commandLine(p.pid()).contains("kafka.Kafka"))
                .map(ProcessHandle::pid)
                .findFirst();
    }

    private static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder(List.of("getconf", "CLK_TCK")).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return Long.parseLong(out.trim());
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
