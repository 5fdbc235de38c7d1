package dev.weir.benchmarks;

import dev.weir.OutgoingHeaders;
import dev.weir.serdes.avro.AvroRecordSerde;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * avro-aggregate's input for the benchmark: the {@link Workload}'s records with values {@code
 * bench.Input {amount: int, seq: long, pad: string}} in the Confluent wire format, padded to about
 * the JSON values' {@value Workload#VALUE_BYTES} bytes. The schema is registered once, by the
 * serde, under {@code <topic>-value}.
 */
public final class AvroValues implements Workload.ValueFormat, AutoCloseable {
    static final Schema INPUT =
            SchemaBuilder.record("Input")
                    .namespace("bench")
                    .fields()
                    .requiredInt("amount")
                    .requiredLong("seq")
                    .requiredString("pad")
                    .endRecord();

    /** Header 5, amount ≤ 2, seq ≤ 4, the pad's length 1: the pad makes up the rest. */
    private static final String PAD = "x".repeat(Workload.VALUE_BYTES - 12);

    private final AvroRecordSerde<GenericRecord> serde = AvroRecordSerde.generic();
    private final String topic;

    public AvroValues(String registryUrl, String topic) {
        this.topic = topic;
        serde.configure(Map.of("schema.registry.url", registryUrl), false);
    }

    @Override
    public byte[] value(int amount, long seq) {
        GenericData.Record r = new GenericData.Record(INPUT);
        r.put(0, amount);
        r.put(1, seq);
        r.put(2, PAD);
        return serde.serialize(topic, OutgoingHeaders.of(List.of()), r);
    }

    @Override
    public void close() {
        serde.close();
    }
}
