package dev.weir.examples;

import static dev.weir.examples.ToolRun.ok;
import static dev.weir.examples.ToolRun.tool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code weir savepoint gc} on the checkpoint directory of a keyed-aggregate job with exactly-once
 * output, with garbage planted next to its retained checkpoints: it lists exactly the planted files
 * old enough, never a young file or a savepoint, deletes them with {@code --execute}, and the job
 * then restores and counts every input exactly once.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GcToolTest {
    @TempDir Path dir;

    @Test
    void gcListsExactlyThePlantedGarbageAndAfterDeletingItTheJobRestoresExactlyOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String job = "gc-tool";
        client.createTopic(job + "-in", 2);
        client.createTopic(job + "-out", 2);
        Path jobDir = dir.resolve("checkpoints").resolve(job);
        AggregateWorkload w = new AggregateWorkload(91, 50);
        w.produce(client, job + "-in", 2_000);
        // Savepoints inside the job's checkpoint directory: gc must never touch one.
        WeirConfig c =
                ExactlyOnceTest.config(broker, dir, job, job + "-in", job + "-out")
                        .with("savepoint.dir", jobDir.resolve("savepoints").toUri().toString());
        String savepoint;
        try (RunningJob j = Weir.start(new KeyedAggregate().create(c), c)) {
            AggregateWorkload.awaitOutput(client, job + "-out", w, Duration.ofSeconds(60));
            savepoint = j.stopWithSavepoint(null).get(60, TimeUnit.SECONDS);
        }
        assertThat(Path.of(URI.create(savepoint))).startsWith(jobDir);

        Instant old = Instant.now().minus(Duration.ofHours(2));
        for (Path f : files(jobDir)) {
            Files.setLastModifiedTime(f, FileTime.from(old));
        }
        Map<Path, String> real = SavepointToolsTest.checksums(jobDir);
        Path someSst = files(jobDir.resolve("shared")).get(0);
        Path subtaskDir = someSst.getParent().getParent();
        List<Path> planted =
                List.of(
                        plant(subtaskDir.resolve("planted-upload").resolve("000999.sst"), old),
                        plant(jobDir.resolve("chk-999/attempt-x/aggregate/0/MANIFEST-000003"), old),
                        plant(jobDir.resolve("chk-999/attempt-x/aggregate/0/000998.sst"), old));
        Path young =
                plant(jobDir.resolve("chk-1000/attempt-y/aggregate/0/000997.sst"), Instant.now());

        JsonNode found = ok("gc", jobDir.toString(), "--older-than", "1h", "-o", "json").json();
        assertThat(found.get("apiVersion").asString()).isEqualTo("weir/v1");
        assertThat(found.get("executed").asBoolean()).isFalse();
        assertThat(found.get("retainedCheckpoints")).isNotEmpty();
        assertThat(paths(found)).isEqualTo(relative(jobDir, planted));
        assertThat(found.get("youngerFilesLeft").asInt()).isEqualTo(1);
        assertThat(found.get("totalBytes").asLong()).isEqualTo(3 * 100);
        ToolRun table = ok("gc", jobDir.toString(), "--older-than", "1h");
        assertThat(table.out())
                .contains("chk-999 has no _metadata")
                .contains("shared file no retained checkpoint references")
                .contains("would delete 3 files");
        assertThat(paths(ok("gc", jobDir.toString(), "--older-than", "3h", "-o", "json").json()))
                .as("with a window longer than their age")
                .isEmpty();
        assertThat(planted).allMatch(Files::exists);

        tool("gc", savepoint).refused("gc never touches a savepoint");
        tool("gc", dir.toString()).refused("not a job's checkpoint directory");

        ToolRun deleted = ok("gc", jobDir.toString(), "--older-than", "1h", "--execute");
        assertThat(deleted.out()).contains("deleted 3 files");
        assertThat(planted).noneMatch(Files::exists);
        assertThat(jobDir.resolve("chk-999")).doesNotExist();
        assertThat(subtaskDir.resolve("planted-upload")).doesNotExist();
        assertThat(young).exists();
        SavepointTest.deleteTree(jobDir.resolve("chk-1000"));
        assertThat(SavepointToolsTest.checksums(jobDir))
                .as("every file that was not planted, byte for byte")
                .isEqualTo(real);

        w.produce(client, job + "-in", 1_000);
        try (RunningJob j = Weir.start(new KeyedAggregate().create(c), c)) {
            assertThat(j.restoredCheckpointId()).isPresent();
            w.assertExactlyOnce(
                    AggregateWorkload.awaitOutput(client, job + "-out", w, Duration.ofSeconds(60)));
        }
    }

    private static Path plant(Path file, Instant modified) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[100]);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static Set<String> paths(JsonNode report) {
        Set<String> out = new TreeSet<>();
        for (JsonNode f : report.get("files")) {
            out.add(f.get("path").asString());
        }
        return out;
    }

    private static Set<String> relative(Path root, List<Path> files) {
        Set<String> out = new TreeSet<>();
        List<Path> all = new ArrayList<>(files);
        all.forEach(f -> out.add(root.relativize(f).toString().replace('\\', '/')));
        return out;
    }
}
