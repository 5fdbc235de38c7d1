package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.CheckpointStats;
import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.serdes.registry.SchemaRegistryClient;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import dev.weir.testkit.SchemaRegistryExtension;
import dev.weir.testkit.SchemaRegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * avro-aggregate on the shared broker against a real schema registry (Apicurio through its
 * Confluent API): exactly-once output through the launcher and a kill -9, two writer schemas of
 * different record names and amount types, an outage of the registry, and poison records.
 */
@ExtendWith({KafkaExtension.class, SchemaRegistryExtension.class})
@Timeout(300)
class AvroAggregateTest {
    @TempDir Path dir;

    private static String id() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void theLauncherRunsItExactlyOnceAcrossAKillOverTwoWriterSchemas(
            KafkaBroker broker, KafkaTestClient client, SchemaRegistryServer registry)
            throws Exception {
        String id = id();
        String in = "avro-in-" + id;
        String out = "avro-out-" + id;
        client.createTopic(in, 4);
        client.createTopic(out, 4);
        Map<String, String> settings =
                AggregateJobProcess.exactlyOnceSettings(broker, dir, "avro-" + id, in, out);
        settings.put("schema.registry.url", registry.url());
        Path log = dir.resolve("job.log");
        try (AvroWorkload w = new AvroWorkload(7, 300, registry.clientConfig())) {
            w.produce(client, in, 4_000, AvroWorkload.ORDER, AvroWorkload.PAYMENT);
            try (AggregateJobProcess first =
                    AggregateJobProcess.startJob("avro-aggregate", log, List.of(), settings)) {
                first.awaitLog("checkpoint 3 completed", Duration.ofSeconds(120));
                w.produce(client, in, 2_000, AvroWorkload.PAYMENT, AvroWorkload.ORDER);
                first.awaitLog("checkpoint 6 completed", Duration.ofSeconds(60));
                assertThat(first.kill()).isEqualTo(AggregateJobProcess.KILLED);
            }
            w.produce(client, in, 2_000, AvroWorkload.ORDER, AvroWorkload.PAYMENT);
            try (AggregateJobProcess second =
                    AggregateJobProcess.startJob("avro-aggregate", log, List.of(), settings)) {
                List<ConsumerRecord<String, String>> output =
                        w.awaitOutput(client, out, Duration.ofSeconds(120));
                w.model.assertExactlyOnce(output);
                assertThat(second.process.isAlive()).as(second.tail(30)).isTrue();
            }
        }
        try (SchemaRegistryClient c = SchemaRegistryClient.create(registry.clientConfig())) {
            Schema totals = new Schema.Parser().parse(c.latest(out + "-value").schema().text());
            assertThat(totals).isEqualTo(AvroTotalsSerde.TOTALS);
        }
    }

