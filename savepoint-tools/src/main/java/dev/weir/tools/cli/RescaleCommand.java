package dev.weir.tools.cli;

import dev.weir.tools.Progress;
import dev.weir.tools.Rescaler;
import dev.weir.tools.Snapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "rescale",
        mixinStandardHelpOptions = true,
        description = {
            "Writes a new savepoint of SRC (a savepoint or a retained checkpoint) for another"
                    + " parallelism and, with --max-parallelism, another number of key groups."
                    + " SRC is never modified; DST's _metadata is written last."
        })
final class RescaleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "Savepoint or chk-<n> directory")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Directory of the new savepoint")
    String target;

    @Option(names = "--parallelism", required = true, description = "Subtasks of the new savepoint")
    int parallelism;

    @Option(
            names = "--max-parallelism",
            description = "Key groups of the new savepoint (re-hashes keys, never decodes values)")
    Integer maxParallelism;

    @Option(names = "--overwrite", description = "Replace DST if it exists")
    boolean overwrite;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "text",
            description = "text or json")
    String output;

    @Mixin Common common;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path work = dev.weir.tools.WorkDir.create();
        try (Snapshot s = Snapshot.open(source, common.config())) {
            int m = maxParallelism == null ? s.metadata().maxParallelism() : maxParallelism;
            long keyedOps =
                    s.metadata().operators().stream()
                            .filter(
                                    o ->
                                            o.subtasks().stream()
                                                    .anyMatch(x -> x.keyGroups().isPresent()))
                            .count();
            Rescaler.Result r =
                    Rescaler.rescale(
                            s,
                            target,
                            common.config(),
                            new Rescaler.Request(
                                    parallelism,
                                    maxParallelism == null
                                            ? OptionalInt.empty()
                                            : OptionalInt.of(maxParallelism),
                                    overwrite),
                            work,
                            Progress.forTerminal("rescale", keyedOps * m, common.quiet));
            PrintWriter out = spec.commandLine().getOut();
            if (output.equals("json")) {
                out.println(Json.PRETTY.writeValueAsString(r));
            } else {
                out.printf(
                        "rescaled %s to parallelism %d, max-parallelism %d (%s): %,d bytes in %d ms%n%s%n",
                        s.location(),
                        r.parallelism(),
                        r.maxParallelism(),
                        r.sectionsCopied() ? "key-group sections copied" : "keys re-hashed",
                        r.bytes(),
                        r.millis(),
                        r.location());
            }
            out.flush();
            return 0;
        } finally {
            dev.weir.tools.WorkDir.delete(work);
        }
    }
}
