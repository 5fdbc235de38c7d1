package dev.weir.tools.cli;

import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CheckpointStorages;
import dev.weir.tools.CheckpointGc;
import dev.weir.tools.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "gc",
        mixinStandardHelpOptions = true,
        description = {
            "Lists the files under a job's checkpoint directory that no retained checkpoint"
                    + " (chk-<n> with _metadata) references: shared files and leftovers of failed"
                    + " or crashed checkpoints. Never a savepoint, never a file younger than"
                    + " --older-than. Deletes them with --execute."
        })
final class GcCommand implements Callable<Integer> {
    @Parameters(
            paramLabel = "DIR",
            description = "A job's checkpoint directory, <checkpoint.dir>/<job.name>")
    String directory;

    @Option(
            names = "--older-than",
            defaultValue = "24h",
            paramLabel = "DURATION",
            description =
                    "Leave files modified more recently alone (default 24h; keep it above the"
                            + " job's checkpoint.timeout.ms when the job runs)")
    String olderThan;

    @Option(names = "--execute", description = "Delete; without it, only list")
    boolean execute;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "table or json (versioned: apiVersion weir/v1)")
    String output;

    @Mixin Common common;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Common.checkOutput(spec, output, "table", "json");
        Duration window = Durations.parse(olderThan, "--older-than");
        try (CheckpointStorage storage =
                CheckpointStorages.open(directory, "", common.config(), "DIR")) {
            CheckpointGc.Report r = CheckpointGc.find(storage, window, InstantSource.system());
            if (execute) {
                r = CheckpointGc.delete(storage, r);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output.equals("json")) {
                out.println(Json.PRETTY.writeValueAsString(r));
            } else {
                table(r, out);
            }
            out.flush();
            return 0;
        }
    }

    private static void table(CheckpointGc.Report r, PrintWriter out) {
        out.printf(
                "%s: retained checkpoints %s; unreferenced files modified before %s:%n",
                r.location(), r.retainedCheckpoints(), r.cutoff());
        out.printf("%-80s %14s  %-24s  %s%n", "PATH", "BYTES", "MODIFIED", "REASON");
        for (CheckpointGc.Garbage g : r.files()) {
            out.printf(
                    "%-80s %,14d  %-24s  %s%n", g.path(), g.bytes(), g.lastModified(), g.reason());
        }
        out.printf(
                "%s %d files, %,d bytes%s%n",
                r.executed() ? "deleted" : "would delete",
                r.files().size(),
                r.totalBytes(),
                r.executed() ? "" : " (nothing deleted: pass --execute)");
        if (r.youngerFilesLeft() > 0) {
            out.printf(
                    "%d unreferenced files modified since %s left alone (--older-than %s)%n",
                    r.youngerFilesLeft(), r.cutoff(), r.olderThan());
        }
    }
}