    @Test
    void duringARegistryOutageAColdIdWaitsWhileCheckpointsCompleteAndNothingIsLostOrRepeated(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String id = id();
        String in = "avro-outage-in-" + id;
        String out = "avro-outage-out-" + id;
        client.createTopic(in, 2);
        client.createTopic(out, 2);
        try (SchemaRegistryServer registry = SchemaRegistryServer.startPrivate();
                AvroWorkload w = new AvroWorkload(3, 50, registry.clientConfig())) {
            w.produce(client, in, 500, AvroWorkload.ORDER);
            WeirConfig c =
                    ExactlyOnceTest.config(broker, dir, "avro-outage-" + id, in, out)
                            .with("schema.registry.url", registry.url())
                            // A cold id fails fast during the outage, so the source thread is
                            // not held in the client's retries and barriers pass.
                            .with("source.max.retries", "0")
                            .with("source.retries.budget.ms", "1500")
                            .with("source.http.connect.timeout.ms", "500")
                            .with("source.http.read.timeout.ms", "1000");
            try (RunningJob job = Weir.start(new AvroAggregate().create(c), c)) {
                w.model.assertExactlyOnce(w.awaitOutput(client, out, Duration.ofSeconds(60)));
                // Registered now, before the outage; the job has never seen this id.
                List<ProducerRecord<String, byte[]>> cold =
                        w.records(in, 300, AvroWorkload.PAYMENT, AvroWorkload.ORDER);
                registry.stop();
                client.produceBytes(cold);
                long before = lastCheckpoint(job);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline) {
                    assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
                    assertThat(job.restarts()).as("no restart during the outage").isZero();
                    Thread.sleep(1_000);
                }
                assertThat(lastCheckpoint(job))
                        .as("checkpoints kept completing during the 30 s outage")
                        .isGreaterThan(before + 10);
                assertThat(w.model.isComplete(w.committedOutput(client, out)))
                        .as("records of the cold id wait for the registry")
                        .isFalse();
                assertThat(job.counters())
                        .containsEntry("source.deserialization-errors.skipped", 0L)
                        .containsEntry("source.deserialization-errors.dead-lettered", 0L);

                registry.start();
                w.model.assertExactlyOnce(w.awaitOutput(client, out, Duration.ofSeconds(90)));
                assertThat(job.restarts()).isZero();
                assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
            }
        }
    }

    private static long lastCheckpoint(RunningJob job) {
        return job.lastCompletedCheckpoint().map(CheckpointStats::id).orElse(0L);
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithTheirHeadersAndTheRestIsAggregated(
            KafkaBroker broker, KafkaTestClient client, SchemaRegistryServer registry)
            throws Exception {
        String id = id();
        String in = "avro-poison-in-" + id;
        String out = "avro-poison-out-" + id;
        String dlq = "avro-poison-dlq-" + id;
        client.createTopic(in, 2);
        client.createTopic(out, 2);
        client.createTopic(dlq, 1);
        Schema noAmount =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Refund\",\"namespace\":\"shop\","
                                        + "\"fields\":[{\"name\":\"amount\",\"type\":\"string\"}]}");
        try (AvroWorkload w = new AvroWorkload(5, 40, registry.clientConfig())) {
            List<ProducerRecord<String, byte[]>> records =
                    new ArrayList<>(w.records(in, 300, AvroWorkload.ORDER, AvroWorkload.PAYMENT));
            byte[] good = records.get(0).value();
            byte[] wrongMagic = good.clone();
            wrongMagic[0] = 1;
            byte[] unknownId = good.clone();
            unknownId[1] = 0x7f; // schema id 0x7fxxxxxx: never assigned
            GenericData.Record refund = new GenericData.Record(noAmount);
            refund.put("amount", "twelve");
            byte[] stringAmount =
                    dev.weir.serdes.avro.AvroRecordSerde.generic()
                            .configured(registry.clientConfig(), false)
                            .serialize(in, dev.weir.OutgoingHeaders.of(List.of()), refund);
            Map<String, byte[]> poison =
                    Map.of(
                            "wrong-magic", wrongMagic,
                            "unknown-id", unknownId,
                            "string-amount", stringAmount);
            poison.forEach(
                    (name, bytes) -> {
                        ProducerRecord<String, byte[]> r =
                                new ProducerRecord<>(in, 0, "poison-" + name, bytes);
                        r.headers().add("trace", name.getBytes(StandardCharsets.UTF_8));
                        records.add(records.size() / 2, r);
                    });
            client.produceBytes(records);
            WeirConfig c =
                    ExactlyOnceTest.config(broker, dir, "avro-poison-" + id, in, out)
                            .with("schema.registry.url", registry.url())
                            .with("source.deserialization.error.policy", "dead-letter")
                            .with("source.dead-letter.topic", dlq);
            try (RunningJob job = Weir.start(new AvroAggregate().create(c), c)) {
                w.model.assertExactlyOnce(w.awaitOutput(client, out, Duration.ofSeconds(60)));
                assertThat(job.counters())
                        .containsEntry("source.deserialization-errors.dead-lettered", 3L);
            }
            List<ConsumerRecord<String, byte[]>> letters =
                    client.readAllCommittedBytes(dlq, Duration.ofSeconds(30));
            assertThat(letters).hasSize(3);
            Map<String, String> messages = new java.util.HashMap<>();
            for (ConsumerRecord<String, byte[]> r : letters) {
                String name = header(r, "trace").orElseThrow();
                assertThat(r.key()).isEqualTo("poison-" + name);
                assertThat(r.value()).as("%s unchanged", name).isEqualTo(poison.get(name));
                assertThat(header(r, "__weir.errors.topic")).contains(in);
                assertThat(header(r, "__weir.errors.operator.uid")).contains("input");
                messages.put(name, header(r, "__weir.errors.message").orElseThrow());
            }
            assertThat(messages.get("wrong-magic")).contains("magic byte 0x01");
            assertThat(messages.get("unknown-id"))
                    .contains("schema id " + (0x7f000000 | schemaIdLow(good)));
            assertThat(messages.get("string-amount")).contains("shop.Refund").contains("'amount'");
        }
    }

    private static int schemaIdLow(byte[] wire) {
        return ((wire[2] & 0xff) << 16) | ((wire[3] & 0xff) << 8) | (wire[4] & 0xff);
    }

    private static Optional<String> header(ConsumerRecord<?, ?> r, String name) {
        org.apache.kafka.common.header.Header h = r.headers().lastHeader(name);
        return h == null
                ? Optional.empty()
                : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }
}
