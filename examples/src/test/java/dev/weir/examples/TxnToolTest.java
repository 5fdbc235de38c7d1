package dev.weir.examples;

import static dev.weir.examples.ToolRun.ok;
import static dev.weir.examples.ToolRun.tool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code weir savepoint txn list|abort} against a keyed-aggregate process killed with {@code kill
 * -9} while its epoch transaction holds output: read_committed consumers stay blocked until {@code
 * txn abort --execute}, then read on at once — long before {@code transaction.timeout.ms} would
 * have ended it — and another job's transaction whose id shares the prefix is neither listed nor
 * touched.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TxnToolTest {
    @TempDir Path dir;

    @Test
    void aKilledJobsOpenTransactionBlocksReadCommittedReadersUntilTxnAbortEndsIt(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String job = "txn-tool";
        String out = job + "-out";
        client.createTopic(job + "-in", 2);
        client.createTopic(out, 2);
        client.createTopic(job + "-other", 1);
        String servers = broker.bootstrapServers();

        // Another job whose name starts with this one's, with a transaction open.
        KafkaProducer<String, String> other = client.newTransactionalProducer(job + "x-0");
        other.initTransactions();
        other.beginTransaction();
        other.send(new ProducerRecord<>(job + "-other", "k", "v")).get(30, TimeUnit.SECONDS);
        try {
            AggregateWorkload w = new AggregateWorkload(81, 50);
            w.produce(client, job + "-in", 2_000);
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("bootstrap.servers", servers);
            settings.put("job.name", job);
            settings.put("input.topic", job + "-in");
            settings.put("output.topic", out);
            settings.put("parallelism", "2");
            settings.put("checkpoint.dir", dir.resolve("checkpoints").toUri().toString());
            // No checkpoint within the test: all output stays in epoch 1's open transaction.
            settings.put("checkpoint.interval.ms", "120000");
            settings.put("state.local-dir", dir.resolve("state").toString());
            settings.put("sink.delivery", "exactly-once");
            settings.put("job.lock.session-timeout.ms", "6000");
            settings.put("source.start", "earliest");
            try (AggregateJobProcess p =
                    AggregateJobProcess.start(dir.resolve("job.log"), Optional.empty(), settings)) {
                p.awaitLog("attempt 1 running", Duration.ofSeconds(45));
                awaitUncommittedOutput(client, out, 2_000);
                assertThat(stable(client, out)).as("nothing committed").isZero();

                tool("txn", "abort", "--bootstrap-servers", servers, "--job", job, "--execute")
                        .refused("looks live");
                ToolRun listed = ok("txn", "list", "--bootstrap-servers", servers, "--job", job);
                assertThat(listed.out())
                        .contains("job lock held by")
                        .containsPattern(job + "-\\d\\s+Ongoing")
                        .doesNotContain(job + "x-0");

                assertThat(p.kill()).isEqualTo(AggregateJobProcess.KILLED);
            }
            Thread.sleep(1_000);
            long end = end(client, out);
            assertThat(stable(client, out))
                    .as("read_committed readers are blocked behind the dead process's transaction")
                    .isLessThan(end);

            JsonNode json =
                    ok("txn", "list", "--bootstrap-servers", servers, "--job", job, "-o", "json")
                            .json();
            assertThat(json.get("apiVersion").asString()).isEqualTo("weir/v1");
            List<String> ids = new ArrayList<>();
            String ongoing = null;
            for (JsonNode t : json.get("transactions")) {
                ids.add(t.get("transactionalId").asString());
                if (t.get("state").asString().equals("Ongoing")) {
                    ongoing = t.get("transactionalId").asString();
                    assertThat(t.get("partitions").toString()).contains(out + ":");
                    assertThat(t.get("ageMillis").asLong()).isPositive();
                }
            }
            assertThat(ids).allMatch(id -> id.matches(job + "-\\d+")).contains(ongoing);
            long timeoutMs = describe(client, ongoing).transactionTimeoutMs();

            ToolRun preview = ok("txn", "abort", "--bootstrap-servers", servers, "--job", job);
            assertThat(preview.out()).contains("would abort [" + ongoing + "]");
            Thread.sleep(500);
            assertThat(stable(client, out)).as("a preview aborts nothing").isLessThan(end);

            awaitLockFree(client, job);
            long start = System.nanoTime();
            ToolRun aborted =
                    ok("txn", "abort", "--bootstrap-servers", servers, "--job", job, "--execute");
            assertThat(aborted.out()).contains("aborted " + ongoing + ": Ongoing -> ");
            while (stable(client, out) < end) {
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("read_committed readers read on promptly")
                        .isLessThan(Duration.ofSeconds(10));
                Thread.sleep(50);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("well before transaction.timeout.ms")
                    .isLessThan(Duration.ofMillis(timeoutMs / 10));
            assertThat(client.readAllCommitted(out, Duration.ofSeconds(30)))
                    .as("the aborted output is never read")
                    .isEmpty();
            assertThat(describe(client, job + "x-0").state())
                    .as("the other job's transaction")
                    .isEqualTo(TransactionState.ONGOING);
            assertThat(ok("txn", "abort", "--bootstrap-servers", servers, "--job", job).out())
                    .contains("nothing to abort");
        } finally {
            other.abortTransaction();
            other.close(Duration.ofSeconds(5));
        }
    }

    private static TransactionDescription describe(KafkaTestClient client, String id)
            throws Exception {
        return client.admin()
                .describeTransactions(List.of(id))
                .description(id)
                .get(30, TimeUnit.SECONDS);
    }

    /** The sum over the topic's partitions of the last stable offset (read_committed's end). */
    private static long stable(KafkaTestClient client, String topic) throws Exception {
        return offsets(client, topic, IsolationLevel.READ_COMMITTED);
    }

    /** The sum over the topic's partitions of the high watermark. */
    private static long end(KafkaTestClient client, String topic) throws Exception {
        return offsets(client, topic, IsolationLevel.READ_UNCOMMITTED);
    }

    private static long offsets(KafkaTestClient client, String topic, IsolationLevel level)
            throws Exception {
        Map<TopicPartition, OffsetSpec> q = new LinkedHashMap<>();
        for (int p = 0; p < 2; p++) {
            q.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return client
                .admin()
                .listOffsets(q, new ListOffsetsOptions(level))
                .all()
                .get(30, TimeUnit.SECONDS)
                .values()
                .stream()
                .mapToLong(i -> i.offset())
                .sum();
    }

    private static void awaitUncommittedOutput(KafkaTestClient client, String topic, long n)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (end(client, topic) < n) {
            assertThat(System.nanoTime()).as("output of %d records", n).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void awaitLockFree(KafkaTestClient client, String job) throws Exception {
        String group = dev.weir.kafka.KafkaJobNames.lockGroup(job);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!client.admin()
                .describeConsumerGroups(List.of(group))
                .describedGroups()
                .get(group)
                .get(30, TimeUnit.SECONDS)
                .members()
                .isEmpty()) {
            assertThat(System.nanoTime()).as("the lock group empties").isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
