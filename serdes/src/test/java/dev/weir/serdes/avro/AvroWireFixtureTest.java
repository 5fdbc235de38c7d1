package dev.weir.serdes.avro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.OutgoingHeaders;
import dev.weir.serdes.registry.CompatibilityResult;
import dev.weir.serdes.registry.RegisteredSchema;
import dev.weir.serdes.registry.RegistrySchema;
import dev.weir.serdes.registry.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * The exact bytes of the wire format, pinned as hex literals worked out by hand from the Avro
 * specification (zig-zag varints, length-prefixed strings, union branch index, array blocks ending
 * in a 0 count) and the Confluent header (magic byte 0, the id big-endian). No registry: the id is
 * what a fixed-answer client says, so only the encoding is under test.
 */
class AvroWireFixtureTest {
    static final Schema FIXTURE =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Fixture\",\"namespace\":\"wire\","
                                    + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
                                    + "{\"name\":\"amount\",\"type\":\"long\"},"
                                    + "{\"name\":\"note\",\"type\":[\"null\",\"string\"]},"
                                    + "{\"name\":\"tags\",\"type\":{\"type\":\"array\","
                                    + "\"items\":\"string\"}}]}");

    /**
     * Schema id 0x0102a3f4 and {id "ab", amount -301, note "x", tags ["a", "bc"]}: header 00
     * 0102a3f4; "ab" = length 2 (zig-zag 04) 61 62; -301 = zig-zag 601 = d9 04; note = branch 1
     * (02), length 1 (02) 78; tags = block of 2 (04), 02 61, 04 62 63, end of blocks 00.
     */
    static final String FULL = "000102a3f4" + "046162" + "d904" + "020278" + "04026104626300";

    /** Schema id 7 and {id "", amount 0, note null, tags []}: every field one 00 byte. */
    static final String EMPTY = "0000000007" + "00" + "00" + "00" + "00";

    private static final OutgoingHeaders NO_HEADERS = OutgoingHeaders.of(List.of());
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void weirWritesExactlyTheBytesOfTheFormat() {
        assertThat(HEX.formatHex(serde(0x0102a3f4).serialize("t", NO_HEADERS, full())))
                .isEqualTo(FULL);
        assertThat(HEX.formatHex(serde(7).serialize("t", NO_HEADERS, empty()))).isEqualTo(EMPTY);
    }

    @Test
    void weirReadsFixedBytesOfTheFormat() {
        FixedIdClient client = new FixedIdClient(0x0102a3f4);
        AvroRecordSerde<GenericRecord> serde = serde(client);

        GenericRecord read = serde.deserialize("t", List.of(), HEX.parseHex(FULL));

        assertThat(read).isEqualTo(full());
        assertThat(read.get("id").toString()).isEqualTo("ab");
        assertThat(read.get("amount")).isEqualTo(-301L);
        assertThat(read.get("note").toString()).isEqualTo("x");
        assertThat(client.lookedUp).containsExactly(0x0102a3f4);
        assertThat(serde(7).deserialize("t", List.of(), HEX.parseHex(EMPTY))).isEqualTo(empty());
    }

    @Test
    void weirReadsArraysInSeveralBlocksAsOtherAvroWritersMayWriteThem() {
        // tags ["a", "bc"] as a block of 1 with its byte size (count -1 = zig-zag 01, size 2 = 04,
        // then "a") and a block of 1 (02, then "bc"), then the end 00.
        String blocks = "000102a3f4" + "046162" + "d904" + "020278" + "010402610204626300";

        GenericRecord read = serde(0x0102a3f4).deserialize("t", List.of(), HEX.parseHex(blocks));

        assertThat(read).isEqualTo(full());
    }

    static GenericRecord full() {
        return record("ab", -301L, "x", List.of("a", "bc"));
    }

    static GenericRecord empty() {
        return record("", 0L, null, List.of());
    }

    private static GenericRecord record(String id, long amount, String note, List<String> tags) {
        GenericRecord r = new GenericData.Record(FIXTURE);
        r.put("id", id);
        r.put("amount", amount);
        r.put("note", note);
        r.put("tags", tags);
        return r;
    }

    private static AvroRecordSerde<GenericRecord> serde(int id) {
        return serde(new FixedIdClient(id));
    }

    private static AvroRecordSerde<GenericRecord> serde(SchemaRegistryClient client) {
        return AvroRecordSerde.generic()
                .withRegistryClient(client)
                .configured(Map.of("schema.registry.url", "http://unused.invalid"), false);
    }

    /** Registers every schema as {@code id} and knows {@link #FIXTURE} by that id only. */
    private static final class FixedIdClient implements SchemaRegistryClient {
        private final int id;
        final List<Integer> lookedUp = new ArrayList<>();

        FixedIdClient(int id) {
            this.id = id;
        }

        @Override
        public int register(String subject, RegistrySchema schema, boolean normalize) {
            assertThat(subject).isEqualTo("t-value");
            assertThat(new Schema.Parser().parse(schema.text())).isEqualTo(FIXTURE);
            return id;
        }

        @Override
        public Schema avroSchemaById(int requested) {
            lookedUp.add(requested);
            assertThat(requested).as("schema id read from the bytes").isEqualTo(id);
            return FIXTURE;
        }

        @Override
        public int idOf(String subject, RegistrySchema schema, boolean normalize) {
            throw new UnsupportedOperationException("idOf");
        }

        @Override
        public RegistrySchema schemaById(int requested) {
            throw new UnsupportedOperationException("schemaById");
        }

        @Override
        public RegisteredSchema version(String subject, int version) {
            throw new UnsupportedOperationException("version");
        }

        @Override
        public RegisteredSchema latest(String subject) {
            throw new UnsupportedOperationException("latest");
        }

        @Override
        public CompatibilityResult testCompatibility(String subject, RegistrySchema schema) {
            throw new UnsupportedOperationException("testCompatibility");
        }

        @Override
        public long requestCount() {
            return 0;
        }

        @Override
        public void close() {}
    }
}
