package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * windowed-aggregate with exactly-once output in this JVM, at parallelism 2 on 4 partitions, on
 * out-of-order input: its committed output against a model of the input, window by window.
 */
@ExtendWith(KafkaExtension.class)
class WindowedAggregateTest {
    @TempDir Path dir;

    static WeirConfig config(
            KafkaBroker broker,
            Path dir,
            String job,
            String in,
            String out,
            Map<String, String> w) {
        WeirConfig c = ExactlyOnceTest.config(broker, dir, job, in, out);
        for (Map.Entry<String, String> e : w.entrySet()) {
            c = c.with(e.getKey(), e.getValue());
        }
        return c;
    }

    /**
     * Event time of the input: D is the window the on-time input ends in. The first closing records
     * take the watermark to exactly the end of window D−1's allowed lateness (so D−1 is emitted and
     * closed) and past the end of window D but not past its lateness (so D is open and still takes
     * records); the second ones close D and the closing records' own window.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyWindowIsEmittedOnceWithItsTotalsAndLateRecordsGoUnchangedToTheLateTopic(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        long lateness = 1_500;
        client.createTopic("win-in", 4);
        client.createTopic("win-out", 4);
        client.createTopic("win-late", 4);
        WindowedWorkload w = new WindowedWorkload(71, "win-in", 4, 100, lateness);
        w.produce(client, 6_000, 7);
        long d = WindowedWorkload.startOf(w.base());
        long size = WindowedWorkload.SIZE;
        long ooo = WindowedWorkload.OUT_OF_ORDERNESS;
        assertThat((d - WindowedWorkload.T0) / size).as("windows of input").isGreaterThan(30);

        WeirConfig c =
                config(
                        broker,
                        dir,
                        "win-job",
                        "win-in",
                        "win-out",
                        WindowedWorkload.settings(lateness, "win-late"));
        try (RunningJob job = Weir.start(new WindowedAggregate().create(c), c)) {
            long first = WindowedWorkload.fireAt(d - size, lateness);
            w.closeAt(client, first + ooo + 1);
            assertThat(w.watermark()).isEqualTo(first);
            List<ConsumerRecord<String, byte[]>> out =
                    w.awaitClosed(client, List.of(), "win-out", first, Duration.ofSeconds(60));
            assertThat(w.problems(out, first)).as("output at watermark D-1+lateness").isEmpty();
            assertThat(w.closedAt(first).keySet())
                    .as("window D is open at the first watermark")
                    .noneMatch(x -> x.start() == d);

            // The job's watermark is at `first` now: these are decided at their arrival.
            List<ProducerRecord<String, String>> after = new ArrayList<>();
            long old = WindowedWorkload.startOf(WindowedWorkload.T0 + 5_000);
            after.add(w.late(0, old + 17, "k1", "{\"amount\":41}"));
            after.add(w.late(1, old + 999, "k2", "{\"amount\":-3}"));
            after.add(w.late(2, old, "never-counted", "{\"amount\":1000}"));
            after.add(w.late(3, d - size, "k3", "{\"amount\":5}"));
            after.add(w.late(0, d - 1, "k4", "{\"amount\":6}"));
            after.add(w.late(1, d - 1, "k4", "{\"amount\":6}"));
            // Past window D's end but within its lateness: counted.
            after.add(w.counted(2, d, "k5", 100));
            after.add(w.counted(3, d + size - 1, "k6", 200));
            after.add(w.counted(0, d + 500, "only-within-lateness", 300));
            w.send(client, after);

            long second = WindowedWorkload.fireAt(d + size, lateness);
            w.closeAt(client, second + ooo + 1);
            out = w.awaitClosed(client, List.of(), "win-out", second, Duration.ofSeconds(60));
            assertThat(w.problems(out, second)).as("output at the second watermark").isEmpty();
            assertThat(
                            w.lateProblems(
                                    client.readAllCommittedBytes(
                                            "win-late", Duration.ofSeconds(30))))
                    .isEmpty();
            System.out.printf(
                    "WindowedAggregateTest: %d windows from %d records, %d late%n",
                    out.size(),
                    w.expected.values().stream().mapToLong(t -> t[0]).sum(),
                    w.late.size());
        }
    }

    /**
     * Input values are JSON objects with a field {@code amount}, other fields ignored (as
     * keyed-aggregate's input): a late one must reach the late topic as it was read.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aLateRecordWithOtherFieldsReachesTheLateTopicByteForByte(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("win-raw-in", 2);
        client.createTopic("win-raw-out", 2);
        client.createTopic("win-raw-late", 2);
        WindowedWorkload w = new WindowedWorkload(72, "win-raw-in", 2, 10, 0);
        w.produce(client, 200, 10);
        WeirConfig c =
                config(
                        broker,
                        dir,
                        "win-raw",
                        "win-raw-in",
                        "win-raw-out",
                        WindowedWorkload.settings(0, "win-raw-late"));
        try (RunningJob job = Weir.start(new WindowedAggregate().create(c), c)) {
            long closed = WindowedWorkload.fireAt(WindowedWorkload.startOf(w.base()), 0);
            w.closeAt(client, closed + WindowedWorkload.OUT_OF_ORDERNESS + 1);
            List<ConsumerRecord<String, byte[]>> out =
                    w.awaitClosed(client, List.of(), "win-raw-out", closed, Duration.ofSeconds(60));
            assertThat(w.problems(out, closed)).isEmpty();
            long t = WindowedWorkload.T0 + 123;
            w.send(
                    client,
                    List.of(
                            w.late(0, t, "k1", "{\"id\":7,\"amount\":41}"),
                            w.late(1, t, "k2", " { \"amount\" : 5 } ")));
            long next = WindowedWorkload.fireAt(WindowedWorkload.startOf(closed) + 5_000, 0);
            w.closeAt(client, next + WindowedWorkload.OUT_OF_ORDERNESS + 1);
            w.awaitClosed(client, List.of(), "win-raw-out", next, Duration.ofSeconds(60));
            assertThat(
                            w.lateProblems(
                                    client.readAllCommittedBytes(
                                            "win-raw-late", Duration.ofSeconds(30))))
                    .isEmpty();
        }
    }
}
