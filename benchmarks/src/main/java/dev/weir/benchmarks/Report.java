package dev.weir.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The results of one {@link EndToEnd} invocation, printed as Markdown tables. */
final class Report {
    private final EndToEnd.Options options;
    private final String machine;
    private final List<EndToEnd.Throughput> throughput = new ArrayList<>();
    private final List<EndToEnd.Latency> latency = new ArrayList<>();

    Report(EndToEnd.Options options, String machine) {
        this.options = options;
        this.machine = machine;
    }

    String machine() {
        return machine;
    }

    void add(EndToEnd.Throughput t) {
        throughput.add(t);
    }

    void add(EndToEnd.Latency l) {
        latency.add(l);
    }

    List<EndToEnd.Throughput> throughput() {
        return List.copyOf(throughput);
    }

    List<EndToEnd.Latency> latency() {
        return List.copyOf(latency);
    }

    /** Every contender's output was checked and correct. */
    boolean allOk() {
        return throughput.size() == options.contenders().size() * options.rounds()
                && throughput.stream().allMatch(EndToEnd.Throughput::ok);
    }

    void print(PrintStream out) {
        int n = options.records();
        out.println();
        out.printf(
                "N=%,d records, K=%,d keys (%s), commit interval %d ms; %s%n%n",
                n,
                options.keys(),
                options.distribution().name().toLowerCase(),
                options.intervalMs(),
                machine);
        out.println(
                "| contender |"
                        + (options.rounds() > 1 ? " round |" : "")
                        + " wall s | 1st output s | records/s | vs pipe | CPU s | CPU µs/record"
                        + " | vs pipe | net of start-up: CPU µs/record | peak RSS MB | vs pipe |"
                        + " broker CPU s | harness CPU s | outputs | final count & sum |");
        out.println(
                "|---|"
                        + (options.rounds() > 1 ? "---:|" : "")
                        + "---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (EndToEnd.Throughput t : throughput) {
            Optional<EndToEnd.Throughput> pipe = same(Contender.PIPE, t.round());
            double rate = n / (t.wallNanos() / 1e9);
            double cpuPerRecord = t.cpuNanos() / 1e3 / n;
            String net =
                    startupCpu(t.contender())
                            .map(c -> String.format("%.1f", (t.cpuNanos() - c) / 1e3 / n))
                            .orElse("-");
            out.printf(
                    "| %s |%s %.1f | %.1f | %,.0f | %s | %.1f | %.1f | %s | %s | %d | %s | %.1f |"
                            + " %.1f | %,d | %s |%n",
                    t.contender().title,
                    options.rounds() > 1 ? " " + t.round() + " |" : "",
                    t.wallNanos() / 1e9,
                    t.firstOutputNanos() / 1e9,
                    rate,
                    ratio(rate, pipe.map(p -> n / (p.wallNanos() / 1e9))),
                    t.cpuNanos() / 1e9,
                    cpuPerRecord,
                    ratio(cpuPerRecord, pipe.map(p -> p.cpuNanos() / 1e3 / n)),
                    net,
                    t.peakRssBytes() >> 20,
                    ratio(t.peakRssBytes(), pipe.map(p -> (double) p.peakRssBytes())),
                    t.brokerCpuNanos() / 1e9,
                    t.harnessCpuNanos() / 1e9,
                    t.outputs(),
                    t.check());
        }
        if (options.rounds() > 1) {
            printRounds(out);
        }
        printAvroCost(out);
        if (!latency.isEmpty()) {
            out.println();
            out.println(
                    "| end-to-end latency (paced, read_committed) | rate/s | records | p50 ms |"
                            + " p99 ms | max ms | start-up CPU s |");
            out.println("|---|---:|---:|---:|---:|---:|---:|");
            for (EndToEnd.Latency l : latency) {
                out.printf(
                        "| %s | %,d | %,d | %d | %d | %d | %.1f |%n",
                        l.contender().title,
                        l.rate(),
                        l.records(),
                        l.millis().at(50),
                        l.millis().at(99),
                        l.millis().max(),
                        l.startupCpuNanos() / 1e9);
            }
        }
        out.println();
        out.println(
                allOk()
                        ? "final count and sum per key: OK for every contender"
                        : "final count and sum per key: MISMATCH (see the table)");
    }

