package dev.weir.tools.cli;

import dev.weir.tools.Progress;
import dev.weir.tools.Snapshot;
import dev.weir.tools.Verifier;
import dev.weir.tools.WorkDir;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Checks that every file of SRC exists with its recorded size and CRC-32; with --deep,"
                    + " also every key-group section and that each key lies in the key group its"
                    + " section claims. Exits 1 naming the first problem."
        })
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SRC", description = "Savepoint or chk-<n> directory")
    String source;

    @Option(names = "--deep", description = "Read every entry, not only the files' checksums")
    boolean deep;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "text",
            description = "text or json")
    String output;

    @Mixin Common common;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path work = WorkDir.create();
        try (Snapshot s = Snapshot.open(source, common.config())) {
            long subtasks =
                    s.metadata().operators().stream()
                            .flatMap(o -> o.subtasks().stream())
                            .filter(x -> x.keyGroups().isPresent())
                            .count();
            Verifier.Result r =
                    Verifier.verify(
                            s, deep, work, Progress.forTerminal("verify", subtasks, common.quiet));
            PrintWriter out = spec.commandLine().getOut();
            if (output.equals("json")) {
                out.println(Json.PRETTY.writeValueAsString(r));
            } else {
                out.printf(
                        "OK: %s — %d files, %,d bytes%s%n",
                        s.location(),
                        r.files(),
                        r.bytes(),
                        deep
                                ? String.format(
                                        ", %,d key groups and %,d entries checked",
                                        r.keyGroups(), r.entries())
                                : "");
            }
            out.flush();
            return 0;
        } finally {
            WorkDir.delete(work);
        }
    }
}
