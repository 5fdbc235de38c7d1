package dev.weir.tools.cli;

import dev.weir.tools.Durations;
import dev.weir.tools.Inspection;
import dev.weir.tools.KafkaCluster;
import dev.weir.tools.OffsetReset;
import dev.weir.tools.Progress;
import dev.weir.tools.Snapshot;
import dev.weir.tools.ToolException;
import dev.weir.tools.WorkDir;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "reset",
        mixinStandardHelpOptions = true,
        description = {
            "Plans, and with --execute writes, a new savepoint DST: SRC with the next offsets of"
                    + " the chosen partitions moved. SRC is never modified; DST's _metadata is"
                    + " written last. Without --execute it prints TOPIC PARTITION CURRENT NEW and"
                    + " writes nothing."
        })
final class OffsetsResetCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "Savepoint or chk-<n> directory")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Directory of the new savepoint")
    String target;

    @Option(
            names = "--topic",
            paramLabel = "T[:P[,P…]]",
            description = "A topic, or some of its partitions (repeatable)")
    List<String> topics = new ArrayList<>();

    @Option(names = "--all-topics", description = "Every partition SRC has a position for")
    boolean allTopics;

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "Scenario (one of):%n")
    ScenarioOptions scenario;

    static final class ScenarioOptions {
        @Option(names = "--to-earliest", description = "The earliest offset (needs the cluster)")
        boolean toEarliest;

        @Option(names = "--to-latest", description = "The log end offset (needs the cluster)")
        boolean toLatest;

        @Option(names = "--to-offset", paramLabel = "N", description = "This offset")
        Long toOffset;

        @Option(
                names = "--to-datetime",
                paramLabel = "YYYY-MM-DDTHH:mm:SS.sss",
                description =
                        "The first record at or after this time, local unless it has an offset"
                                + " (Z, +01:00); the log end if none (needs the cluster)")
        String toDatetime;

        @Option(
                names = "--by-duration",
                paramLabel = "DURATION",
                description =
                        "The first record at or after now minus this (PT10M, 10m, 2h); the log"
                                + " end if none (needs the cluster)")
        String byDuration;

        @Option(
                names = "--shift-by",
                paramLabel = "±N",
                description = "The current offset moved by N (negative: back), not below 0")
        Long shiftBy;

        @Option(
                names = "--from-file",
                paramLabel = "CSV",
                description = "topic,partition,offset lines; names the partitions itself")
        Path fromFile;
    }

    @Option(names = "--execute", description = "Write DST; without it, only print the plan")
    boolean execute;

    @Option(names = "--overwrite", description = "Replace DST if it exists")
    boolean overwrite;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "table or json (versioned: apiVersion weir/v1)")
    String output;

    @Mixin KafkaClientOptions kafka;

    @Mixin Common common;

    @Spec CommandLine.Model.CommandSpec spec;

    /** The {@code -o json} document. */
    record Report(
            String apiVersion,
            String source,
            String target,
            String scenario,
            boolean executed,
            List<OffsetReset.Change> partitions,
            OffsetReset.Result result) {}

    @Override
    public Integer call() {
        Common.checkOutput(spec, output, "table", "json");
        OffsetReset.Scenario sc = scenario();
        if (sc instanceof OffsetReset.FromFile && (allTopics || !topics.isEmpty())) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--from-file names the partitions: no --topic/--all-topics");
        }
        if (allTopics && !topics.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--all-topics or --topic, not both");
        }
        OffsetReset.Selection selection = new OffsetReset.Selection(allTopics, topicSpecs());
        Path work = WorkDir.create();
        Optional<KafkaCluster> cluster = Optional.empty();
        try (Snapshot s = Snapshot.open(source, common.config())) {
            cluster = kafka.connectIfGiven();
            List<OffsetReset.Change> plan =
                    OffsetReset.plan(s.metadata(), selection, sc, cluster, InstantSource.system());
            OffsetReset.Result result = null;
            if (execute) {
                long files = s.metadata().allFiles().size();
                result =
                        OffsetReset.write(
                                s,
                                target,
                                common.config(),
                                plan,
                                overwrite,
                                work,
                                Progress.forTerminal("offsets reset", files, common.quiet));
            }
            print(s, sc, plan, result);
            return 0;
        } finally {
            cluster.ifPresent(KafkaCluster::close);
            WorkDir.delete(work);
        }
    }

    private void print(
            Snapshot s,
            OffsetReset.Scenario sc,
            List<OffsetReset.Change> plan,
            OffsetReset.Result result) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.equals("json")) {
            out.println(
                    Json.PRETTY.writeValueAsString(
                            new Report(
                                    Inspection.API_VERSION,
                                    s.location(),
                                    result == null ? target : result.location(),
                                    sc.describe(),
                                    result != null,
                                    plan,
                                    result)));
            out.flush();
            return;
        }
        out.printf("%-30s %9s %14s %14s  %s%n", "TOPIC", "PARTITION", "CURRENT", "NEW", "NOTE");
        for (OffsetReset.Change c : plan) {
            out.printf(
                    "%-30s %9d %14d %14d  %s%n",
                    c.topic(), c.partition(), c.current(), c.newOffset(), c.note());
        }
        if (result == null) {
            out.printf(
                    "nothing written: pass --execute to write the new savepoint to %s%n", target);
        } else {
            out.printf(
                    "wrote a savepoint with %d partitions moved (%,d bytes of state copied in %d"
                            + " ms)%n%s%n",
                    result.partitionsChanged(), result.bytes(), result.millis(), result.location());
        }
        out.flush();
    }

    private OffsetReset.Scenario scenario() {
        ScenarioOptions o = scenario;
        if (o.toEarliest) {
            return new OffsetReset.ToEarliest();
        } else if (o.toLatest) {
            return new OffsetReset.ToLatest();
        } else if (o.toOffset != null) {
            return new OffsetReset.ToOffset(o.toOffset);
        } else if (o.toDatetime != null) {
            return new OffsetReset.ToDatetime(
                    Durations.datetime(o.toDatetime, ZoneId.systemDefault()));
        } else if (o.byDuration != null) {
            return new OffsetReset.ByDuration(Durations.parse(o.byDuration, "--by-duration"));
        } else if (o.shiftBy != null) {
            return new OffsetReset.ShiftBy(o.shiftBy);
        } else if (o.fromFile != null) {
            return OffsetReset.parseCsv(o.fromFile);
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "choose one scenario");
    }

    /**
     * {@code --topic orders} (every partition) or {@code --topic orders:0,2}, repeatable; a
     * partition number of a topic is refused unless it is a non-negative int.
     */
    private Map<String, Set<Integer>> topicSpecs() {
        Map<String, Set<Integer>> out = new LinkedHashMap<>();
        Set<String> whole = new LinkedHashSet<>();
        for (String t : topics) {
            int colon = t.indexOf(':');
            String topic = colon < 0 ? t : t.substring(0, colon);
            if (topic.isBlank()) {
                throw ToolException.refused("--topic needs a topic name, got '" + t + "'");
            }
            Set<Integer> partitions = out.computeIfAbsent(topic, x -> new LinkedHashSet<>());
            if (colon < 0) {
                whole.add(topic);
                continue;
            }
            for (String p : t.substring(colon + 1).split(",")) {
                try {
                    int n = Integer.parseInt(p.strip());
                    if (n < 0) {
                        throw new NumberFormatException();
                    }
                    partitions.add(n);
                } catch (NumberFormatException e) {
                    throw ToolException.refused(
                            "--topic " + t + ": '" + p + "' is not a partition number");
                }
            }
        }
        // A topic named without partitions anywhere means all of them (the empty set).
        whole.forEach(t -> out.put(t, Set.of()));
        return out;
    }
}
