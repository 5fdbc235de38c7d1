package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
@Timeout(120)
class KafkaExtensionTest {

    private final KafkaBroker constructorBroker;

    KafkaExtensionTest(KafkaBroker broker) {
        this.constructorBroker = broker;
    }

    @Test
    void constructorAndMethodParametersReceiveTheSharedBroker(KafkaBroker broker) {
        assertThat(constructorBroker).isSameAs(KafkaBrokers.shared());
        assertThat(broker).isSameAs(constructorBroker);
    }

    @Test
    void embeddedKafkaParameterReceivesTheSharedEmbeddedBrokerWhateverIsSelected(
            EmbeddedKafka embedded) {
        assertThat(embedded).isSameAs(EmbeddedKafka.shared());
        if (KafkaBrokers.selected() == KafkaBrokers.Kind.EMBEDDED) {
            assertThat(embedded).isSameAs(constructorBroker);
        } else {
            assertThat(embedded).isNotSameAs(constructorBroker);
        }
    }

    @Test
    void clientParameterIsBoundToTheSharedBroker(KafkaTestClient kafka) {
        assertThat(kafka.bootstrapServers()).isEqualTo(constructorBroker.bootstrapServers());

        kafka.createTopic("extension-client", 1);
        kafka.produce("extension-client", "k", "v");

        assertThat(kafka.consumeReadCommitted("extension-client", 1, Duration.ofSeconds(30)))
                .hasSize(1);
    }
}
