package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(300)
class KafkaBrokerProcessTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void acknowledgedRecordsSurviveKillAndRestart(@TempDir Path tempDir) {
        String topic = "process-durable";
        List<Map.Entry<String, String>> input =
                List.of(Map.entry("a", "1"), Map.entry("b", "2"), Map.entry("c", "3"));
        try (KafkaBrokerProcess broker =
                KafkaBrokerProcess.start(tempDir.resolve("kafka"), Map.of())) {
            String bootstrap = broker.bootstrapServers();
            try (KafkaTestClient kafka = KafkaTestClient.forBroker(broker)) {
                kafka.createTopic(topic, 2);
                kafka.produceStrings(topic, input);
                assertThat(kafka.consumeReadCommitted(topic, 3, READ_TIMEOUT)).hasSize(3);
            }

            broker.kill();
            assertThat(broker.isRunning()).isFalse();
            broker.restart();

            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
            try (KafkaTestClient kafka = KafkaTestClient.forBroker(broker)) {
                List<ConsumerRecord<String, String>> records =
                        kafka.readAllCommitted(topic, READ_TIMEOUT);
                assertThat(records)
                        .extracting(r -> Map.entry(r.key(), r.value()))
                        .containsExactlyInAnyOrderElementsOf(input);
            }
        }
    }

    @Test
    void startOnAFormattedDirectoryKeepsItsData(@TempDir Path tempDir) throws Exception {
        Path dataDir = tempDir.resolve("kafka");
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dataDir, Map.of())) {
            try (KafkaTestClient kafka = KafkaTestClient.forBroker(broker)) {
                kafka.createTopic("process-reopen", 1);
                kafka.produce("process-reopen", "k", "v");
            }
        }
        String formatLog = Files.readString(dataDir.resolve("format.log"));

        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dataDir, Map.of());
                KafkaTestClient kafka = KafkaTestClient.forBroker(broker)) {
            assertThat(kafka.readAllCommitted("process-reopen", READ_TIMEOUT))
                    .extracting(ConsumerRecord::value)
                    .containsExactly("v");
        }
        assertThat(Files.readString(dataDir.resolve("format.log"))).isEqualTo(formatLog);
    }
}
