package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.OutgoingHeaders;
import dev.weir.RecordSerde;
import dev.weir.examples.KeyedAggregate.Totals;
import dev.weir.testkit.SchemaRegistryExtension;
import dev.weir.testkit.SchemaRegistryServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What avro-aggregate's serdes cost per record once warm, against keyed-aggregate's JSON ones: the
 * thread CPU time of reading {@code amount} and writing the totals, and the registry requests (none
 * may be sent per record). The bound on CPU time is loose (this machine is shared); the numbers are
 * printed for the record.
 */
@ExtendWith(SchemaRegistryExtension.class)
class AvroSerdeCostTest {
    private static final String TOPIC = "avro-cost";
    private static final int ROUNDS = 400_000;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    @Test
    void onceWarmAvroAddsWellUnderAMicrosecondPerRecordAndNoRegistryRequest(
            SchemaRegistryServer registry) {
        List<byte[]> avroInput;
        try (AvroWorkload w = new AvroWorkload(1, 100, registry.clientConfig())) {
            avroInput =
                    w.records(TOPIC, 1_000, AvroWorkload.ORDER, AvroWorkload.PAYMENT).stream()
                            .map(ProducerRecord::value)
                            .toList();
        }
        List<byte[]> jsonInput =
                avroInput.stream()
                        .map(
                                b ->
                                        ("{\"id\":\"order-1\",\"amount\":"
                                                        + (b.length * 7 % 1000)
                                                        + ",\"note\":\"n\"}")
                                                .getBytes(StandardCharsets.UTF_8))
                        .toList();
        AvroAmountSerde avroAmount = new AvroAmountSerde();
        AvroTotalsSerde avroTotals = new AvroTotalsSerde();
        avroAmount.configure(registry.clientConfig(), false);
        avroTotals.configure(registry.clientConfig(), false);
        try {
            OutgoingHeaders headers = OutgoingHeaders.of(List.of());
            for (int i = 0; i < 3; i++) {
                run(avroAmount, avroTotals, avroInput, headers);
                run(new AmountSerde(), Totals.JSON, jsonInput, headers);
            }
            int requestsBefore = registry.requests().size();
            double avro = run(avroAmount, avroTotals, avroInput, headers);
            double json = run(new AmountSerde(), Totals.JSON, jsonInput, headers);
            int requestsAfter = registry.requests().size();
            System.out.printf(
                    "avro-aggregate serdes: %.0f ns CPU per record (read amount, write totals);"
                            + " keyed-aggregate's JSON ones: %.0f ns; difference %.0f ns%n",
                    avro, json, avro - json);
            assertThat(requestsAfter - requestsBefore)
                    .as("registry requests for %d warm records", ROUNDS)
                    .isZero();
            assertThat(avro - json).as("ns of CPU Avro adds per record").isLessThan(1_000);
        } finally {
            avroAmount.close();
            avroTotals.close();
        }
    }

    /** CPU ns per record of decoding the amount and encoding the running totals. */
    private static double run(
            RecordSerde<Long> amounts,
            RecordSerde<Totals> totals,
            List<byte[]> input,
            OutgoingHeaders headers) {
        long start = CPU.getCurrentThreadCpuTime();
        long sum = 0;
        long bytes = 0;
        for (int i = 0; i < ROUNDS; i++) {
            sum += amounts.deserialize(TOPIC, List.of(), input.get(i % input.size()));
            bytes += totals.serialize(TOPIC, headers, new Totals(i, sum)).length;
        }
        long cpu = CPU.getCurrentThreadCpuTime() - start;
        assertThat(bytes).isPositive();
        return (double) cpu / ROUNDS;
    }
}
