package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.launcher.ConfigReference;
import dev.weir.launcher.WeirMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Wrong configuration fails at startup, naming the key and what it accepts. */
class LauncherTest {
    private static List<String> args(String... sets) {
        List<String> a = new java.util.ArrayList<>(List.of("keyed-aggregate"));
        for (String s : sets) {
            a.add("--set");
            a.add(s);
        }
        return a;
    }

    private static final String[] VALID = {
        "bootstrap.servers=127.0.0.1:1",
        "job.name=j",
        "input.topic=i",
        "output.topic=o",
        "checkpoint.dir=file:///tmp/weir-launcher-test"
    };

    private static String[] with(String... extra) {
        String[] all = new String[VALID.length + extra.length];
        System.arraycopy(VALID, 0, all, 0, VALID.length);
        System.arraycopy(extra, 0, all, VALID.length, extra.length);
        return all;
    }

    @Test
    void unknownKeyIsRejectedByName() {
        assertThatThrownBy(() -> WeirMain.run(args(with("checkpoint.intervall.ms=5"))))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("unknown config key 'checkpoint.intervall.ms'");
    }

    @Test
    void badValueNamesKeyAndAllowedValues() {
        assertThatThrownBy(() -> WeirMain.run(args(with("parallelism=0"))))
                .hasMessageContaining("'parallelism'")
                .hasMessageContaining("an integer in [1, 32768]");
        assertThatThrownBy(() -> WeirMain.run(args(with("sink.delivery=twice"))))
                .hasMessageContaining("'sink.delivery'")
                .hasMessageContaining("exactly-once, at-least-once, none");
        assertThatThrownBy(() -> WeirMain.run(args(with("restart.strategy=sometimes"))))
                .hasMessageContaining("'restart.strategy'")
                .hasMessageContaining("exponential-backoff");
    }

    @Test
    void missingRequiredKeyIsNamed() {
        assertThatThrownBy(
                        () ->
                                WeirMain.run(
                                        args(
                                                "bootstrap.servers=127.0.0.1:1",
                                                "job.name=j",
                                                "output.topic=o",
                                                "checkpoint.dir=file:///tmp/x")))
                .hasMessageContaining("config key 'input.topic' is required");
    }

    @Test
    void relativeFileUriForCheckpointDirIsRejected() {
        assertThatThrownBy(
                        () ->
                                WeirMain.run(
                                        args(
                                                "bootstrap.servers=127.0.0.1:1",
                                                "job.name=j",
                                                "input.topic=i",
                                                "output.topic=o",
                                                "checkpoint.dir=file:relative/dir")))
                .hasMessageContaining("'checkpoint.dir'");
    }

    private static List<String> avro(String... sets) {
        List<String> a = new java.util.ArrayList<>(List.of("avro-aggregate"));
        for (String s : with(sets)) {
            a.add("--set");
            a.add(s);
        }
        return a;
    }

    @Test
    void avroAggregateWithoutARegistryUrlFailsAtStartupNamingTheKey() {
        assertThatThrownBy(() -> WeirMain.run(avro()))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("config key 'schema.registry.url' is required");
        assertThatThrownBy(() -> WeirMain.run(avro("source.schema.registry.url=http://r:8081")))
                .as("the sink has none")
                .hasMessageContaining("config key 'schema.registry.url' is required");
    }

    @Test
    void registryAndAvroKeysAreAcceptedBareAndUnderSourceAndSink() {
        List<String> sides =
                avro(
                        "source.schema.registry.url=http://registry-a:8081",
                        "sink.schema.registry.url=http://registry-b:8081",
                        "sink.auto.register.schemas=false",
                        "sink.use.latest.version=true",
                        "source.missing.id.cache.ttl.sec=30",
                        "basic.auth.credentials.source=USER_INFO",
                        "basic.auth.user.info=u:p",
                        "schema.registry.ssl.protocol=TLSv1.2");
        WeirConfig config =
                WeirMain.config(new AvroAggregate(), sides.subList(1, sides.size()), Map.of());
        assertThat(new AvroAggregate().create(config).toString()).isNotEmpty();

        WeirConfig fromEnv =
                WeirMain.config(
                        new AvroAggregate(),
                        List.of(),
                        Map.of(
                                "WEIR_SINK_SCHEMA_REGISTRY_URL", "http://b:8081",
                                "WEIR_SCHEMA_REGISTRY_URL", "http://a:8081"));
        assertThat(fromEnv.asMap())
                .containsEntry("sink.schema.registry.url", "http://b:8081")
                .containsEntry("schema.registry.url", "http://a:8081");
    }

    @Test
    void aWrongRegistryOrAvroValueFailsAtStartupNamingTheKey() {
        assertThatThrownBy(
                        () ->
                                WeirMain.run(
                                        avro(
                                                "schema.registry.url=http://r:8081",
                                                "sink.auto.register.schemas=maybe")))
                .hasMessageContaining("'sink.auto.register.schemas'")
                .hasMessageContaining("true or false");
        assertThatThrownBy(
                        () ->
                                WeirMain.run(
                                        avro(
                                                "schema.registry.url=http://r:8081",
                                                "source.max.retries=-1")))
                .hasMessageContaining("'source.max.retries'");
        assertThatThrownBy(
                        () ->
                                WeirMain.run(
                                        avro(
                                                "schema.registry.url=http://r:8081",
                                                "source.value.subject.name.strategy=ByColour")))
                .hasMessageContaining("source serde")
                .hasMessageContaining("'value.subject.name.strategy'");
        assertThatThrownBy(
                        () ->
                                WeirMain.run(
                                        avro(
                                                "schema.registry.url=http://r:8081",
                                                "sink.basic.auth.credentials.source=SASL_INHERIT")))
                .hasMessageContaining("sink serde")
                .hasMessageContaining("'basic.auth.credentials.source'");
    }

    @Test
    void anUnknownRegistryKeyIsStillRefused() {
        assertThatThrownBy(
                        () ->
                                WeirMain.run(
                                        avro(
                                                "schema.registry.url=http://r:8081",
                                                "sink.schema.registry.urll=http://r:8081")))
                .hasMessageContaining("unknown config key 'sink.schema.registry.urll'");
    }

    @Test
    void unknownJobIsRejected() {
        assertThatThrownBy(() -> WeirMain.run(List.of("no-such-job")))
                .hasMessageContaining("unknown job 'no-such-job'");
    }

    @Test
    void configurationReferenceInDocsMatchesTheDeclaredOptions() throws Exception {
        Path doc = Path.of("..", "docs", "configuration.md");
        assertThat(Files.readString(doc, StandardCharsets.UTF_8))
                .as("docs/configuration.md is stale: regenerate with ConfigReference")
                .isEqualTo(ConfigReference.render());
    }
}
