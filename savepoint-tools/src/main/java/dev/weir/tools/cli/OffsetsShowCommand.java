package dev.weir.tools.cli;

import dev.weir.tools.Inspection;
import dev.weir.tools.Snapshot;
import dev.weir.tools.SourcePositions;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = {
            "The source positions of SRC: per partition the next offset the job reads, and the"
                    + " operator and subtask that recorded it."
        })
final class OffsetsShowCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SRC", description = "Savepoint or chk-<n> directory")
    String source;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "table or json (versioned: apiVersion weir/v1)")
    String output;

    @Mixin Common common;

    @Spec CommandLine.Model.CommandSpec spec;

    /** The {@code -o json} document. */
    record Shown(
            String apiVersion,
            String kind,
            String location,
            String job,
            long checkpointId,
            List<SourcePositions.Position> positions) {}

    @Override
    public Integer call() {
        Common.checkOutput(spec, output, "table", "json");
        try (Snapshot s = Snapshot.open(source, common.config())) {
            List<SourcePositions.Position> positions = SourcePositions.of(s.metadata());
            PrintWriter out = spec.commandLine().getOut();
            if (output.equals("json")) {
                out.println(
                        Json.PRETTY.writeValueAsString(
                                new Shown(
                                        Inspection.API_VERSION,
                                        s.isSavepoint() ? "Savepoint" : "Checkpoint",
                                        s.location(),
                                        s.metadata().jobName(),
                                        s.metadata().checkpointId(),
                                        positions)));
            } else {
                out.printf(
                        "%s %s of job %s, id %d%n",
                        s.isSavepoint() ? "Savepoint" : "Checkpoint",
                        s.location(),
                        s.metadata().jobName(),
                        s.metadata().checkpointId());
                out.printf(
                        "%-30s %9s %14s  %s%n", "TOPIC", "PARTITION", "OFFSET", "OPERATOR/SUBTASK");
                for (SourcePositions.Position p : positions) {
                    out.printf(
                            "%-30s %9s %14d  %s/%d%n",
                            p.topic() == null ? p.split() : p.topic(),
                            p.partition() == null ? "-" : p.partition(),
                            p.offset(),
                            p.operator(),
                            p.subtask());
                }
            }
            out.flush();
            return 0;
        }
    }
}
