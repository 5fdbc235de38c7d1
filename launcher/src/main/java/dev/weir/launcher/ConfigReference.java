package dev.weir.launcher;

import dev.weir.config.CheckpointOptions;
import dev.weir.config.ConfigOption;
import dev.weir.config.JobOptions;
import dev.weir.config.RestOptions;
import dev.weir.config.RestartOptions;
import dev.weir.config.SavepointOptions;
import dev.weir.config.WeirConfig;
import dev.weir.kafka.KafkaOptions;
import dev.weir.s3.S3Options;
import dev.weir.serdes.avro.AvroSerdeOptions;
import dev.weir.serdes.registry.SchemaRegistryOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Generates {@code docs/configuration.md} from the declared options, so the reference cannot drift
 * from the code (a test compares the two). Run: {@code ConfigReference <output file>}.
 */
public final class ConfigReference {
    private ConfigReference() {}

    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), render(), StandardCharsets.UTF_8);
    }

    public static String render() {
        Map<String, List<ConfigOption<?>>> groups = new LinkedHashMap<>();
        groups.put("Job", JobOptions.all());
        groups.put("Checkpoints", CheckpointOptions.all());
        groups.put("Restarts", RestartOptions.all());
        groups.put("Savepoints", SavepointOptions.all());
        groups.put("REST endpoint", RestOptions.all());
        LinkedHashSet<ConfigOption<?>> kafka = new LinkedHashSet<>(KafkaOptions.sourceOptions());
        kafka.addAll(KafkaOptions.sinkOptions());
        groups.put("Kafka source and sink", List.copyOf(kafka));
        groups.put("S3 checkpoint and savepoint storage", S3Options.all());
        groups.put("Schema registry client", SchemaRegistryOptions.ALL);
        groups.put("Avro record serdes", AvroSerdeOptions.ALL);
        groups.put("Launcher (weir run)", LauncherOptions.all());
        // The registered jobs' own keys; jobs with the same keys share a section.
        Map<List<ConfigOption<?>>, List<String>> jobs = new LinkedHashMap<>();
        Jobs.named(ConfigReference.class.getClassLoader())
                .forEach(
                        (name, f) ->
                                jobs.computeIfAbsent(f.options(), o -> new ArrayList<>())
                                        .add(name));
        jobs.forEach(
                (options, names) -> groups.put(String.join(" and ", names) + " jobs", options));
        Map<String, String> intros = new LinkedHashMap<>();
        intros.put(
                "Schema registry client",
                "Read by the serdes that talk to a schema registry (`AvroRecordSerde`, and so"
                        + " avro-aggregate, which requires `schema.registry.url`). Every key of this"
                        + " section and the next also works under `source.` or `sink.`, for the"
                        + " serdes of sources or sinks only (`sink.schema.registry.url=…`); see"
                        + " docs/serdes.md.");
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n")
                .append(
                        "Generated from the option declarations by `dev.weir.launcher.ConfigReference`; do not edit.\n")
                .append(
                        "Keys are set with `--config FILE` (Java properties), `WEIR_<KEY>` environment"
                                + " variables (the key in upper case, dots and hyphens as underscores:"
                                + " the column below; an empty one sets nothing) and `--set key=value`; a later source wins"
                                + " (file, then environment, then `--set`). An unknown key, and a"
                                + " `WEIR_` variable that sets no key, fail the start. Kafka client"
                                + " properties pass through under ")
                .append(
                        String.join(
                                ", ",
                                WeirConfig.PASS_THROUGH_PREFIXES.stream()
                                        .map(p -> "`" + p + "`")
                                        .toList()))
                .append(" (in a file or with `--set`).\n");
        groups.forEach(
                (title, options) -> {
                    sb.append("\n## ").append(title).append("\n\n");
                    if (intros.containsKey(title)) {
                        sb.append(intros.get(title)).append("\n\n");
                    }
                    sb.append(
                            "| key | environment variable | default | accepts | what it does |\n"
                                    + "|---|---|---|---|---|\n");
                    for (ConfigOption<?> o : options) {
                        String def =
                                o.defaultValue()
                                        .map(
                                                v ->
                                                        v instanceof Enum<?> e
                                                                ? ConfigOption.enumName(e)
                                                                : String.valueOf(v))
                                        .map(
                                                v ->
                                                        v.startsWith(
                                                                        System.getProperty(
                                                                                "java.io.tmpdir"))
                                                                ? v.replace(
                                                                        System.getProperty(
                                                                                "java.io.tmpdir"),
                                                                        "${java.io.tmpdir}")
                                                                : v)
                                        .map(v -> "`" + v + "`")
                                        .orElse("(required)");
                        sb.append("| `")
                                .append(o.key())
                                .append("` | `")
                                .append(WeirConfig.environmentVariable(o))
                                .append("` | ")
                                .append(def)
                                .append(" | ")
                                .append(o.allowedValues())
                                .append(" | ")
                                .append(o.doc().replace("|", "\\|"))
                                .append(" |\n");
                    }
                });
        return sb.toString();
    }
}
