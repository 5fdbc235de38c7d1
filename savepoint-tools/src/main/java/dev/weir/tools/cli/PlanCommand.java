package dev.weir.tools.cli;

import dev.weir.Job;
import dev.weir.JobFactory;
import dev.weir.config.WeirConfig;
import dev.weir.tools.Snapshot;
import dev.weir.tools.ToolException;
import dev.weir.tools.UpgradePlan;
import java.io.PrintWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description = {
            "Before deploying a new version: what resuming it from SRC would do, per operator uid"
                    + " and state (MATCHED, NEW, MISSING, STATE_ADDED, STATE_DROPPED,"
                    + " SCHEMA_COMPATIBLE, SCHEMA_INCOMPATIBLE). Builds the job's graph and opens"
                    + " its process functions against a recording store; runs nothing."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the resume works as is",
            "3:it needs --allow-non-restored-state",
            "4:it would fail (see SCHEMA_INCOMPATIBLE rows)",
            "1:SRC is damaged; 2:usage or an unknown job"
        })
final class PlanCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SRC", description = "Savepoint or chk-<n> directory")
    String source;

    @Option(
            names = "--job",
            required = true,
            paramLabel = "CLASS",
            description =
                    "The new version: a dev.weir.JobFactory class name (./weir also takes a"
                            + " named job such as keyed-aggregate)")
    String jobClass;

    @Option(names = "--jar", paramLabel = "FILE", description = "Jar holding the job's classes")
    Path jar;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "table or json")
    String output;

    @Mixin Common common;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WeirConfig config = common.config();
        Job job = factory().create(config);
        try (Snapshot s = Snapshot.open(source, config)) {
            UpgradePlan plan = UpgradePlan.of(s.metadata(), job, config);
            PrintWriter out = spec.commandLine().getOut();
            if (output.equals("json")) {
                out.println(Json.PRETTY.writeValueAsString(plan));
            } else {
                out.printf("%-24s %-20s %-20s %s%n", "UID", "STATE", "VERDICT", "DETAIL");
                for (UpgradePlan.Row r : plan.rows()) {
                    out.printf(
                            "%-24s %-20s %-20s %s%n", r.uid(), r.state(), r.verdict(), r.detail());
                }
            }
            out.flush();
            return plan.exitCode();
        }
    }

    private JobFactory factory() throws Exception {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (jar != null) {
            loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, loader);
        }
        try {
            return (JobFactory)
                    Class.forName(jobClass, true, loader).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw ToolException.refused(
                    "--job "
                            + jobClass
                            + " is not a dev.weir.JobFactory class with a public no-argument"
                            + " constructor on the class path"
                            + (jar == null ? "" : " or in " + jar)
                            + ": "
                            + e);
        }
    }
}
