package dev.weir.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.WeirException;
import dev.weir.config.RestartOptions.Strategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WeirConfigTest {

    private static List<ConfigOption<?>> allOptions() {
        List<ConfigOption<?>> all = new ArrayList<>();
        all.addAll(JobOptions.all());
        all.addAll(CheckpointOptions.all());
        all.addAll(RestartOptions.all());
        return all;
    }

    @Test
    void valuesAreParsedToTheirDeclaredTypes() {
        WeirConfig c =
                WeirConfig.of(
                        Map.of(
                                "job.name", "  orders  ",
                                "parallelism", " 4 ",
                                "checkpoint.interval.ms", "250",
                                "restart.strategy", "fixed-delay",
                                "restart.exponential-backoff.multiplier", "1.5"));

        assertThat(c.get(JobOptions.JOB_NAME)).isEqualTo("orders");
        assertThat(c.get(JobOptions.PARALLELISM)).isEqualTo(4);
        assertThat(c.get(CheckpointOptions.INTERVAL_MS)).isEqualTo(250L);
        assertThat(c.get(RestartOptions.STRATEGY)).isEqualTo(Strategy.FIXED_DELAY);
        assertThat(c.get(RestartOptions.BACKOFF_MULTIPLIER)).isEqualTo(1.5);
    }

    @Test
    void unsetOptionsTakeTheirDefaults() {
        WeirConfig c = WeirConfig.empty();

        assertThat(c.get(JobOptions.PARALLELISM)).isEqualTo(1);
        assertThat(c.get(JobOptions.MAX_PARALLELISM)).isEqualTo(128);
        assertThat(c.get(JobOptions.STATE_CACHE_MAX_ENTRIES)).isEqualTo(100_000);
        assertThat(c.get(CheckpointOptions.INTERVAL_MS)).isEqualTo(5_000L);
        assertThat(c.get(CheckpointOptions.RETAINED)).isEqualTo(3);
        assertThat(c.get(RestartOptions.STRATEGY)).isEqualTo(Strategy.EXPONENTIAL_BACKOFF);
        assertThat(c.get(RestartOptions.BACKOFF_MULTIPLIER)).isEqualTo(2.0);
        assertThat(c.contains(CheckpointOptions.INTERVAL_MS)).isFalse();
    }

    @Test
    void missingRequiredKeyFailsNamingTheKey() {
        assertThatThrownBy(() -> WeirConfig.empty().get(JobOptions.JOB_NAME))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("'job.name'")
                .hasMessageContaining("required");
        assertThatThrownBy(() -> WeirConfig.empty().get(CheckpointOptions.DIR))
                .hasMessageContaining("'checkpoint.dir'");
        assertThat(WeirConfig.empty().getOptional(JobOptions.JOB_NAME)).isEmpty();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "checkpoint.interval.ms | 5 | an integer in [10, 86400000]",
                "checkpoint.interval.ms | soon | an integer in [10, 86400000]",
                "checkpoint.retained | 0 | an integer in [1, 1000]",
                "parallelism | 2147483648 | an integer in [1, 32768]",
                "restart.exponential-backoff.multiplier | NaN | a number in [1.0, 100.0]",
                "restart.exponential-backoff.multiplier | 0.5 | a number in [1.0, 100.0]",
                // 0 would never grow: 0 times the multiplier is 0.
                "restart.exponential-backoff.initial.ms | 0 | an integer in [1, 3600000]",
                "restart.strategy | linear | one of exponential-backoff, fixed-delay, none",
                "job.name | '   ' | a non-empty string",
            })
    void badValueFailsNamingTheKeyAndTheAllowedValues(String key, String value, String allowed) {
        ConfigOption<?> option =
                allOptions().stream().filter(o -> o.key().equals(key)).findFirst().orElseThrow();
        WeirConfig c = WeirConfig.of(Map.of(key, value));

        assertThatThrownBy(() -> c.get(option))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining("'" + value + "'")
                .hasMessageContaining(allowed);
        assertThatThrownBy(() -> c.validate(allOptions())).hasMessageContaining("'" + key + "'");
    }

    @Test
    void validateRejectsAnUnknownKeyNamingIt() {
        WeirConfig c = WeirConfig.of(Map.of("job.name", "j", "checkpoint.intervall.ms", "500"));

        assertThatThrownBy(() -> c.validate(allOptions()))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("'checkpoint.intervall.ms'")
                .hasMessageContaining("checkpoint.interval.ms");
    }

    @Test
    void validateAcceptsKeysUnderPassThroughPrefixes() {
        WeirConfig c =
                WeirConfig.of(
                        Map.of(
                                "job.name", "j",
                                "kafka.consumer.max.poll.records", "10",
                                "kafka.producer.linger.ms", "5",
                                "kafka.admin.request.timeout.ms", "1000",
                                "kafka.common.bootstrap.servers", "localhost:9092"));

        assertThatCode(() -> c.validate(allOptions())).doesNotThrowAnyException();
        assertThat(c.withPrefix("kafka.consumer."))
                .containsExactly(Map.entry("max.poll.records", "10"));
    }

    @Test
    void validateRejectsKafkaKeysOutsideThePassThroughPrefixes() {
        WeirConfig c = WeirConfig.of(Map.of("kafka.bootstrap.servers", "localhost:9092"));

        assertThatThrownBy(() -> c.validate(allOptions()))
                .hasMessageContaining("'kafka.bootstrap.servers'");
    }

    @Test
    void enumConstantsAreWrittenInLowerCaseWithHyphens() {
        assertThat(ConfigOption.enumName(Strategy.EXPONENTIAL_BACKOFF))
                .isEqualTo("exponential-backoff");
        assertThat(RestartOptions.STRATEGY.allowedValues())
                .isEqualTo("one of exponential-backoff, fixed-delay, none");
        assertThat(WeirConfig.empty().with(RestartOptions.STRATEGY, Strategy.FIXED_DELAY).asMap())
                .containsExactly(Map.entry("restart.strategy", "fixed-delay"));
        assertThat(
                        WeirConfig.of(Map.of("restart.strategy", " Exponential-Backoff "))
                                .get(RestartOptions.STRATEGY))
                .isEqualTo(Strategy.EXPONENTIAL_BACKOFF);
    }

    @Test
    void typedWithRejectsAValueItsOptionDoesNotAllow() {
        assertThatThrownBy(() -> WeirConfig.empty().with(CheckpointOptions.RETAINED, 0))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("'checkpoint.retained'");
        assertThat(
                        WeirConfig.empty()
                                .with(CheckpointOptions.RETAINED, 5)
                                .get(CheckpointOptions.RETAINED))
                .isEqualTo(5);
    }

    @Test
    void environmentVariablesMapToKnownKeys() {
        Map<String, String> env =
                Map.of(
                        "WEIR_CHECKPOINT_INTERVAL_MS", "500",
                        "WEIR_STATE_CACHE_MAX_ENTRIES", "0",
                        "WEIR_RESTART_EXPONENTIAL_BACKOFF_INITIAL_MS", "20",
                        "WEIR_NOT_A_KEY", "x",
                        "PATH", "/usr/bin");

        WeirConfig c = WeirConfig.fromEnvironment(env, allOptions());

        assertThat(c.asMap())
                .containsOnly(
                        Map.entry("checkpoint.interval.ms", "500"),
                        Map.entry("state.cache.max-entries", "0"),
                        Map.entry("restart.exponential-backoff.initial.ms", "20"));
        assertThat(c.get(CheckpointOptions.INTERVAL_MS)).isEqualTo(500L);
    }

    @Test
    void everyDeclaredKeyHasItsOwnEnvironmentVariable() {
        for (ConfigOption<?> option : allOptions()) {
            Map<String, String> env = new HashMap<>();
            String var =
                    "WEIR_"
                            + option.key()
                                    .toUpperCase(Locale.ROOT)
                                    .replace('.', '_')
                                    .replace('-', '_');
            env.put(var, "1");

            assertThat(WeirConfig.fromEnvironment(env, allOptions()).asMap().keySet())
                    .as("keys set by %s", var)
                    .containsExactly(option.key());
        }
    }

    @Test
    void mergeOverlaysTheOtherConfiguration() {
        WeirConfig base = WeirConfig.of(Map.of("job.name", "a", "parallelism", "2"));
        WeirConfig env = WeirConfig.of(Map.of("parallelism", "3"));

        WeirConfig merged = base.merge(env);

        assertThat(merged.get(JobOptions.JOB_NAME)).isEqualTo("a");
        assertThat(merged.get(JobOptions.PARALLELISM)).isEqualTo(3);
        assertThat(base.get(JobOptions.PARALLELISM)).isEqualTo(2);
    }

    @Test
    void propertiesFileIsRead(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("job.properties");
        Files.writeString(
                file, "job.name=from-file\ncheckpoint.retained = 9\n", StandardCharsets.UTF_8);

        WeirConfig c = WeirConfig.fromFile(file);

        assertThat(c.get(JobOptions.JOB_NAME)).isEqualTo("from-file");
        assertThat(c.get(CheckpointOptions.RETAINED)).isEqualTo(9);
        assertThatThrownBy(() -> WeirConfig.fromFile(dir.resolve("missing.properties")))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("missing.properties");
    }

    @Test
    void booleanOptionsAcceptTrueAndFalseOnly() {
        assertThat(
                        WeirConfig.of(Map.of("rest.auth.required", " TRUE "))
                                .get(RestOptions.AUTH_REQUIRED))
                .isTrue();
        assertThat(WeirConfig.empty().get(RestOptions.AUTH_REQUIRED)).isFalse();
        assertThatThrownBy(
                        () ->
                                WeirConfig.of(Map.of("rest.auth.required", "yes"))
                                        .get(RestOptions.AUTH_REQUIRED))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("rest.auth.required")
                .hasMessageContaining("true or false");
    }

    @Test
    void aSecretThatIsRejectedIsNotQuotedInTheMessage() {
        String token = "s3cr3t with space";

        assertThatThrownBy(
                        () ->
                                WeirConfig.of(Map.of("rest.auth.token", token))
                                        .validate(RestOptions.all()))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("rest.auth.token")
                .hasMessageNotContaining("s3cr3t");
        assertThat(
                        WeirConfig.of(Map.of("rest.auth.token", " abc.DEF-123 \n"))
                                .get(RestOptions.AUTH_TOKEN))
                .isEqualTo("abc.DEF-123");
    }

    @Test
    void anOptionUnderAnotherKeyParsesAndFailsAsTheOriginalNamingItsOwnKey() {
        ConfigOption<Integer> sinkParallelism =
                JobOptions.PARALLELISM.withKey("sink." + JobOptions.PARALLELISM.key());
        assertThat(sinkParallelism.key()).isEqualTo("sink.parallelism");
        assertThat(sinkParallelism.defaultValue()).isEqualTo(JobOptions.PARALLELISM.defaultValue());
        assertThat(sinkParallelism.allowedValues())
                .isEqualTo(JobOptions.PARALLELISM.allowedValues());
        assertThat(WeirConfig.of(Map.of("sink.parallelism", "3")).get(sinkParallelism))
                .isEqualTo(3);
        assertThatThrownBy(
                        () ->
                                WeirConfig.of(Map.of("sink.parallelism", "0"))
                                        .validate(List.of(sinkParallelism)))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("'sink.parallelism'");
        ConfigOption<String> token = RestOptions.AUTH_TOKEN.withKey("x.rest.auth.token");
        assertThatThrownBy(() -> WeirConfig.of(Map.of("x.rest.auth.token", "a b")).get(token))
                .hasMessageContaining("(not shown)")
                .hasMessageNotContaining("a b");
    }
}
