package dev.weir.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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
