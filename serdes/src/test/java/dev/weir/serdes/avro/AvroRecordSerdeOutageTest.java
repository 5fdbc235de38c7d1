package dev.weir.serdes.avro;

import static dev.weir.serdes.avro.AvroRecordSerdeTest.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.OutgoingHeaders;
import dev.weir.RetriableSerdeException;
import dev.weir.serdes.registry.TransientRegistryException;
import dev.weir.testkit.SchemaRegistryServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link AvroRecordSerde} while its registry is down: a registry of the test's own, stopped and
 * started again with the same schemas and ids.
 */
@Timeout(300)
class AvroRecordSerdeOutageTest {
    private static final Schema REFUND =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Refund\",\"namespace\":\"shop\","
                                    + "\"fields\":[{\"name\":\"amount\",\"type\":\"long\"}]}");
    private static final OutgoingHeaders NO_HEADERS = OutgoingHeaders.of(List.of());

    @Test
    void aColdIdIsRetriableWhileTheRegistryIsDownAndWarmIdsAreStillRead() {
        try (SchemaRegistryServer registry = SchemaRegistryServer.startPrivate()) {
            Map<String, Object> config = new HashMap<>(registry.clientConfig());
            config.put("max.retries", "0");
            config.put("retries.budget.ms", "3000");
            config.put("http.connect.timeout.ms", "1000");
            AvroRecordSerde<GenericRecord> writer =
                    AvroRecordSerde.generic().configured(config, false);
            AvroRecordSerde<GenericRecord> reader =
                    AvroRecordSerde.generic().configured(config, false);
            GenericRecord order = order("ivy", 10);
            GenericRecord refund = new GenericData.Record(REFUND);
            refund.put("amount", 3L);
            byte[] warm = writer.serialize("outage", NO_HEADERS, order);
            byte[] cold = writer.serialize("outage-refunds", NO_HEADERS, refund);
            assertThat(reader.deserialize("outage", List.of(), warm)).isEqualTo(order);

            registry.stop();

            assertThat(reader.deserialize("outage", List.of(), warm)).isEqualTo(order);
            assertThat(writer.serialize("outage", NO_HEADERS, order)).isEqualTo(warm);
            assertThatThrownBy(() -> reader.deserialize("outage-refunds", List.of(), cold))
                    .isInstanceOf(RetriableSerdeException.class)
                    .hasCauseInstanceOf(TransientRegistryException.class)
                    .hasMessageContaining("schema id " + schemaId(cold))
                    .hasMessageContaining("unavailable");
            assertThatThrownBy(() -> writer.serialize("outage-new", NO_HEADERS, refund))
                    .isInstanceOf(RetriableSerdeException.class)
                    .hasMessageContaining("outage-new-value");

            registry.start();

            assertThat(reader.deserialize("outage-refunds", List.of(), cold)).isEqualTo(refund);
            writer.close();
            reader.close();
        }
    }

    private static int schemaId(byte[] bytes) {
        return java.nio.ByteBuffer.wrap(bytes, 1, 4).getInt();
    }
}
