package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.FileRef;
import dev.weir.format.MetadataSerializer;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Incremental checkpoints: RocksDB SST files are uploaded once into shared/ and reused. */
@ExtendWith(KafkaExtension.class)
class IncrementalCheckpointTest {
    @TempDir Path dir;

    private Path jobDir() {
        return dir.resolve("checkpoints").resolve("incr-job");
    }

    private CheckpointMetadata metadata(long id) throws IOException {
        return MetadataSerializer.deserialize(
                Files.readAllBytes(jobDir().resolve("chk-" + id).resolve("_metadata")));
    }

    private Set<String> sharedRefs(long id) throws IOException {
        return metadata(id).allFiles().stream()
                .map(FileRef::path)
                .filter(p -> p.startsWith("../shared/"))
                .map(p -> p.substring(3))
                .collect(Collectors.toSet());
    }

    private Set<String> sharedFilesOnDisk() throws IOException {
        Path shared = jobDir().resolve("shared");
        if (!Files.exists(shared)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.walk(shared)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> jobDir().relativize(p).toString())
                    .collect(Collectors.toSet());
        }
    }

    private static long checkpoint(RunningJob job) throws Exception {
        return job.triggerCheckpoint().get(30, java.util.concurrent.TimeUnit.SECONDS).id();
    }

    @Test
    void unchangedSstFilesAreReferencedAgainNotUploadedAndUnreferencedOnesAreCollected(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("incr-in", 2);
        client.createTopic("incr-out", 2);
        AggregateWorkload w = new AggregateWorkload(17, 5_000);
        w.produce(client, "incr-in", 40_000);
        WeirConfig c =
                RecoveryTest.config(broker, dir, "incr-job", "incr-in", "incr-out")
                        .with("checkpoint.retained", "2")
                        .with("checkpoint.interval.ms", "3600000");
        KeyedAggregate factory = new KeyedAggregate();
        try (RunningJob job = Weir.start(factory.create(c), c)) {
            AggregateWorkload.awaitOutput(client, "incr-out", w, Duration.ofSeconds(60));
            long quiet = checkpoint(job);
            long next = checkpoint(job);
            Set<String> before = sharedRefs(quiet);
            assertThat(before).as("SST files of checkpoint %d", quiet).isNotEmpty();
            assertThat(sharedRefs(next))
                    .as("with no new input, checkpoint %d references the files of %d", next, quiet)
                    .isEqualTo(before);

            w.produce(client, "incr-in", 20_000);
            AggregateWorkload.awaitOutput(client, "incr-out", w, Duration.ofSeconds(60));
            long after = checkpoint(job);
            Set<String> newer = sharedRefs(after);
            Set<String> added = new HashSet<>(newer);
            added.removeAll(before);
            assertThat(added).as("new input adds SST files").isNotEmpty();
            assertThat(Files.exists(jobDir().resolve("chk-" + quiet)))
                    .as("checkpoint %d is no longer retained", quiet)
                    .isFalse();

            // Garbage collection: as new input is compacted, older SST files drop out of the
            // retained checkpoints; shared/ must hold exactly what those still reference.
            Set<String> everReferenced = new HashSet<>(newer);
            everReferenced.addAll(before);
            long previous = after;
            long last = after;
            for (int round = 0; round < 6; round++) {
                w.produce(client, "incr-in", 10_000);
                AggregateWorkload.awaitOutput(client, "incr-out", w, Duration.ofSeconds(60));
                previous = last;
                last = checkpoint(job);
                everReferenced.addAll(sharedRefs(last));
            }
            Set<String> referenced = new HashSet<>(sharedRefs(previous));
            referenced.addAll(sharedRefs(last));
            assertThat(sharedFilesOnDisk()).isEqualTo(referenced);
            Set<String> collected = new HashSet<>(everReferenced);
            collected.removeAll(referenced);
            assertThat(collected)
                    .as("SST files compacted away and referenced by no retained checkpoint")
                    .isNotEmpty();
        }
        // The job resumes from shared files.
        w.produce(client, "incr-in", 5_000);
        try (RunningJob job = Weir.start(factory.create(c), c)) {
            assertThat(job.restoredCheckpointId()).isPresent();
            w.assertAtLeastOnce(
                    AggregateWorkload.awaitOutput(client, "incr-out", w, Duration.ofSeconds(60)));
        }
    }
}
