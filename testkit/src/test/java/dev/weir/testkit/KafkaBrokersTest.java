package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.testkit.KafkaBrokers.Kind;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.utility.DockerImageName;

@Timeout(240)
class KafkaBrokersTest {

    private static Kind kindFor(String value) {
        return Kind.fromEnvironment(name -> KafkaBrokers.KAFKA_ENV.equals(name) ? value : null);
    }

    @Test
    void embeddedIsTheDefaultAndTestcontainersIsChosenByName() {
        assertThat(kindFor(null)).isEqualTo(Kind.EMBEDDED);
        assertThat(kindFor("")).isEqualTo(Kind.EMBEDDED);
        assertThat(kindFor("embedded")).isEqualTo(Kind.EMBEDDED);
        assertThat(kindFor("testcontainers")).isEqualTo(Kind.TESTCONTAINERS);
        assertThat(kindFor(" TestContainers ")).isEqualTo(Kind.TESTCONTAINERS);
    }

    @Test
    void unknownValueFailsNamingTheVariableAndTheValue() {
        assertThatThrownBy(() -> kindFor("docker"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WEIR_TEST_KAFKA")
                .hasMessageContaining("'docker'")
                .hasMessageContaining("testcontainers");
    }

    @Test
    void imageDefaultsToApacheKafkaAtTheClientsVersion() {
        assertThat(KafkaBrokers.imageFrom(name -> null))
                .isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(
                        KafkaBrokers.imageFrom(
                                name ->
                                        KafkaBrokers.IMAGE_ENV.equals(name)
                                                ? "localhost/weir/kafka:4.3.1"
                                                : null))
                .isEqualTo("localhost/weir/kafka:4.3.1");
    }

    @Test
    void brokerPropertiesBecomeTheVariablesApacheKafkasImageReads() {
        assertThat(KafkaContainerBroker.environmentName("log.dirs")).isEqualTo("KAFKA_LOG_DIRS");
        assertThat(KafkaContainerBroker.environmentName("transaction.max.timeout.ms"))
                .isEqualTo("KAFKA_TRANSACTION_MAX_TIMEOUT_MS");
        assertThat(KafkaContainerBroker.environmentName("listener.name.a_b.x-y"))
                .isEqualTo("KAFKA_LISTENER_NAME_A__B_X___Y");
    }

    @Test
    void aLocalImageIsDeclaredASubstituteForApacheKafka() {
        DockerImageName apache = DockerImageName.parse("apache/kafka");

        DockerImageName local = KafkaContainerBroker.imageName("localhost/weir/kafka:4.3.1");
        DockerImageName official = KafkaContainerBroker.imageName("apache/kafka:4.3.1");

        assertThat(local.isCompatibleWith(apache)).isTrue();
        assertThat(local.asCanonicalNameString()).isEqualTo("localhost/weir/kafka:4.3.1");
        assertThat(official.isCompatibleWith(apache)).isTrue();
        assertThat(official.asCanonicalNameString()).isEqualTo("apache/kafka:4.3.1");
    }

    @Test
    void privateBrokerOfTheSelectedKindAppliesExtraProperties() throws Exception {
        try (KafkaBroker broker = KafkaBrokers.start(Map.of("transaction.max.timeout.ms", "5000"));
                KafkaTestClient kafka = KafkaTestClient.forBroker(broker)) {
            String nodeId =
                    kafka.admin().describeCluster().nodes().get().iterator().next().idString();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, nodeId);
            Config config =
                    kafka.admin().describeConfigs(List.of(resource)).all().get().get(resource);

            assertThat(config.get("transaction.max.timeout.ms").value()).isEqualTo("5000");
            assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
        }
    }
}
