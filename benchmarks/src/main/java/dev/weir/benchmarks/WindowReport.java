package dev.weir.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link WindowBench}'s results as Markdown tables; ratios against the same round's pipe. */
final class WindowReport {
    private WindowReport() {}

    static void print(
            WindowBench.Options o,
            String machine,
            WindowModel model,
            List<WindowBench.Run> runs,
            PrintStream out) {
        int n = o.records();
        WindowSpec spec = o.spec();
        out.println();
        out.printf(
                "N=%,d records, K=%,d keys (%s), %d records/ms, disorder ≤ %d ms; windows %d ms,"
                        + " out-of-orderness %d ms, lateness %d ms; %,d expected outputs over %,d"
                        + " windows; Kafka Streams %s, cache %,d bytes; %s%n%n",
                n,
                o.keys(),
                o.distribution().name().toLowerCase(),
                o.recordsPerMs(),
                o.disorderMs(),
                spec.sizeMs(),
                spec.outOfOrdernessMs(),
                spec.allowedLatenessMs(),
                model.expected(),
                model.windows(),
                o.streamsEmit(),
                o.streamsCacheBytes(),
                machine);
        boolean rounds = o.rounds() > 1;
        out.println(
                "| contender |"
                        + (rounds ? " round |" : "")
                        + " wall s | 1st output s | records/s | vs pipe | CPU s | CPU µs/record |"
                        + " vs pipe | peak RSS MB | vs pipe | broker CPU s | harness CPU s |"
                        + " outputs | late | check |");
        out.println(
                "|---|"
                        + (rounds ? "---:|" : "")
                        + "---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (WindowBench.Run r : runs) {
            Optional<WindowBench.Run> pipe = same(runs, Contender.PIPE, r.round());
            double rate = n / (r.wallNanos() / 1e9);
            double cpu = r.cpuNanos() / 1e3 / n;
            out.printf(
                    "| %s |%s %.1f | %.1f | %,.0f | %s | %.1f | %.1f | %s | %d | %s | %.1f | %.1f"
                            + " | %,d | %s | %s |%n",
                    r.contender().title,
                    rounds ? " " + r.round() + " |" : "",
                    r.wallNanos() / 1e9,
                    r.firstOutputNanos() / 1e9,
                    rate,
                    ratio(rate, pipe.map(p -> n / (p.wallNanos() / 1e9))),
                    r.cpuNanos() / 1e9,
                    cpu,
                    ratio(cpu, pipe.map(p -> p.cpuNanos() / 1e3 / n)),
                    r.peakRssBytes() >> 20,
                    ratio(r.peakRssBytes(), pipe.map(p -> (double) p.peakRssBytes())),
                    r.brokerCpuNanos() / 1e9,
                    r.harnessCpuNanos() / 1e9,
                    r.outputs(),
                    r.late() < 0 ? "-" : Long.toString(r.late()),
                    r.check());
        }
        if (rounds) {
            printRounds(o, runs, out);
        }
        out.println();
        out.println(
                runs.stream().allMatch(WindowBench.Run::ok)
                        ? "windows: OK for every contender"
                        : "windows: MISMATCH (see the table)");
    }

    private static void printRounds(
            WindowBench.Options o, List<WindowBench.Run> runs, PrintStream out) {
        int n = o.records();
        out.println();
        out.printf("Over %d rounds (median, and min–max of the per-round ratios):%n%n", o.rounds());
        out.println(
                "| contender | records/s | vs pipe | vs Kafka Streams windowed | CPU µs/record |"
                        + " CPU vs pipe | peak RSS MB | RSS vs pipe | checks |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Contender c : o.contenders()) {
            List<Double> rates = new ArrayList<>();
            List<Double> vsPipe = new ArrayList<>();
            List<Double> vsStreams = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<Double> cpuVsPipe = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            List<Double> rssVsPipe = new ArrayList<>();
            long ok = 0;
            long total = 0;
            for (WindowBench.Run r : runs) {
                if (r.contender() != c) {
                    continue;
                }
                total++;
                ok += r.ok() ? 1 : 0;
                rates.add(n / (r.wallNanos() / 1e9));
                cpu.add(r.cpuNanos() / 1e3 / n);
                rss.add((double) (r.peakRssBytes() >> 20));
                same(runs, Contender.PIPE, r.round())
                        .ifPresent(
                                p -> {
                                    vsPipe.add((double) p.wallNanos() / r.wallNanos());
                                    cpuVsPipe.add((double) r.cpuNanos() / p.cpuNanos());
                                    rssVsPipe.add((double) r.peakRssBytes() / p.peakRssBytes());
                                });
                same(runs, Contender.STREAMS_WINDOW, r.round())
                        .ifPresent(s -> vsStreams.add((double) s.wallNanos() / r.wallNanos()));
            }
            out.printf(
                    "| %s | %,.0f | %s | %s | %.1f | %s | %.0f | %s | %s |%n",
                    c.title,
                    median(rates),
                    spread(vsPipe),
                    spread(vsStreams),
                    median(cpu),
                    spread(cpuVsPipe),
                    median(rss),
                    spread(rssVsPipe),
                    ok == total ? "OK ×" + total : "MISMATCH in " + (total - ok) + " of " + total);
        }
    }

    private static Optional<WindowBench.Run> same(
            List<WindowBench.Run> runs, Contender c, int round) {
        return runs.stream().filter(r -> r.contender() == c && r.round() == round).findFirst();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int m = sorted.size();
        if (m == 0) {
            return Double.NaN;
        }
        return m % 2 == 1 ? sorted.get(m / 2) : (sorted.get(m / 2 - 1) + sorted.get(m / 2)) / 2;
    }

    private static String spread(List<Double> ratios) {
        if (ratios.isEmpty()) {
            return "-";
        }
        double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return String.format("%.2f (%.2f–%.2f)", median(ratios), min, max);
    }

    private static String ratio(double value, Optional<Double> base) {
        return base.filter(b -> b > 0).map(b -> String.format("%.2f", value / b)).orElse("-");
    }
}
