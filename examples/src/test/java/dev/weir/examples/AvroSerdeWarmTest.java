package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.OutgoingHeaders;
import dev.weir.RecordSerde;
import dev.weir.examples.KeyedAggregate.Totals;
import dev.weir.testkit.SchemaRegistryExtension;
import dev.weir.testkit.SchemaRegistryServer;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Once warm, avro-aggregate's serdes send the schema registry no request per record: every record
 * decoded and every totals record encoded is counted on the server. (What they cost in CPU is
 * measured by the benchmark, {@code benchmarks/run.sh --only weir-eos,weir-avro}, not here.)
 */
@ExtendWith(SchemaRegistryExtension.class)
class AvroSerdeWarmTest {
    private static final String TOPIC = "avro-warm";
    private static final int ROUNDS = 100_000;

    @Test
    void onceWarmNoRecordCostsARegistryRequest(SchemaRegistryServer registry) {
        List<byte[]> input;
        try (AvroWorkload w = new AvroWorkload(1, 100, registry.clientConfig())) {
            input =
                    w.records(TOPIC, 1_000, AvroWorkload.ORDER, AvroWorkload.PAYMENT).stream()
                            .map(ProducerRecord::value)
                            .toList();
        }
        AvroAmountSerde amounts = new AvroAmountSerde();
        AvroTotalsSerde totals = new AvroTotalsSerde();
        amounts.configure(registry.clientConfig(), false);
        totals.configure(registry.clientConfig(), false);
        try {
            OutgoingHeaders headers = OutgoingHeaders.of(List.of());
            run(amounts, totals, input, headers, input.size());
            int before = registry.requests().size();
            run(amounts, totals, input, headers, ROUNDS);
            assertThat(registry.requests().subList(before, registry.requests().size()))
                    .as("registry requests for %d warm records", ROUNDS)
                    .isEmpty();
        } finally {
            amounts.close();
            totals.close();
        }
    }

    /** Decodes each amount and encodes the running totals, {@code rounds} times. */
    private static void run(
            RecordSerde<Long> amounts,
            RecordSerde<Totals> totals,
            List<byte[]> input,
            OutgoingHeaders headers,
            int rounds) {
        long sum = 0;
        for (int i = 0; i < rounds; i++) {
            sum += amounts.deserialize(TOPIC, List.of(), input.get(i % input.size()));
            byte[] out = totals.serialize(TOPIC, headers, new Totals(i + 1, sum));
            assertThat(out[0]).isZero();
        }
    }
}
