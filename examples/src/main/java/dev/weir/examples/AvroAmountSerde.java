package dev.weir.examples;

import dev.weir.Header;
import dev.weir.OutgoingHeaders;
import dev.weir.RecordSerde;
import dev.weir.WeirException;
import dev.weir.serdes.avro.AvroRecordSerde;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The field {@code amount} ({@code int} or {@code long}) of an Avro record of any name in the
 * Confluent wire format; the record's other fields are ignored. Reading goes through {@link
 * AvroRecordSerde#generic()}, so the writer schema comes from the registry once per id and the
 * poison/retry split is the serde's: wrong magic byte, unknown id or bytes that are not Avro of the
 * schema are poison, an uncached id while the registry is down is retried. A record without an
 * {@code amount} of type int or long is poison too.
 *
 * <p>Decoding the whole record measured ≈ 0.15–0.2 µs for a four-field record on the reference
 * machine, against ≈ 0.1–0.15 µs for a projection onto {@code amount} alone: not worth a second
 * reading path. Thread-safe, like the serde it wraps; configure it for one connector.
 */
final class AvroAmountSerde implements RecordSerde<Long> {
    static final String FIELD = "amount";

    /** What {@link #serialize} writes: {@code dev.weir.examples.Amount {amount: long}}. */
    static final Schema AMOUNT =
            SchemaBuilder.record("Amount")
                    .namespace("dev.weir.examples")
                    .fields()
                    .requiredLong(FIELD)
                    .endRecord();

    private final AvroRecordSerde<GenericRecord> avro = AvroRecordSerde.generic();

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        avro.configure(configs, isKey);
    }

    @Override
    public byte[] serialize(String topic, OutgoingHeaders headers, Long value) {
        GenericData.Record r = new GenericData.Record(AMOUNT);
        r.put(0, value);
        return avro.serialize(topic, headers, r);
    }

    /**
     * @throws WeirException for a poison record, naming the topic and what is wrong
     * @throws dev.weir.RetriableSerdeException if the writer schema cannot be fetched now
     */
    @Override
    public Long deserialize(String topic, List<Header> headers, byte[] data) {
        GenericRecord record = avro.deserialize(topic, headers, data);
        Schema schema = record.getSchema();
        Schema.Field field = schema.getField(FIELD);
        Object amount = field == null ? null : record.get(field.pos());
        if (amount instanceof Long l) {
            return l;
        }
        if (amount instanceof Integer i) {
            return i.longValue();
        }
        throw new WeirException(
                "Avro record "
                        + schema.getFullName()
                        + " of topic '"
                        + topic
                        + "' has "
                        + (field == null
                                ? "no field '" + FIELD + "'"
                                : "'" + FIELD + "' of type " + field.schema() + ", value " + amount)
                        + "; avro-aggregate needs an int or long field '"
                        + FIELD
                        + "'");
    }

    @Override
    public void close() {
        avro.close();
    }
}
