package dev.weir.tools.cli;

import dev.weir.tools.ToolException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code weir savepoint <command>}: the offline savepoint tools. Also the main class of {@code
 * savepoint-tools/target/weir-savepoint-tools.jar}.
 *
 * <p>Exit codes: 0 done (for {@code verify}: no problem found); 1 a problem in the input (a missing
 * or damaged file, a key in the wrong key group) or a failure while working; 2 a usage error or a
 * request refused before anything was written.
 */
@Command(
        name = "weir savepoint",
        mixinStandardHelpOptions = true,
        version = "weir savepoint tools 0.1",
        description = "Offline tools for Weir savepoints and retained checkpoints.",
        subcommands = {
            InspectCommand.class,
            VerifyCommand.class,
            RescaleCommand.class,
            DumpCommand.class,
            PlanCommand.class,
            OffsetsCommand.class,
            TxnCommand.class,
            GcCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done; verify found no problem",
            "1:a problem in the input, or a failure while working",
            "2:usage error, or a request refused before anything was written"
        })
public final class SavepointTool {
    static final int PROBLEM = 1;
    static final int REFUSED = 2;

    public static void main(String[] args) {
        // The runnable jar logs through slf4j-simple: warnings and errors only, on stderr.
        System.setProperty(
                "org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.exit(
                run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the tool with {@code args}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new SavepointTool());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    if (e instanceof ToolException t) {
                        err.println("error: " + t.getMessage());
                        return t.isRefusal() ? REFUSED : PROBLEM;
                    }
                    err.println("error: " + e);
                    return PROBLEM;
                });
        return cli.execute(args);
    }
}
