package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.UnrecoverableJobException;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** keyed-aggregate with sink.delivery=exactly-once in this JVM, on the shared broker. */
@ExtendWith(KafkaExtension.class)
class ExactlyOnceTest {
    @TempDir Path dir;

    static WeirConfig config(KafkaBroker broker, Path dir, String job, String in, String out) {
        return WeirConfig.of(
                        Map.of(
                                "job.name",
                                job,
                                "bootstrap.servers",
                                broker.bootstrapServers(),
                                "input.topic",
                                in,
                                "output.topic",
                                out,
                                "parallelism",
                                "2",
                                "checkpoint.dir",
                                dir.resolve("checkpoints").toUri().toString(),
                                "checkpoint.interval.ms",
                                "300",
                                "state.local-dir",
                                dir.resolve("state").toString(),
                                "sink.delivery",
                                "exactly-once",
                                "job.lock.session-timeout.ms",
                                "6000"))
                .with("source.start", "earliest");
    }

    @Test
    void everyInputIsCountedExactlyOnceInTheCommittedOutput(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("eos-in", 4);
        client.createTopic("eos-out", 4);
        AggregateWorkload w = new AggregateWorkload(3, 400);
        w.produce(client, "eos-in", 20_000);
        WeirConfig c = config(broker, dir, "eos-job", "eos-in", "eos-out");
        try (RunningJob job = Weir.start(new KeyedAggregate().create(c), c)) {
            w.produce(client, "eos-in", 10_000);
            List<ConsumerRecord<String, String>> out =
                    AggregateWorkload.awaitOutput(client, "eos-out", w, Duration.ofSeconds(60));
            w.assertExactlyOnce(out);
            assertThat(job.lastCompletedCheckpoint().orElseThrow().commitMillis()).isPositive();
        }
    }

    @Test
    void aSecondLiveRunWithTheSameJobNameIsRefusedAndAStoppedOnesSuccessorStartsAtOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("fence-in", 2);
        client.createTopic("fence-out", 2);
        AggregateWorkload w = new AggregateWorkload(5, 50);
        w.produce(client, "fence-in", 2_000);
        WeirConfig c = config(broker, dir, "fence-job", "fence-in", "fence-out");
        RunningJob first = Weir.start(new KeyedAggregate().create(c), c);
        try {
            assertThat(first.status()).isEqualTo(JobStatus.RUNNING);
            AggregateWorkload.awaitOutput(client, "fence-out", w, Duration.ofSeconds(60));
            RunningJob second = Weir.start(new KeyedAggregate().create(c), c);
            assertThat(second.awaitTermination(Duration.ofSeconds(60))).isTrue();
            assertThat(second.status()).isEqualTo(JobStatus.FAILED);
            assertThat(second.failure().orElseThrow())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining(
                            "job fence-job is already running in another live process");
            assertThat(first.status())
                    .as("the first run is untouched")
                    .isEqualTo(JobStatus.RUNNING);
        } finally {
            first.stop();
        }
        long start = System.nanoTime();
        try (RunningJob third = Weir.start(new KeyedAggregate().create(c), c)) {
            assertThat(third.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("after a graceful stop the lock is free at once")
                    .isLessThan(Duration.ofSeconds(5));
            w.produce(client, "fence-in", 1_000);
            w.assertExactlyOnce(
                    AggregateWorkload.awaitOutput(client, "fence-out", w, Duration.ofSeconds(60)));
        }
    }
}
