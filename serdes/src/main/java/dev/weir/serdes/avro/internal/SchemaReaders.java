package dev.weir.serdes.avro.internal;

import dev.weir.RetriableSerdeException;
import dev.weir.UnrecoverableJobException;
import dev.weir.WeirException;
import dev.weir.serdes.registry.RegistryRequestException;
import dev.weir.serdes.registry.SchemaNotFoundException;
import dev.weir.serdes.registry.SchemaRegistryClient;
import dev.weir.serdes.registry.SchemaRegistryException;
import dev.weir.serdes.registry.TransientRegistryException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * The deserializer's side: for each writer schema id the {@link DatumReader} that resolves it into
 * the reader schema, built once and kept — the reader schema is fixed per serde instance and id, so
 * the id is the whole key. A warm deserializer sends no request, parses no schema and builds no
 * reader per record. Thread-safe; a reader is shared by all threads (Avro keeps its resolving
 * decoders per thread).
 */
public final class SchemaReaders {
    /** A reader for one writer schema id; {@code writer} names it in messages. */
    public record Reader(int id, Schema writer, DatumReader<Object> datumReader) {}

    private final SchemaRegistryClient client;
    private final Optional<Class<? extends SpecificRecord>> specificClass;
    private final boolean specificReader;
    private final boolean recordsOnly;
    private final Map<Integer, Reader> byId = new ConcurrentHashMap<>();

    /**
     * @param specificClass the generated class to read into ({@code AvroRecordSerde.specific})
     * @param specificReader {@code specific.avro.reader}: read into the class the writer schema
     *     names
     * @param recordsOnly refuse writer schemas that are not records ({@code generic()})
     */
    public SchemaReaders(
            SchemaRegistryClient client,
            Optional<Class<? extends SpecificRecord>> specificClass,
            boolean specificReader,
            boolean recordsOnly) {
        this.client = client;
        this.specificClass = specificClass;
        this.specificReader = specificReader;
        this.recordsOnly = recordsOnly;
    }

    /**
     * The reader of records written with schema {@code id}, found in {@code topic}.
     *
     * @throws RetriableSerdeException if the registry is unavailable and the id is not cached
     * @throws WeirException if the registry has no schema {@code id}, or it cannot be read into the
     *     reader schema: a poison record
     */
    public Reader reader(int id, String topic) {
        Reader reader = byId.get(id);
        if (reader == null) {
            reader = build(id, topic);
            byId.putIfAbsent(id, reader);
        }
        return reader;
    }

    private Reader build(int id, String topic) {
        Schema writer = writerSchema(id, topic);
        if (recordsOnly && writer.getType() != Schema.Type.RECORD) {
            throw new WeirException(
                    "record of topic '"
                            + topic
                            + "' has schema id "
                            + id
                            + ", a '"
                            + writer.getType().getName()
                            + "' schema, but AvroRecordSerde.generic() reads records; use"
                            + " AvroRecordSerde.objects() for primitives");
        }
        Optional<Class<?>> target = specificTarget(writer, id, topic);
        if (target.isEmpty()) {
            return new Reader(id, writer, new GenericDatumReader<>(writer, writer));
        }
        SpecificData data = SpecificData.getForClass(target.get());
        Schema reader = data.getSchema(target.get());
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new WeirException(
                    "record of topic '"
                            + topic
                            + "' was written with schema id "
                            + id
                            + " ("
                            + writer.getFullName()
                            + "), which "
                            + target.get().getName()
                            + " cannot read: "
                            + compatibility.getResult().getIncompatibilities());
        }
        return new Reader(id, writer, new SpecificDatumReader<>(writer, reader, data));
    }

    private Schema writerSchema(int id, String topic) {
        try {
            return client.avroSchemaById(id);
        } catch (TransientRegistryException e) {
            throw new RetriableSerdeException(
                    "cannot read a record of topic '"
                            + topic
                            + "' now: schema id "
                            + id
                            + " is not cached and the schema registry is unavailable: "
                            + e.getMessage(),
                    e);
        } catch (SchemaNotFoundException e) {
            throw new WeirException(
                    "record of topic '"
                            + topic
                            + "' names schema id "
                            + id
                            + ", which the schema registry does not have: "
                            + e.getMessage(),
                    e);
        } catch (SchemaRegistryException e) {
            if (e instanceof RegistryRequestException r && r.refusesTheClient()) {
                // The job's credentials or TLS setup, not the record: skipping would skip every
                // record.
                throw new UnrecoverableJobException(
                        "the schema registry refuses the job's requests ("
                                + (e.status() == 0 ? "TLS" : "HTTP " + e.status())
                                + ") while reading schema id "
                                + id
                                + " for topic '"
                                + topic
                                + "': "
                                + e.getMessage(),
                        e);
            }
            throw new WeirException(
                    "record of topic '"
                            + topic
                            + "' names schema id "
                            + id
                            + ", which cannot be used: "
                            + e.getMessage(),
                    e);
        }
    }

    private Optional<Class<?>> specificTarget(Schema writer, int id, String topic) {
        if (specificClass.isPresent()) {
            return Optional.of(specificClass.get());
        }
        if (!specificReader || writer.getType() != Schema.Type.RECORD) {
            return Optional.empty();
        }
        Class<?> named;
        try {
            named = SpecificData.get().getClass(writer);
        } catch (SecurityException e) {
            // The job's setup, not the record: skipping would skip every record of the class.
            throw new UnrecoverableJobException(
                    "specific.avro.reader=true: Avro does not trust class "
                            + writer.getFullName()
                            + " (named by schema id "
                            + id
                            + " of a record of topic '"
                            + topic
                            + "'); add its package to the system property"
                            + " org.apache.avro.SERIALIZABLE_PACKAGES, or use"
                            + " AvroRecordSerde.specific(Class)",
                    e);
        }
        if (named == null || !SpecificRecord.class.isAssignableFrom(named)) {
            throw new WeirException(
                    "record of topic '"
                            + topic
                            + "' has schema id "
                            + id
                            + " of record "
                            + writer.getFullName()
                            + ", but specific.avro.reader=true and no generated class of that"
                            + " name is on the class path");
        }
        return Optional.of(named);
    }
}
