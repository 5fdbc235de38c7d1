package dev.weir.examples;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * Two writer schemas of avro-aggregate input, as two producers might have them — different record
 * names, {@code amount} an int in one and a long in the other, other fields around it — and records
 * of them. Used by {@code ./weir demo avro} and the tests.
 */
public final class AvroInput {
    private AvroInput() {}

    /** {@code shop.Order}: amount an int, between a string, an optional note and an array. */
    public static final Schema ORDER =
            new Schema.Parser()
                    .parse(
                            """
                            {"type":"record","name":"Order","namespace":"shop","fields":[
                              {"name":"id","type":"string"},
                              {"name":"amount","type":"int"},
                              {"name":"note","type":["null","string"],"default":null},
                              {"name":"tags","type":{"type":"array","items":"string"}}]}
                            """);

    /** {@code pay.v2.Payment}: amount a long. */
    public static final Schema PAYMENT =
            new Schema.Parser()
                    .parse(
                            """
                            {"type":"record","name":"Payment","namespace":"pay.v2","fields":[
                              {"name":"amount","type":"long"},
                              {"name":"ts","type":"long"}]}
                            """);

    /** Whether {@code schema}'s amount is an int, so amounts written with it must fit one. */
    public static boolean intAmount(Schema schema) {
        return schema.getField("amount").schema().getType() == Schema.Type.INT;
    }

    /** A record of {@code schema} with {@code amount}; {@code i} fills the other fields. */
    public static GenericData.Record record(Schema schema, long amount, int i) {
        GenericData.Record r = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            r.put(f.pos(), f.name().equals("amount") ? amountValue(schema, amount) : filler(f, i));
        }
        return r;
    }

    private static Object amountValue(Schema schema, long amount) {
        return intAmount(schema) ? Math.toIntExact(amount) : amount;
    }

    private static Object filler(Schema.Field f, int i) {
        return switch (f.schema().getType()) {
            case STRING -> "order-" + i;
            case LONG -> 1_700_000_000_000L + i;
            case UNION -> i % 2 == 0 ? null : "note " + i;
            case ARRAY -> List.of("a", "b" + i);
            default -> throw new IllegalArgumentException("no filler for field " + f);
        };
    }
}
