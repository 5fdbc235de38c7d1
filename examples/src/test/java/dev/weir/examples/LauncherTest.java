package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.WeirException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
