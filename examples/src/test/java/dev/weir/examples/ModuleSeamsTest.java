package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the seams of docs/architecture.md §1 honest: connectors (and later serdes) reach
 * processor-core only through its API, SPI, config and format packages, and core knows nothing of
 * Kafka.
 */
class ModuleSeamsTest {
    private static List<String> importsMatching(Path sources, String regex) throws IOException {
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (line.matches(regex)) {
                        hits.add(sources.relativize(f) + ": " + line.trim());
                    }
                }
            }
        }
        return hits;
    }

    @Test
    void connectorsUseOnlyCoreApiSpiConfigAndFormat() throws IOException {
        assertThat(
                        importsMatching(
                                Path.of("..", "connectors", "src", "main", "java"),
                                "\\s*import\\s+(static\\s+)?dev\\.weir\\.internal\\..*"))
                .isEmpty();
    }

    @Test
    void serdesUseOnlyCoreApiSpiConfigAndFormat() throws IOException {
        assertThat(
                        importsMatching(
                                Path.of("..", "serdes", "src", "main", "java"),
                                "\\s*import\\s+(static\\s+)?dev\\.weir\\.internal\\..*"))
                .isEmpty();
    }

    /** The offline tools read the format, never the runtime: not even a qualified reference. */
    @Test
    void savepointToolsNeverTouchTheRuntime() throws IOException {
        assertThat(
                        importsMatching(
                                Path.of("..", "savepoint-tools", "src", "main", "java"),
                                ".*\\bdev\\.weir\\.internal\\b.*"))
                .isEmpty();
    }

    @Test
    void processorCoreKnowsNothingOfKafkaOrS3Clients() throws IOException {
        assertThat(
                        importsMatching(
                                Path.of("..", "processor-core", "src", "main", "java"),
                                "\\s*import\\s+(static\\s+)?(org\\.apache\\.kafka|software\\.amazon)\\..*"))
                .isEmpty();
    }
}
