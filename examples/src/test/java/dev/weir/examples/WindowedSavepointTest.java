package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.format.StateKeys;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * windowed-aggregate stopped with a savepoint while windows are open and their timers pending, then
 * resumed at another parallelism, and rescaled offline to another parallelism and max-parallelism
 * and resumed as a fork: each emits every window once, those open at the savepoint included.
 */
@ExtendWith(KafkaExtension.class)
class WindowedSavepointTest {
    private static final long LATENESS = 500;

    @TempDir Path dir;

    private WeirConfig config(KafkaBroker broker, String job, String out, int parallelism) {
        return WindowedAggregateTest.config(
                        broker,
                        dir,
                        job,
                        "wsp-in",
                        out,
                        WindowedWorkload.settings(LATENESS, job + "-late"))
                .with("parallelism", String.valueOf(parallelism))
                .with("savepoint.dir", dir.resolve("savepoints").toUri().toString());
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void openWindowsAndTheirTimersSurviveAStopWithSavepointAResumeAtThreeAndARescaledFork(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("wsp-in", 4);
        for (String t : List.of("wsp-out", "wsp-job-late", "wsp-fork-out", "wsp-fork-late")) {
            client.createTopic(t, 4);
        }
        WindowedWorkload w = new WindowedWorkload(83, "wsp-in", 4, 60, LATENESS);
        WindowedAggregate factory = new WindowedAggregate();

        w.produce(client, 2_000, 8);
        long atSavepoint = w.watermark();
        WeirConfig c2 = config(broker, "wsp-job", "wsp-out", 2);
        RunningJob p2 = Weir.start(factory.create(c2), c2);
        w.awaitClosed(client, List.of(), "wsp-out", atSavepoint, Duration.ofSeconds(60));
        awaitCommittedOffsets(client, "wsp-job", w.produced(), Duration.ofSeconds(30));
        String location = p2.stopWithSavepoint(null).get(60, TimeUnit.SECONDS);
        assertThat(p2.status()).isEqualTo(JobStatus.STOPPED);
        List<ConsumerRecord<String, byte[]>> before =
                client.readAllCommittedBytes("wsp-out", Duration.ofSeconds(30));
        assertThat(w.problems(before, atSavepoint)).as("output up to the savepoint").isEmpty();

        Set<String> open = new TreeSet<>();
        w.expected.forEach(
                (win, t) -> {
                    long at = WindowedWorkload.fireAt(win.start(), LATENESS);
                    if (at > atSavepoint) {
                        open.add(win.key() + "@" + at);
                    }
                });
        assertThat(open).as("windows open at the savepoint").hasSizeGreaterThan(20);
        assertThat(timers(location)).as("event-time timers in the savepoint").isEqualTo(open);

        w.produce(client, 1_500, 8);
        long end = WindowedWorkload.fireAt(WindowedWorkload.startOf(w.base()), LATENESS);
        w.closeAt(client, end + WindowedWorkload.OUT_OF_ORDERNESS + 1);

        WeirConfig c3 = config(broker, "wsp-job", "wsp-out", 3).with("savepoint.path", location);
        try (RunningJob p3 = Weir.start(factory.create(c3), c3)) {
            List<ConsumerRecord<String, byte[]>> out =
                    w.awaitClosed(client, List.of(), "wsp-out", end, Duration.ofSeconds(60));
            assertThat(w.problems(out, end)).as("output of the resume at 3").isEmpty();
            assertThat(lateOf(client, "wsp-job-late")).as("late records").isEmpty();
        }

        Path rescaled = dir.resolve("rescaled-1-256");
        ToolRun.ok(
                "rescale",
                location,
                rescaled.toString(),
                "--parallelism",
                "1",
                "--max-parallelism",
                "256");
        assertThat(timers(rescaled.toUri().toString())).as("timers after rescale").isEqualTo(open);
        // A fork: another job name, so its own transactional ids and offsets group.
        WeirConfig c1 =
                config(broker, "wsp-fork", "wsp-fork-out", 1)
                        .with("max-parallelism", "256")
                        .with("savepoint.path", rescaled.toUri().toString());
        try (RunningJob fork = Weir.start(factory.create(c1), c1)) {
            List<ConsumerRecord<String, byte[]>> out =
                    w.awaitClosed(client, before, "wsp-fork-out", end, Duration.ofSeconds(60));
            assertThat(w.problems(out, end))
                    .as("output up to the savepoint, then the fork's")
                    .isEmpty();
            assertThat(lateOf(client, "wsp-fork-late")).as("late records").isEmpty();
        }
    }

    /** {@code key@timestamp} of every event-time timer {@code weir savepoint dump} shows. */
    private static Set<String> timers(String location) {
        JsonMapper json = JsonMapper.builder().build();
        Set<String> timers = new TreeSet<>();
        String dump =
                ToolRun.ok(
                                "dump",
                                location,
                                "--operator",
                                "windows",
                                "--state",
                                StateKeys.TIMERS_EVENT_TIME)
                        .out();
        for (String line : dump.lines().toList()) {
            JsonNode e = json.readTree(line);
            assertThat(e.get("state").asString()).isEqualTo(StateKeys.TIMERS_EVENT_TIME);
            assertThat(e.get("userKey").isNumber()).as("user key of %s", line).isTrue();
            timers.add(e.get("key").asString() + "@" + e.get("userKey").asLong());
        }
        return timers;
    }

    private static List<ConsumerRecord<String, byte[]>> lateOf(KafkaTestClient client, String t) {
        return client.readAllCommittedBytes(t, Duration.ofSeconds(30));
    }

    /** Waits until the job's group holds the offset after the last record of every partition. */
    private static void awaitCommittedOffsets(
            KafkaTestClient client, String group, long[] ends, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of();
        while (System.nanoTime() < deadline) {
            offsets =
                    client.admin()
                            .listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            boolean all = true;
            for (int p = 0; p < ends.length; p++) {
                OffsetAndMetadata om = offsets.get(new TopicPartition("wsp-in", p));
                all &= om != null && om.offset() == ends[p];
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "group "
                        + group
                        + " did not commit "
                        + java.util.Arrays.toString(ends)
                        + " in time: "
                        + offsets);
    }
}
