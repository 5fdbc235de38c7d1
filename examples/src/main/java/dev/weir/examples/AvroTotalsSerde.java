package dev.weir.examples;

import dev.weir.Header;
import dev.weir.OutgoingHeaders;
import dev.weir.RecordSerde;
import dev.weir.WeirException;
import dev.weir.examples.KeyedAggregate.Totals;
import dev.weir.serdes.avro.AvroRecordSerde;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * avro-aggregate's output value: {@code dev.weir.examples.Totals {count: long, sum: long}} in the
 * Confluent wire format, through {@link AvroRecordSerde#generic()} — so its schema is registered
 * (or looked up, with {@code auto.register.schemas=false}) under the subject of the output topic,
 * {@code <output.topic>-value} by default, once, and each record costs no registry request. Reads
 * what it writes, and any record with long (or int) fields {@code count} and {@code sum}.
 * Thread-safe; configure it for one connector.
 */
public final class AvroTotalsSerde implements RecordSerde<Totals> {
    static final Schema TOTALS =
            SchemaBuilder.record("Totals")
                    .namespace("dev.weir.examples")
                    .doc("Running count and sum of one key's amounts (avro-aggregate)")
                    .fields()
                    .requiredLong("count")
                    .requiredLong("sum")
                    .endRecord();

    private final AvroRecordSerde<GenericRecord> avro = AvroRecordSerde.generic();

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        avro.configure(configs, isKey);
    }

    @Override
    public byte[] serialize(String topic, OutgoingHeaders headers, Totals value) {
        GenericData.Record r = new GenericData.Record(TOTALS);
        r.put(0, value.count());
        r.put(1, value.sum());
        return avro.serialize(topic, headers, r);
    }

    @Override
    public Totals deserialize(String topic, List<Header> headers, byte[] data) {
        GenericRecord r = avro.deserialize(topic, headers, data);
        return new Totals(longField(r, "count", topic), longField(r, "sum", topic));
    }

    private static long longField(GenericRecord r, String name, String topic) {
        Schema.Field f = r.getSchema().getField(name);
        Object v = f == null ? null : r.get(f.pos());
        if (v instanceof Long || v instanceof Integer) {
            return ((Number) v).longValue();
        }
        throw new WeirException(
                "Avro record "
                        + r.getSchema().getFullName()
                        + " of topic '"
                        + topic
                        + "' has no long field '"
                        + name
                        + "'");
    }

    @Override
    public void close() {
        avro.close();
    }
}
