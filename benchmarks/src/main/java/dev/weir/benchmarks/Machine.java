package dev.weir.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One line describing the machine a run happened on, for the printed report. */
final class Machine {
    private Machine() {}

    static String describe() {
        return Runtime.getRuntime().availableProcessors()
                + " cores ("
                + firstValue(Path.of("/proc/cpuinfo"), "model name")
                + "), "
                + memTotal()
                + " RAM, "
                + System.getProperty("os.name")
                + " "
                + System.getProperty("os.version")
                + ", JDK "
                + System.getProperty("java.version");
    }

    /** The 1, 5 and 15 minute load averages: other work on a shared machine skews a run. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String memTotal() {
        String kb = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        try {
            long v = Long.parseLong(kb.replace("kB", "").trim());
            return (v / 1024 / 1024) + " GiB";
        } catch (NumberFormatException e) {
            return kb;
        }
    }

    private static String firstValue(Path file, String field) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String l : lines) {
                if (l.startsWith(field)) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "?";
        }
        return "?";
    }
}
