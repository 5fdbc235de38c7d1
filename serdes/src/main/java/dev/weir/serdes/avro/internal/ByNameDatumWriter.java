package dev.weir.serdes.avro.internal;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.Encoder;

/**
 * Writes records with a schema other than their own — the subject's latest version, for {@code
 * use.latest.version} — taking each field of the writer schema from the record's field of the same
 * name (so field order may differ) and the writer field's default when the record has no such
 * field. Plain position-based writing would put values in the wrong fields as soon as the two
 * schemas order them differently. Thread-safe like {@link GenericDatumWriter}.
 */
public final class ByNameDatumWriter extends GenericDatumWriter<Object> {

    public ByNameDatumWriter(Schema writerSchema, GenericData data) {
        super(writerSchema, data);
    }

    @Override
    protected void writeField(Object datum, Schema.Field f, Encoder out, Object state)
            throws IOException {
        if (!(datum instanceof IndexedRecord record)) {
            super.writeField(datum, f, out, state);
            return;
        }
        Schema.Field own = record.getSchema().getField(f.name());
        if (own == null) {
            for (String alias : f.aliases()) {
                own = record.getSchema().getField(alias);
                if (own != null) {
                    break;
                }
            }
        }
        Object value = own != null ? record.get(own.pos()) : getData().getDefaultValue(f);
        try {
            write(f.schema(), value, out);
        } catch (NullPointerException e) {
            throw npe(e, " in field " + f.name());
        }
    }
}
