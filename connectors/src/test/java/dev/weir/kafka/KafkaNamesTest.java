package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.config.WeirConfig;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The encodings of {@link KafkaSplits} and {@link KafkaJobNames}: what the reader writes the
 * committer and the offline tools read back, and which transactional ids belong to a job's pool.
 */
class KafkaNamesTest {
    @Test
    void aSplitIdParsesBackToItsPartitionForEveryLegalTopicName() {
        for (String topic : List.of("orders", "a.b_c-d", "x", "t0", "9")) {
            for (int p : new int[] {0, 1, 17, Integer.MAX_VALUE}) {
                TopicPartition tp = new TopicPartition(topic, p);
                assertThat(KafkaSplits.parse(KafkaSplits.id(tp))).contains(tp);
            }
        }
        assertThat(KafkaSplits.id(new TopicPartition("orders", 3))).isEqualTo("orders:3");
    }

    @Test
    void somethingThatIsNotAKafkaSplitIdParsesToNothing() {
        for (String s :
                List.of("orders", "orders:", ":3", "orders:-1", "orders:x", "orders:99999999999")) {
            assertThat(KafkaSplits.parse(s)).as(s).isEmpty();
        }
    }

    @Test
    void aPoolIdIsThePrefixADashAndDigitsAndNothingElse() {
        assertThat(KafkaJobNames.transactionalId("orders", 1)).isEqualTo("orders-1");
        assertThat(KafkaJobNames.isPoolId("orders", "orders-0")).isTrue();
        assertThat(KafkaJobNames.isPoolId("orders", "orders-15")).isTrue();
        for (String other :
                List.of("ordersx-0", "orders-eu-0", "orders-", "orders-1a", "xorders-1")) {
            assertThat(KafkaJobNames.isPoolId("orders", other)).as(other).isFalse();
        }
        // Regex characters in a prefix are literal.
        assertThat(KafkaJobNames.isPoolId("a.b", "a.b-0")).isTrue();
        assertThat(KafkaJobNames.isPoolId("a.b", "axb-0")).isFalse();
    }

    @Test
    void namesDefaultToTheJobNameUnlessConfigured() {
        WeirConfig none = WeirConfig.empty();
        assertThat(KafkaJobNames.consumerGroup(none, "orders")).isEqualTo("orders");
        assertThat(KafkaJobNames.transactionalIdPrefix(none, "orders")).isEqualTo("orders");
        WeirConfig set =
                none.with("source.group.id", "g").with("sink.transactional-id-prefix", "p");
        assertThat(KafkaJobNames.consumerGroup(set, "orders")).isEqualTo("g");
        assertThat(KafkaJobNames.transactionalIdPrefix(set, "orders")).isEqualTo("p");
        assertThat(KafkaJobNames.lockGroup("orders")).isEqualTo("orders.weir-lock");
    }
}