    /**
     * What Avro costs: avro-aggregate's CPU per record less keyed-aggregate's in the same round
     * (the same records, JSON and Avro), and the schema registry requests per record.
     */
    private void printAvroCost(PrintStream out) {
        int n = options.records();
        List<Double> added = new ArrayList<>();
        long requests = 0;
        int runs = 0;
        for (EndToEnd.Throughput t : throughput) {
            if (t.contender() == Contender.WEIR_AVRO) {
                requests += t.registryRequests();
                runs++;
                same(Contender.WEIR_EOS, t.round())
                        .ifPresent(j -> added.add((t.cpuNanos() - j.cpuNanos()) / 1e3 / n));
            }
        }
        if (runs == 0) {
            return;
        }
        out.println();
        out.printf(
                "avro-aggregate: schema registry requests %d over %d run(s) of %,d records"
                        + " (%.6f per record)%n",
                requests, runs, n, (double) requests / runs / n);
        if (!added.isEmpty()) {
            double min = added.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double max = added.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            out.printf(
                    "avro-aggregate CPU µs/record − keyed-aggregate's, same round: median %.2f"
                            + " (%.2f–%.2f)%n",
                    median(added), min, max);
        }
    }

    private Optional<EndToEnd.Throughput> same(Contender c, int round) {
        return throughput.stream()
                .filter(t -> t.contender() == c && t.round() == round)
                .findFirst();
    }

    /**
     * Per contender over all rounds: medians, and its ratios to the pipe and to Kafka Streams of
     * the same round (median, min–max).
     */
    private void printRounds(PrintStream out) {
        int n = options.records();
        out.println();
        out.printf(
                "Over %d rounds (median, and min–max of the per-round ratios):%n%n",
                options.rounds());
        out.println(
                "| contender | records/s | vs pipe | vs Kafka Streams | CPU µs/record |"
                        + " peak RSS MB | vs Kafka Streams |");
        out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Contender c : options.contenders()) {
            List<EndToEnd.Throughput> runs =
                    throughput.stream().filter(t -> t.contender() == c).toList();
            List<Double> rates = new ArrayList<>();
            List<Double> vsPipe = new ArrayList<>();
            List<Double> vsStreams = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            List<Double> rssVsStreams = new ArrayList<>();
            for (EndToEnd.Throughput t : runs) {
                double rate = n / (t.wallNanos() / 1e9);
                rates.add(rate);
                cpu.add(t.cpuNanos() / 1e3 / n);
                rss.add((double) (t.peakRssBytes() >> 20));
                same(Contender.PIPE, t.round())
                        .ifPresent(p -> vsPipe.add((double) p.wallNanos() / t.wallNanos()));
                same(Contender.STREAMS, t.round())
                        .ifPresent(
                                s -> {
                                    vsStreams.add((double) s.wallNanos() / t.wallNanos());
                                    rssVsStreams.add((double) t.peakRssBytes() / s.peakRssBytes());
                                });
            }
            out.printf(
                    "| %s | %,.0f | %s | %s | %.1f | %.0f | %s |%n",
                    c.title,
                    median(rates),
                    spread(vsPipe),
                    spread(vsStreams),
                    median(cpu),
                    median(rss),
                    spread(rssVsStreams));
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int m = sorted.size();
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

    /** CPU a fresh run of {@code c} used until its first outputs, from its latency phase. */
    private Optional<Long> startupCpu(Contender c) {
        return latency.stream()
                .filter(l -> l.contender() == c)
                .map(EndToEnd.Latency::startupCpuNanos)
                .findFirst();
    }

    private static String ratio(double value, Optional<Double> base) {
        return base.filter(b -> b > 0).map(b -> String.format("%.2f", value / b)).orElse("-");
    }
}
