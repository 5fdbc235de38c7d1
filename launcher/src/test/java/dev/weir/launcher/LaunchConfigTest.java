package dev.weir.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.Job;
import dev.weir.JobFactory;
import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code weir run} reads keys from a file, the environment and {@code --set}. */
class LaunchConfigTest {
    static final ConfigOption<String> TOPIC = ConfigOption.string("my.topic", null, "a topic");

    /** A job with one key of its own; never created. */
    public static final class MyJob implements JobFactory {
        @Override
        public List<ConfigOption<?>> options() {
            return List.of(TOPIC);
        }

        @Override
        public Job create(WeirConfig config) {
            throw new UnsupportedOperationException();
        }
    }

    @TempDir Path dir;

    @Test
    void everyKeyHasItsOwnVariableAndEachVariableSetsItsKey() {
        List<ConfigOption<?>> known = WeirMain.knownOptions(new MyJob());
        Map<String, String> env = new HashMap<>();
        for (ConfigOption<?> o : known) {
            env.put(WeirConfig.environmentVariable(o), o.key());
        }

        assertThat(env).as("one variable per key").hasSameSizeAs(known);
        WeirConfig fromEnv = WeirConfig.fromEnvironment(env, known);
        for (ConfigOption<?> o : known) {
            assertThat(fromEnv.asMap()).containsEntry(o.key(), o.key());
        }
        assertThat(WeirConfig.environmentVariable(TOPIC)).isEqualTo("WEIR_MY_TOPIC");
        assertThat(
                        WeirConfig.environmentVariable(
                                WeirMain.knownOptions(new MyJob()).stream()
                                        .filter(o -> o.key().equals("sink.schema.registry.url"))
                                        .findFirst()
                                        .orElseThrow()))
                .isEqualTo("WEIR_SINK_SCHEMA_REGISTRY_URL");
    }

    @Test
    void aLaterSourceWinsFileThenEnvironmentThenSet() throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(
                file, "job.name=from-file\nmy.topic=from-file\nbootstrap.servers=from-file:9092\n");

        WeirConfig c =
                WeirMain.config(
                        new MyJob(),
                        List.of("--config", file.toString(), "--set", "my.topic=from-set"),
                        Map.of("WEIR_MY_TOPIC", "from-env", "WEIR_JOB_NAME", "from-env"));

        assertThat(c.get(TOPIC)).isEqualTo("from-set");
        assertThat(
                        WeirMain.config(
                                        new MyJob(),
                                        List.of("--config", file.toString()),
                                        Map.of("WEIR_MY_TOPIC", "", "WEIR_SAVEPOINT_PATH", ""))
                                .asMap())
                .as("an empty variable sets nothing")
                .containsEntry("my.topic", "from-file")
                .doesNotContainKey("savepoint.path");
        assertThat(c.asMap())
                .containsEntry("job.name", "from-env")
                .containsEntry("bootstrap.servers", "from-file:9092");
    }

    @Test
    void aVariableThatSetsNoKeyFailsTheStartNamingIt() {
        assertThatThrownBy(
                        () ->
                                WeirMain.config(
                                        new MyJob(),
                                        List.of("--set", "my.topic=t", "--set", "job.name=j"),
                                        Map.of(
                                                "WEIR_CHECKPOINT_INTERVALL_MS", "5",
                                                "WEIR_MY_TOPIC", "t")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("WEIR_CHECKPOINT_INTERVALL_MS")
                .hasMessageNotContaining("WEIR_MY_TOPIC");

        // The scripts' own variables and the tests' are not keys and pass.
        WeirConfig c =
                WeirMain.config(
                        new MyJob(),
                        List.of("--set", "my.topic=t", "--set", "job.name=j"),
                        Map.of(
                                "WEIR_JAVA_OPTS", "-Xmx1g",
                                "WEIR_LOG_LEVEL", "DEBUG",
                                "WEIR_REST_TOKEN", "x",
                                "WEIR_TEST_KAFKA", "embedded",
                                "PATH", "/bin"));
        assertThat(c.get(TOPIC)).isEqualTo("t");
    }

    @Test
    void shutdownSavepointWithoutADirectoryFailsAtStartNamingTheKeys() {
        assertThatThrownBy(
                        () ->
                                WeirMain.config(
                                        new MyJob(),
                                        List.of("--set", "my.topic=t", "--set", "job.name=j"),
                                        Map.of("WEIR_SHUTDOWN_SAVEPOINT", "true")))
                .hasMessageContaining("'shutdown.savepoint'")
                .hasMessageContaining("'savepoint.dir'");
    }
}
