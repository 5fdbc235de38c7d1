package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters through {@code kill -9}: keyed-aggregate with exactly-once output in a child JVM,
 * both kinds of bad records dead-lettered into one topic — records its source cannot read ({@code
 * source.deserialization.error.policy=dead-letter}) and records its function throws on, an amount
 * that would overflow the key's sum ({@code process.error.policy=dead-letter}) — killed with
 * SIGKILL at random moments while input arrives, and started again each time. In the end, read
 * {@code read_committed}: every good record's update is in the output exactly once, and every bad
 * record is in the dead-letter topic exactly once, as it was written, from the operator that set it
 * aside.
 */
@ExtendWith(KafkaExtension.class)
class DeadLetterCrashTest {
    @TempDir Path dir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void killedAtRandomMomentsEveryBadRecordIsDeadLetteredOnceAndEveryGoodOneCountedOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        long seed = Long.getLong("weir.test.seed", System.nanoTime());
        System.out.println(
                "DeadLetterCrashTest seed="
                        + seed
                        + " (replay with -Dweir.test.seed="
                        + seed
                        + ")");
        Random random = new Random(seed);
        String name = "dlq-crash";
        String in = name + "-in";
        String out = name + "-out";
        String dlq = name + "-dead-letters";
        client.createTopic(in, 4);
        client.createTopic(out, 4);
        client.createTopic(dlq, 2);
        Map<String, String> settings =
                AggregateJobProcess.exactlyOnceSettings(broker, dir, name, in, out);
        settings.put("source.deserialization.error.policy", "dead-letter");
        settings.put("source.dead-letter.topic", dlq);
        // process.dead-letter.topic is left out: it defaults to source.dead-letter.topic.
        settings.put("process.error.policy", "dead-letter");

        AggregateWorkload w = new AggregateWorkload(seed, 300);
        AtomicBoolean killsDone = new AtomicBoolean();
        Random feedRandom = new Random(seed + 1);
        // 1.5 % unreadable and 0.5 % overflowing records in batches of 500 every 0.2-0.5 s, so
        // every kill falls while letters of an open epoch are in flight.
        InputFeeder feeder =
                InputFeeder.start(
                        name + "-input",
                        () -> {
                            while (w.total() < 20_000 || !killsDone.get()) {
                                w.produceWithBadRecords(client, in, 500, 0.015, 0.005);
                                Thread.sleep(200 + feedRandom.nextInt(300));
                            }
                        });
        try {
            int kills = 3 + random.nextInt(2);
            for (int k = 0; k < kills; k++) {
                Path log = dir.resolve("run-" + k + ".log");
                try (AggregateJobProcess job =
                        AggregateJobProcess.start(log, Optional.empty(), settings)) {
                    Duration running = job.awaitLog("attempt 1 running", Duration.ofSeconds(45));
                    if (k == 0) {
                        // A kill after chk-1/_metadata but before its commit leaves completed
                        // checkpoints and no commit record, which the next start refuses by design
                        // (docs/exactly-once.md): the random kills start once one has committed.
                        job.awaitLog("checkpoint 1 completed", Duration.ofSeconds(45));
                    }
                    long runFor = 1_500 + random.nextInt(2_500);
                    Thread.sleep(runFor);
                    assertThat(job.process.isAlive())
                            .as("child alive before kill %d (see %s)", k, log)
                            .isTrue();
                    assertThat(job.kill()).isEqualTo(AggregateJobProcess.KILLED);
                    System.out.printf(
                            "  kill %d: running after %d ms, killed %d ms later, last checkpoint"
                                    + " logged completed: %s, dead-lettered before: %s%n",
                            k,
                            running.toMillis(),
                            runFor,
                            job.lastCompletedCheckpoint().map(String::valueOf).orElse("none"),
                            job.log().contains("written to") ? "yes" : "no");
                }
            }
            killsDone.set(true);
            feeder.join(Duration.ofSeconds(60));
            Path log = dir.resolve("run-" + kills + ".log");
            try (AggregateJobProcess job =
                    AggregateJobProcess.start(log, Optional.empty(), settings)) {
                job.awaitLog("attempt 1 running", Duration.ofSeconds(45));
                List<ConsumerRecord<String, String>> output =
                        AggregateWorkload.awaitOutput(client, out, w, Duration.ofSeconds(60));
                List<ConsumerRecord<String, String>> letters =
                        awaitLetters(client, dlq, w.bad.size(), Duration.ofSeconds(30));
                long unreadable =
                        w.bad.stream().filter(b -> b.operatorUid().equals("input")).count();
                System.out.printf(
                        "DeadLetterCrashTest: %d good inputs over %d keys, %d outputs; %d bad"
                                + " inputs (%d unreadable, %d overflowing), %d letters; %d kills%n",
                        w.total(),
                        w.expected.size(),
                        output.size(),
                        w.bad.size(),
                        unreadable,
                        w.bad.size() - unreadable,
                        letters.size(),
                        kills);
                job.warnings().stream()
                        .filter(l -> !l.contains("dead letters") && !l.contains("written to"))
                        .forEach(l -> System.out.println("    final run: " + l));
                w.assertExactlyOnce(output);
                assertEachBadRecordOnce(w.bad, letters, in);
            }
        } finally {
            feeder.stop();
        }
    }

    /**
     * Every bad record is in {@code letters} once, found by the source partition and offset its
     * headers name, with the value as it was written and the uid of the operator that set it aside.
     */
    static void assertEachBadRecordOnce(
            List<AggregateWorkload.BadRecord> bad,
            List<ConsumerRecord<String, String>> letters,
            String inputTopic) {
        Map<String, List<ConsumerRecord<String, String>>> byOrigin = new TreeMap<>();
        for (ConsumerRecord<String, String> r : letters) {
            assertThat(header(r, "__weir.errors.topic")).isEqualTo(inputTopic);
            String where =
                    header(r, "__weir.errors.partition") + "@" + header(r, "__weir.errors.offset");
            byOrigin.computeIfAbsent(where, x -> new ArrayList<>()).add(r);
        }
        List<String> problems = new ArrayList<>();
        for (AggregateWorkload.BadRecord b : bad) {
            String where = b.partition() + "@" + b.offset();
            List<ConsumerRecord<String, String>> found = byOrigin.remove(where);
            if (found == null || found.size() != 1) {
                problems.add(
                        where
                                + " ("
                                + b.value()
                                + ") is in the dead-letter topic "
                                + (found == null ? 0 : found.size())
                                + " times");
                continue;
            }
            ConsumerRecord<String, String> letter = found.get(0);
            if (!letter.value().equals(b.value())
                    || !header(letter, "__weir.errors.operator.uid").equals(b.operatorUid())) {
                problems.add(
                        where
                                + ": letter "
                                + letter.value()
                                + " from "
                                + header(letter, "__weir.errors.operator.uid")
                                + ", expected "
                                + b.value()
                                + " from "
                                + b.operatorUid());
            }
        }
        byOrigin.keySet().forEach(where -> problems.add(where + " is not a bad record"));
        assertThat(problems)
                .as("dead letters of %d bad records (%d letters)", bad.size(), letters.size())
                .isEmpty();
    }

    private static List<ConsumerRecord<String, String>> awaitLetters(
            KafkaTestClient client, String topic, int expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, String>> letters = List.of();
        while (System.nanoTime() < deadline) {
            letters = client.readAllCommitted(topic, Duration.ofSeconds(30));
            if (letters.size() >= expected) {
                return letters;
            }
            Thread.sleep(500);
        }
        return letters;
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertThat(h).as("header %s of a dead letter", name).isNotNull();
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
