package dev.weir.tools.cli;

import dev.weir.tools.Inspection;
import dev.weir.tools.Snapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "What a savepoint or retained checkpoint holds: job, id, kind, format version,"
                    + " max-parallelism; per operator uid its parallelism, states and schemas,"
                    + " bytes and entries per subtask and key group, source offsets."
        })
final class InspectCommand implements Callable<Integer> {
    @Parameters(
            paramLabel = "SRC",
            description = "Savepoint or chk-<n> directory (path, file://, s3://)")
    String source;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "table or json (versioned: apiVersion weir/v1)")
    String output;

    @Mixin Common common;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!output.equals("table") && !output.equals("json")) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "-o must be table or json, got '" + output + "'");
        }
        Path work = dev.weir.tools.WorkDir.create();
        try (Snapshot s = Snapshot.open(source, common.config())) {
            Inspection i = Inspection.of(s, work);
            PrintWriter out = spec.commandLine().getOut();
            if (output.equals("json")) {
                out.println(Json.PRETTY.writeValueAsString(i));
            } else {
                table(i, out);
            }
            out.flush();
            return 0;
        } finally {
            dev.weir.tools.WorkDir.delete(work);
        }
    }

    private static void table(Inspection i, PrintWriter out) {
        out.printf(
                "%s %s of job %s, id %d, taken %s%n",
                i.kind(),
                i.location(),
                i.job(),
                i.checkpointId(),
                Instant.ofEpochMilli(i.timestampMillis()));
        out.printf(
                "format version %d, max-parallelism %d, %,d bytes%n",
                i.formatVersion(), i.maxParallelism(), i.totalBytes());
        for (Inspection.Operator op : i.operators()) {
            out.printf(
                    "%noperator %s: parallelism %d, %,d bytes, %,d entries%n",
                    op.uid(), op.parallelism(), op.bytes(), op.entries());
            for (Inspection.State st : op.states()) {
                out.printf(
                        "  state %-20s %-6s %s%s%n",
                        st.name(),
                        st.kind(),
                        st.keySchema() == null ? "" : "key " + st.keySchema() + ", ",
                        "value " + st.valueSchema());
            }
            out.printf(
                    "  %-8s %-12s %6s %14s %12s %9s%n",
                    "SUBTASK", "KEY GROUPS", "FILES", "BYTES", "ENTRIES", "SECTIONS");
            for (Inspection.Subtask s : op.subtasks()) {
                out.printf(
                        "  %-8d %-12s %6d %,14d %,12d %9d%n",
                        s.subtask(),
                        s.keyGroups() == null ? "-" : s.keyGroups(),
                        s.files(),
                        s.bytes(),
                        s.entries(),
                        s.sections());
            }
            if (op.keyGroupBytes().max() > 0) {
                out.printf(
                        "  key-group bytes min/median/max %,d / %,d / %,d; entries %,d / %,d / %,d%n",
                        op.keyGroupBytes().min(),
                        op.keyGroupBytes().median(),
                        op.keyGroupBytes().max(),
                        op.keyGroupEntries().min(),
                        op.keyGroupEntries().median(),
                        op.keyGroupEntries().max());
            }
            op.sourcePositions()
                    .forEach(
                            (split, next) ->
                                    out.printf("  source %s: next offset %d%n", split, next));
        }
    }
}
