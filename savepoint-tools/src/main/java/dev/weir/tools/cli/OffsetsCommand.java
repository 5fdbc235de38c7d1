package dev.weir.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(
        name = "offsets",
        mixinStandardHelpOptions = true,
        description = {
            "The Kafka source offsets a savepoint or checkpoint records: show them, or write a new"
                    + " savepoint with some of them moved (the scenarios of kafka-consumer-groups"
                    + " --reset-offsets)."
        },
        subcommands = {OffsetsShowCommand.class, OffsetsResetCommand.class})
final class OffsetsCommand implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "offsets needs a command: show or reset");
    }
}
