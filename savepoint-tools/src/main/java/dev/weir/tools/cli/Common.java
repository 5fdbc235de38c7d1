package dev.weir.tools.cli;

import dev.weir.config.WeirConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command takes: storage settings (the job's {@code s3.*} keys) and quiet. */
final class Common {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Java properties with storage settings (s3.endpoint, s3.region, …)")
    Path configFile;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "A storage setting, like the job's --set (repeatable)")
    Map<String, String> sets = new LinkedHashMap<>();

    @Option(names = "--quiet", description = "No progress on stderr")
    boolean quiet;

    /**
     * Refuses an {@code -o} value other than {@code allowed} as a usage error.
     *
     * @throws picocli.CommandLine.ParameterException naming the values it takes
     */
    static void checkOutput(
            picocli.CommandLine.Model.CommandSpec spec, String output, String... allowed) {
        if (!java.util.List.of(allowed).contains(output)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "-o must be " + String.join(" or ", allowed) + ", got '" + output + "'");
        }
    }

    WeirConfig config() {
        WeirConfig c = configFile == null ? WeirConfig.empty() : WeirConfig.fromFile(configFile);
        for (Map.Entry<String, String> e : sets.entrySet()) {
            c = c.with(e.getKey(), e.getValue());
        }
        return c;
    }
}
