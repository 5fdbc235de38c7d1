package dev.weir.tools.cli;

import dev.weir.tools.Snapshot;
import dev.weir.tools.StateDump;
import dev.weir.tools.WorkDir;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "dump",
        mixinStandardHelpOptions = true,
        description = {
            "Prints the keyed state of one operator, decoded with the schemas the metadata records"
                    + " (base64 where no schema is known): one JSON object per line, or CSV."
        })
final class DumpCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SRC", description = "Savepoint or chk-<n> directory")
    String source;

    @Option(names = "--operator", required = true, paramLabel = "UID", description = "Operator uid")
    String operator;

    @Option(names = "--state", paramLabel = "NAME", description = "Only this state")
    String state;

    @Option(names = "--key-group", paramLabel = "G", description = "Only this key group")
    Integer keyGroup;

    @Option(names = "--key", paramLabel = "K", description = "Only this record key (UTF-8)")
    String key;

    @Option(
            names = "--limit",
            defaultValue = "" + Long.MAX_VALUE,
            description = "At most N entries")
    long limit;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "jsonl",
            description = "jsonl or csv")
    String output;

    @Mixin Common common;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean csv = output.equals("csv");
        if (csv) {
            out.println("key_group,state,kind,key_base64,user_key,value");
        }
        Path work = WorkDir.create();
        try (Snapshot s = Snapshot.open(source, common.config())) {
            StateDump.dump(
                    s,
                    new StateDump.Filter(
                            operator,
                            Optional.ofNullable(state),
                            Optional.ofNullable(keyGroup),
                            Optional.ofNullable(key),
                            limit),
                    work,
                    e -> {
                        if (csv) {
                            out.println(
                                    e.keyGroup()
                                            + ","
                                            + e.state()
                                            + ","
                                            + e.kind()
                                            + ","
                                            + e.keyBase64()
                                            + ","
                                            + csvField(e.userKey())
                                            + ","
                                            + csvField(e.value()));
                        } else {
                            out.println(Json.LINES.writeValueAsString(e));
                        }
                    });
            out.flush();
            return 0;
        } finally {
            WorkDir.delete(work);
        }
    }

    private static String csvField(Object o) {
        if (o == null) {
            return "";
        }
        String s = o instanceof String str ? str : Json.LINES.writeValueAsString(o);
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
