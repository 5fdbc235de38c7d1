package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.Header;
import dev.weir.OutgoingHeaders;
import dev.weir.RecordSerde;
import dev.weir.config.WeirConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The life cycle the Kafka connectors give their serdes, without a broker. */
class RecordSerdesTest {
    private static final WeirConfig CONFIG =
            WeirConfig.of(
                    Map.of(
                            "schema.registry.url", "http://all",
                            "sink.schema.registry.url", "http://sinks",
                            "source.start", "earliest"));

    @Test
    void settingsAreTheJobConfigWithTheSidesPrefixedKeysOverridingTopLevelOnes() {
        Map<String, String> sink = RecordSerdes.settings(CONFIG, "sink.");
        Map<String, String> source = RecordSerdes.settings(CONFIG, "source.");

        assertThat(sink)
                .containsEntry("schema.registry.url", "http://sinks")
                .containsEntry("sink.schema.registry.url", "http://sinks")
                .containsEntry("source.start", "earliest")
                .doesNotContainKey("start");
        assertThat(source)
                .containsEntry("schema.registry.url", "http://all")
                .containsEntry("start", "earliest");
    }

    @Test
    void aValueSerdeThatRefusesItsSettingsClosesTheConfiguredKeySerdeAndCountsNothing() {
        List<String> events = new ArrayList<>();
        Serde keys = new Serde(events, "key", false);
        Serde values = new Serde(events, "value", true);
        RecordSerdes<String, String> serdes = new RecordSerdes<>("source.", keys, values);

        assertThatThrownBy(() -> serdes.open(CONFIG)).hasMessage("value: bad settings");
        assertThat(events).containsExactly("key configure", "value configure", "key close");
        assertThatThrownBy(serdes::release).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void serdesCloseAfterAsManyReleasesAsOpens() {
        List<String> events = new ArrayList<>();
        RecordSerdes<String, String> serdes =
                new RecordSerdes<>(
                        "sink.",
                        new Serde(events, "key", false),
                        new Serde(events, "value", false));

        serdes.open(CONFIG);
        serdes.open(CONFIG);
        serdes.open(CONFIG);
        serdes.release();
        serdes.release();
        assertThat(events).containsExactly("key configure", "value configure");
        serdes.release();
        assertThat(events)
                .containsExactly("key configure", "value configure", "key close", "value close");
    }

    @Test
    void aConnectorWithoutASerdeIsRefused() {
        assertThatThrownBy(() -> KafkaSource.of(List.of("t"), null, dev.weir.Serdes.string()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key null");
    }

    private record Serde(List<String> events, String name, boolean refuse)
            implements RecordSerde<String> {
        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            events.add(name + " configure");
            if (refuse) {
                throw new IllegalArgumentException(name + ": bad settings");
            }
        }

        @Override
        public byte[] serialize(String topic, OutgoingHeaders headers, String value) {
            return new byte[0];
        }

        @Override
        public String deserialize(String topic, List<Header> headers, byte[] data) {
            return "";
        }

        @Override
        public void close() {
            events.add(name + " close");
        }
    }
}
