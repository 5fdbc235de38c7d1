package dev.weir.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.CheckpointStats;
import dev.weir.Job;
import dev.weir.JobStatus;
import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.RunningJob;
import dev.weir.Serdes;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.kafka.KafkaSink;
import dev.weir.kafka.KafkaSource;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import dev.weir.testkit.S3Extension;
import dev.weir.testkit.S3Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A keyed counting job whose checkpoints and savepoints live in S3 (S3Proxy): it resumes from them
 * after a stop, a fork resumes from a savepoint, and the job rides out an outage of the store.
 */
@ExtendWith({KafkaExtension.class, S3Extension.class})
@Timeout(90)
class S3CheckpointJobTest {
    private static final String BUCKET = "job-test";
    private static final int KEYS = 10;
    private static final Duration READ = Duration.ofSeconds(15);
    private static final Duration OUTAGE = Duration.ofSeconds(3);

    @TempDir Path dir;

    /** Emits, for each record, its key and how many records of that key it has seen. */
    static final class CountPerKey implements KeyedProcessFunction<String, String, String, String> {
        private ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            KeyedStateStore state = context.state();
            count = state.valueState(new ValueStateDescriptor<>("count", Serdes.longs()));
        }

        @Override
        public void process(Record<String, String> r, Context<String, String, String> out) {
            long next = count.valueOrElse(0L) + 1;
            count.update(next);
            out.emit(r.withValue(String.valueOf(next)));
        }
    }

    @Test
    void aJobCheckpointsToS3AndTheNextRunResumesFromThereCountingEveryInputOnce(
            KafkaTestClient client, S3Server s3) throws Exception {
        s3.createBucket(BUCKET);
        Run run = run(client, s3, "resume", "exactly-once");
        AtomicInteger produced = new AtomicInteger();
        produceBatch(client, run.in, produced, 200);

        try (RunningJob first = Weir.start(countingJob(run), run.config)) {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.readAllCommitted(run.out, READ).size() == produced.get());
            assertThat(first.lastCompletedCheckpoint())
                    .hasValueSatisfying(
                            c ->
                                    assertThat(c.location())
                                            .hasValueSatisfying(
                                                    l ->
                                                            assertThat(l)
                                                                    .startsWith(
                                                                            "s3://"
                                                                                    + BUCKET
                                                                                    + "/"
                                                                                    + run.jobRoot()
                                                                                    + "/chk-")
                                                                    .endsWith("/_metadata")));
        }
        try (S3Client raw = RawS3.of(s3)) {
            List<String> keys =
                    raw
                            .listObjectsV2Paginator(
                                    b -> b.bucket(BUCKET).prefix(run.jobRoot() + "/"))
                            .contents()
                            .stream()
                            .map(S3Object::key)
                            .toList();
            assertThat(keys)
                    .as("objects of the job's checkpoints")
                    .anyMatch(k -> k.matches(".*/chk-\\d+/_metadata"))
                    .anyMatch(k -> k.contains("/shared/") && k.endsWith(".sst"));
        }

        produceBatch(client, run.in, produced, 100);
        Map<String, Long> inputsPerKey = new TreeMap<>();
        for (int seq = 0; seq < produced.get(); seq++) {
            inputsPerKey.merge("k" + (seq % KEYS), 1L, Long::sum);
        }
        try (RunningJob second = Weir.start(countingJob(run), run.config)) {
            assertThat(second.restoredCheckpointId()).as("checkpoint restored from S3").isPresent();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(
                            () ->
                                    lastCountPerKey(client.readAllCommitted(run.out, READ))
                                            .equals(inputsPerKey));
        }
        List<ConsumerRecord<String, String>> committed = client.readAllCommitted(run.out, READ);
        assertCountsRunFromOne(committed);
        assertThat(committed).hasSize(produced.get());
    }

    @Test
    void aSavepointOnS3ResumesAForkAtAnotherParallelismFromWhereItWasTaken(
            KafkaTestClient client, S3Server s3) throws Exception {
        s3.createBucket(BUCKET);
        Run run = run(client, s3, "savepoint", "exactly-once");
        AtomicInteger produced = new AtomicInteger();
        produceBatch(client, run.in, produced, 200);
        String savepoints = "s3://" + BUCKET + "/" + run.prefix + "/savepoints";
        String location;
        try (RunningJob job = Weir.start(countingJob(run), run.config)) {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.readAllCommitted(run.out, READ).size() == produced.get());
            location = job.stopWithSavepoint(savepoints).get(30, TimeUnit.SECONDS);
        }
        assertThat(location).startsWith(savepoints + "/");

        // A fork: another name, another output topic, one subtask; it continues every key's count
        // from the savepoint's 20 and reads only the input after it.
        produceBatch(client, run.in, produced, 100);
        String forkOut = run.out + "-fork";
        client.createTopic(forkOut, 2);
        Run fork =
                new Run(
                        run.in,
                        forkOut,
                        run.prefix,
                        run.job + "-fork",
                        run.config
                                .with("job.name", run.job + "-fork")
                                .with("parallelism", "1")
                                .with("savepoint.path", location));
        try (RunningJob job = Weir.start(countingJob(fork), fork.config)) {
            assertThat(job.restoredCheckpointId()).isPresent();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.readAllCommitted(forkOut, READ).size() >= 100);
        }
        List<ConsumerRecord<String, String>> forked = client.readAllCommitted(forkOut, READ);
        assertThat(forked).hasSize(100);
        Map<String, List<Long>> countsByKey = new TreeMap<>();
        forked.forEach(
                r ->
                        countsByKey
                                .computeIfAbsent(r.key(), k -> new ArrayList<>())
                                .add(Long.valueOf(r.value())));
        countsByKey.forEach(
                (key, counts) ->
                        assertThat(counts)
                                .as("fork's counts of key %s", key)
                                .containsExactlyElementsOf(
                                        LongStream.rangeClosed(21, 30).boxed().toList()));
    }

    /**
     * Each savepoint opens storage for its own directory; it must be closed again. A leaked S3
     * client keeps its connection pool (and its sockets) open for the life of the process.
     */
    @Test
    void manySavepointsToS3LeaveNoClientOrConnectionBehind(KafkaTestClient client, S3Server s3)
            throws Exception {
        s3.createBucket(BUCKET);
        Run run = run(client, s3, "many-savepoints", "at-least-once");
        AtomicInteger produced = new AtomicInteger();
        produceBatch(client, run.in, produced, 100);
        String savepoints = "s3://" + BUCKET + "/" + run.prefix + "/savepoints";
        try (RunningJob job = Weir.start(countingJob(run), run.config)) {
            for (int i = 0; i < 3; i++) {
                job.triggerSavepoint(savepoints).get(30, TimeUnit.SECONDS);
            }
            long socketsBefore = openSockets();
            int threadsBefore = Thread.activeCount();
            for (int i = 0; i < 30; i++) {
                produceBatch(client, run.in, produced, 10);
                job.triggerSavepoint(savepoints).get(30, TimeUnit.SECONDS);
            }
            long socketsAfter = openSockets();
            int threadsAfter = Thread.activeCount();
            // A leaked client per savepoint would leave at least 30 (and as many accepted by the
            // in-JVM S3 server); the broker's, the job's own storage's and S3Proxy's keep-alive
            // connections come and go by a few, which a bound of 5 caught now and then.
            assertThat(socketsAfter - socketsBefore)
                    .as("sockets opened by 30 more savepoints and left open")
                    .isLessThan(15);
            assertThat(threadsAfter - threadsBefore)
                    .as("threads started by 30 more savepoints and left running")
                    .isLessThan(5);
        }
    }

    /** Open socket descriptors of this JVM (Linux). */
    private static long openSockets() throws java.io.IOException {
        try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(
                            fd -> {
                                try {
                                    return java.nio.file.Files.readSymbolicLink(fd)
                                            .toString()
                                            .startsWith("socket:");
                                } catch (java.io.IOException e) {
                                    return false; // closed while listing
                                }
                            })
                    .count();
        }
    }

    @Test
    void whileS3IsDownCheckpointsFailTheJobKeepsProcessingAndTheNextCheckpointAfterSucceeds(
            KafkaTestClient client) throws Exception {
        try (S3Server s3 = S3Server.startPrivate()) {
            s3.createBucket(BUCKET);
            Run run = run(client, s3, "outage", "at-least-once");
            AtomicInteger produced = new AtomicInteger();
            AtomicBoolean producing = new AtomicBoolean(true);
            Thread producer =
                    new Thread(
                            () -> {
                                while (producing.get()) {
                                    produceBatch(client, run.in, produced, 20);
                                    sleep(20);
                                }
                            },
                            "s3-outage-test-producer");
            try (RunningJob job = Weir.start(countingJob(run), run.config)) {
                producer.start();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> job.lastCompletedCheckpoint().isPresent());

                s3.stop();
                long stoppedAt = System.nanoTime();
                long lastBefore = job.lastCompletedCheckpoint().orElseThrow().id();
                await().atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> failedAfter(job, lastBefore).size() >= 2);
                long outDuringOutage = job.recordsOut();
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> job.recordsOut() > outDuringOutage + 100);
                sleep(OUTAGE.toMillis() - (System.nanoTime() - stoppedAt) / 1_000_000);
                assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
                assertThat(job.lastCompletedCheckpoint().orElseThrow().id())
                        .as("no checkpoint completes while S3 is down")
                        .isEqualTo(lastBefore);
                assertThat(failedAfter(job, lastBefore))
                        .anySatisfy(
                                c ->
                                        assertThat(c.failure())
                                                .hasValueSatisfying(
                                                        f -> assertThat(f).contains("s3://")));

                s3.start();
                long lastFailed =
                        failedAfter(job, lastBefore).stream()
                                .mapToLong(CheckpointStats::id)
                                .max()
                                .orElseThrow();
                await().atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> job.lastCompletedCheckpoint().orElseThrow().id() > lastFailed);
                assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
                assertThat(job.restarts()).isZero();
            } finally {
                producing.set(false);
                producer.join(10_000);
            }
        }
    }

    // --- helpers ---

    private static List<CheckpointStats> failedAfter(RunningJob job, long id) {
        return job.checkpoints().stream()
                .filter(c -> c.id() > id && c.status() == CheckpointStats.Status.FAILED)
                .toList();
    }

    /** Topics, the job's name and a configuration that checkpoints to S3. */
    private record Run(String in, String out, String prefix, String job, WeirConfig config) {
        /** The key prefix of the job's checkpoints: {@code <prefix>/<job.name>}. */
        String jobRoot() {
            return prefix + "/" + job;
        }
    }

    private Run run(KafkaTestClient client, S3Server s3, String name, String delivery) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String in = name + "-in-" + id;
        String out = name + "-out-" + id;
        String prefix = "checkpoints/" + name + "-" + id;
        String job = "s3-" + name + "-job-" + id;
        client.createTopic(in, 2);
        client.createTopic(out, 2);
        Map<String, String> m = new HashMap<>(s3.clientConfig());
        m.put("job.name", job);
        m.put("bootstrap.servers", client.bootstrapServers());
        m.put("parallelism", "2");
        m.put("checkpoint.dir", "s3://" + BUCKET + "/" + prefix);
        m.put("checkpoint.interval.ms", "300");
        m.put("checkpoint.timeout.ms", "5000");
        m.put("checkpoint.tolerable-failures", "100");
        m.put("state.local-dir", dir.resolve("state-" + id).toString());
        m.put("sink.delivery", delivery);
        m.put("job.lock.session-timeout.ms", "6000");
        m.put("source.start", "earliest");
        m.put("restart.strategy", "fixed-delay");
        m.put("restart.fixed-delay.delay.ms", "500");
        return new Run(in, out, prefix, job, WeirConfig.of(m));
    }

    private static Job countingJob(Run run) {
        var b = Job.builder();
        b.source("in", KafkaSource.strings(run.in))
                .keyBy(Serdes.string())
                .process("count", CountPerKey::new)
                .sink("out", KafkaSink.strings(run.out));
        return b.build();
    }

    private static void produceBatch(
            KafkaTestClient client, String topic, AtomicInteger produced, int n) {
        List<Map.Entry<String, String>> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int seq = produced.getAndIncrement();
            batch.add(Map.entry("k" + (seq % KEYS), "v" + seq));
        }
        client.produceStrings(topic, batch);
    }

    private static Map<String, Long> lastCountPerKey(List<ConsumerRecord<String, String>> out) {
        Map<String, Long> last = new TreeMap<>();
        out.forEach(r -> last.merge(r.key(), Long.valueOf(r.value()), Math::max));
        return last;
    }

    private static void assertCountsRunFromOne(List<ConsumerRecord<String, String>> committed) {
        Map<String, List<Long>> countsByKey = new TreeMap<>();
        for (ConsumerRecord<String, String> r : committed) {
            countsByKey
                    .computeIfAbsent(r.key(), k -> new ArrayList<>())
                    .add(Long.valueOf(r.value()));
        }
        assertThat(countsByKey).hasSize(KEYS);
        countsByKey.forEach(
                (key, counts) ->
                        assertThat(counts)
                                .as("committed counts of key %s, in output order", key)
                                .containsExactlyElementsOf(
                                        LongStream.rangeClosed(1, counts.size()).boxed().toList()));
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
