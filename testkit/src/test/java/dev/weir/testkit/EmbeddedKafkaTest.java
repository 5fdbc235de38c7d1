package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
@Timeout(120)
class EmbeddedKafkaTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void readAllCommittedSeesCommittedTransactionsButNotAbortedOnes(KafkaTestClient kafka) {
        String topic = "embedded-txn-visibility";
        kafka.createTopic(topic, 3);
        try (KafkaProducer<String, String> producer =
                kafka.newTransactionalProducer("embedded-txn-visibility-tx")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "k1", "committed-1"));
            producer.send(new ProducerRecord<>(topic, 1, "k2", "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 2, "k3", "aborted-3"));
            producer.flush();
            producer.abortTransaction();
        }

        List<ConsumerRecord<String, String>> records = kafka.readAllCommitted(topic, READ_TIMEOUT);

        assertThat(records)
                .extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder("committed-1", "committed-2");
    }

    @Test
    void readAllCommittedStopsBeforeAnOpenTransaction(KafkaTestClient kafka) {
        String topic = "embedded-open-txn";
        kafka.createTopic(topic, 1);
        kafka.produce(topic, "k0", "before");
        try (KafkaProducer<String, String> producer =
                kafka.newTransactionalProducer("embedded-open-txn-tx")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "k1", "open"));
            producer.flush();
            kafka.produce(topic, "k2", "after-open");

            List<ConsumerRecord<String, String>> records =
                    kafka.readAllCommitted(topic, READ_TIMEOUT);

            assertThat(records).extracting(ConsumerRecord::value).containsExactly("before");
            producer.abortTransaction();
        }
        assertThat(kafka.readAllCommitted(topic, READ_TIMEOUT))
                .extracting(ConsumerRecord::value)
                .containsExactly("before", "after-open");
    }

    @Test
    void consumeReadCommittedReturnsProducedRecordsInPartitionOrder(KafkaTestClient kafka) {
        String topic = "embedded-round-trip";
        kafka.createTopic(topic, 2);
        kafka.produceStrings(
                topic, List.of(Map.entry("a", "1"), Map.entry("a", "2"), Map.entry("a", "3")));

        List<ConsumerRecord<String, String>> records =
                kafka.consumeReadCommitted(topic, 3, READ_TIMEOUT);

        assertThat(records).extracting(ConsumerRecord::value).containsExactly("1", "2", "3");
    }

    @Test
    void consumeReadCommittedFailsNamingHowManyRecordsItSaw(KafkaTestClient kafka) {
        String topic = "embedded-too-few";
        kafka.createTopic(topic, 1);
        kafka.produce(topic, "k", "only");

        assertThatThrownBy(() -> kafka.consumeReadCommitted(topic, 2, Duration.ofSeconds(3)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected 2")
                .hasMessageContaining("saw 1");
    }

    @Test
    void createTopicToleratesAnExistingTopic(KafkaTestClient kafka) throws Exception {
        String topic = "embedded-create-twice";
        kafka.createTopic(topic, 2);
        kafka.createTopic(topic, 2);

        assertThat(kafka.admin().describeTopics(List.of(topic)).allTopicNames().get())
                .extractingByKey(topic)
                .satisfies(d -> assertThat(d.partitions()).hasSize(2));
    }

    @Test
    void sharedBrokerRunsAtTheProductionMetadataVersionWithTransactionsV2(KafkaTestClient kafka)
            throws Exception {
        FeatureMetadata features = kafka.admin().describeFeatures().featureMetadata().get();

        assertThat(features.finalizedFeatures().get("transaction.version").maxVersionLevel())
                .isEqualTo((short) 2);
        assertThat(features.finalizedFeatures().get("metadata.version").maxVersionLevel())
                .isEqualTo(MetadataVersion.latestProduction().featureLevel());
    }

    @Test
    void privateBrokerAppliesExtraPropertiesAndClosingItLeavesTheSharedOneRunning(
            KafkaTestClient shared) throws Exception {
        try (EmbeddedKafka broker =
                        EmbeddedKafka.start(Map.of("transaction.max.timeout.ms", "5000"));
                KafkaTestClient kafka = KafkaTestClient.forBroker(broker)) {
            assertThat(broker.bootstrapServers()).isNotEqualTo(shared.bootstrapServers());
            String nodeId =
                    kafka.admin().describeCluster().nodes().get().iterator().next().idString();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, nodeId);
            Config config =
                    kafka.admin().describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("transaction.max.timeout.ms").value()).isEqualTo("5000");
        }
        EmbeddedKafka.shared().close();

        shared.createTopic("embedded-after-private-close", 1);
        shared.produce("embedded-after-private-close", "k", "v");
        assertThat(shared.consumeReadCommitted("embedded-after-private-close", 1, READ_TIMEOUT))
                .hasSize(1);
    }
}
