package dev.weir.examples;

import dev.weir.OutgoingHeaders;
import dev.weir.RecordSerde;
import dev.weir.benchmarks.AvroValues;
import dev.weir.examples.KeyedAggregate.Totals;
import dev.weir.testkit.SchemaRegistryServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one record costs in keyed-aggregate's serdes (JSON {@code amount} in, JSON totals out) and
 * in avro-aggregate's (the same through the Confluent wire format, warm caches): the difference is
 * what Avro adds per record. The end-to-end benchmark ({@code --only weir-eos,weir-avro}) shows the
 * same on the whole job, with more noise. A schema registry of its own is started for the trial.
 * Run with {@code benchmarks/run.sh jmh SerdeBenchmarks}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class SerdeBenchmarks {
    private static final String TOPIC = "bench-in-avro";
    private static final int RECORDS = 1_024;

    private SchemaRegistryServer registry;
    private final RecordSerde<Long> jsonAmount = new AmountSerde();
    private final RecordSerde<Totals> jsonTotals = Totals.JSON;
    private final AvroAmountSerde avroAmount = new AvroAmountSerde();
    private final AvroTotalsSerde avroTotals = new AvroTotalsSerde();
    private final OutgoingHeaders headers = OutgoingHeaders.of(List.of());
    private byte[][] json;
    private byte[][] avro;
    private int next;
    private long sum;

    @Setup
    public void setUp() {
        registry = SchemaRegistryServer.startPrivate();
        avroAmount.configure(registry.clientConfig(), false);
        avroTotals.configure(registry.clientConfig(), false);
        json = new byte[RECORDS][];
        avro = new byte[RECORDS][];
        try (AvroValues values = new AvroValues(registry.url(), TOPIC)) {
            for (int i = 0; i < RECORDS; i++) {
                int amount = i * 37 % 1000;
                json[i] =
                        ("{\"amount\":" + amount + ",\"seq\":" + i + ",\"pad\":\"xxxxxxxxxxxxxx\"}")
                                .getBytes(StandardCharsets.UTF_8);
                avro[i] = values.value(amount, i);
            }
        }
    }

    @TearDown
    public void tearDown() {
        avroAmount.close();
        avroTotals.close();
        registry.close();
    }

    /** keyed-aggregate: read a record's amount, write its key's new totals. */
    @Benchmark
    public byte[] json() {
        int i = next++ & (RECORDS - 1);
        sum += jsonAmount.deserialize(TOPIC, List.of(), json[i]);
        return jsonTotals.serialize("out", headers, new Totals(i + 1, sum));
    }

    /** avro-aggregate: the same, in the Confluent wire format. */
    @Benchmark
    public byte[] avro() {
        int i = next++ & (RECORDS - 1);
        sum += avroAmount.deserialize(TOPIC, List.of(), avro[i]);
        return avroTotals.serialize("out", headers, new Totals(i + 1, sum));
    }
}
