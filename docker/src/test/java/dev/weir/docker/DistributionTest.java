package dev.weir.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What ships in the distribution and the image: the launcher and the jobs, no test kit. */
class DistributionTest {
    private static final Pattern TEST_ONLY =
            Pattern.compile(
                    "weir-testkit|weir-demo|/kafka_2\\.1[23]|kafka-server|kafka-storage|kafka-metadata|s3proxy"
                            + "|junit|assertj|awaitility|apicurio");

    @Test
    void theRuntimeClasspathCarriesTheLauncherAndTheJobsButNoTestKit() throws Exception {
        List<String> entries =
                List.of(
                        Files.readString(Path.of("target", "classpath.txt"))
                                .trim()
                                .split(File.pathSeparator));

        assertThat(entries)
                .anyMatch(e -> e.contains("weir-launcher") || e.contains("launcher/target"))
                .anyMatch(e -> e.contains("weir-examples") || e.contains("examples/target"))
                .anyMatch(e -> e.contains("kafka-clients"))
                .anyMatch(e -> e.contains("rocksdbjni"))
                .noneMatch(e -> TEST_ONLY.matcher(e.replace('\\', '/')).find());
    }
}
