package dev.weir.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataSerializerTest {
    private static final int VERSION_OFFSET = 8;
    private static final int BODY_OFFSET = 12;

    @Test
    void roundTripPreservesKeyedSourceAndSinkOperators() {
        CheckpointMetadata m = sampleMetadata();

        CheckpointMetadata back = MetadataSerializer.deserialize(MetadataSerializer.serialize(m));

        assertThat(back).isEqualTo(m);
        OperatorSnapshot keyed = back.operator("totals").orElseThrow();
        assertThat(keyed.subtasks().get(1).keyGroups()).contains(KeyGroups.rangeFor(1, 128, 2));
        assertThat(keyed.subtasks().get(1).files())
                .containsExactly(new FileRef("shared/op-totals-1/000009.sst", 4096, 0x7fabcdef));
        assertThat(back.operator("orders").orElseThrow().subtasks().get(0).positions())
                .containsExactlyInAnyOrderEntriesOf(Map.of("orders:0", 17L, "orders:2", 0L));
        assertThat(back.operator("out").orElseThrow().subtasks())
                .allSatisfy(
                        s -> {
                            assertThat(s.keyGroups()).isEmpty();
                            assertThat(s.files()).isEmpty();
                            assertThat(s.positions()).isEmpty();
                        });
    }

    @Test
    void roundTripPreservesTheIncarnationThatWroteIt() {
        CheckpointMetadata m = sampleMetadata();
        CheckpointMetadata written =
                new CheckpointMetadata(
                        m.jobName(),
                        m.checkpointId(),
                        m.timestampMillis(),
                        m.maxParallelism(),
                        m.kind(),
                        m.operators(),
                        "3f9a2b1c");

        assertThat(MetadataSerializer.deserialize(MetadataSerializer.serialize(written)))
                .isEqualTo(written);
    }

    @Test
    void roundTripPreservesMetadataWithoutOperators() {
        CheckpointMetadata m = new CheckpointMetadata("empty", 1, 0, 1, List.of());

        assertThat(MetadataSerializer.deserialize(MetadataSerializer.serialize(m))).isEqualTo(m);
    }

    @Test
    void roundTripPreservesASchemaLongerThan64KiB() {
        // An Avro record with many documented fields easily passes the 65,535 bytes of writeUTF.
        String schema = "avro:" + "{\"doc\":\"é\"}".repeat(10_000);
        OperatorSnapshot op =
                new OperatorSnapshot(
                        "big",
                        1,
                        List.of(StateInfo.of("s", "value", schema)),
                        List.of(new SubtaskSnapshot(0, Optional.empty(), List.of(), Map.of())));
        CheckpointMetadata m = new CheckpointMetadata("job", 1, 0, 128, List.of(op));

        CheckpointMetadata back = MetadataSerializer.deserialize(MetadataSerializer.serialize(m));

        assertThat(back).isEqualTo(m);
        assertThat(back.operators().get(0).states().get(0).valueSchema()).hasSize(schema.length());
    }

    @Test
    void mapKeyAndValueSchemasContainingArrowsRoundTripApart() {
        String key =
                "avro:{\"type\":\"record\",\"name\":\"K\",\"doc\":\"from -> to\",\"fields\":[]}";
        String value =
                "avro:{\"type\":\"record\",\"name\":\"V\",\"doc\":\"a->b->c\",\"fields\":[]}";
        StateInfo legacy = new StateInfo("old", "map", Optional.empty(), "k->v");
        OperatorSnapshot op =
                new OperatorSnapshot(
                        "op",
                        1,
                        List.of(StateInfo.map("m", key, value), legacy),
                        List.of(new SubtaskSnapshot(0, Optional.empty(), List.of(), Map.of())));
        CheckpointMetadata m = new CheckpointMetadata("job", 1, 0, 128, List.of(op));

        List<StateInfo> back =
                MetadataSerializer.deserialize(MetadataSerializer.serialize(m))
                        .operators()
                        .get(0)
                        .states();

        assertThat(back.get(0).keySchema()).contains(key);
        assertThat(back.get(0).valueSchema()).isEqualTo(value);
        // A map state restored from version 2 and not registered again stays joined.
        assertThat(back.get(1)).isEqualTo(legacy);
    }

    @Test
    void aFlippedByteAnywhereIsRejected() {
        byte[] good = MetadataSerializer.serialize(sampleMetadata());
        for (int i = 0; i < good.length; i++) {
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) bit;
                int index = i;
                MetadataFormatException e =
                        catchThrowableOfType(
                                MetadataFormatException.class,
                                () -> MetadataSerializer.deserialize(bad));
                assertThat(e)
                        .as("flip of bit %x at byte %d of %d", bit, index, good.length)
                        .isNotNull();
                if (i >= BODY_OFFSET) {
                    assertThat(e).hasMessageContaining("checksum");
                }
            }
        }
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {0, 4, 7, Integer.MAX_VALUE, -1})
    void unknownVersionIsRejectedNamingTheVersion(int version) {
        byte[] data = MetadataSerializer.serialize(sampleMetadata());
        ByteBuffer.wrap(data).putInt(VERSION_OFFSET, version);
        resealChecksum(data);

        assertThatThrownBy(() -> MetadataSerializer.deserialize(data))
                .isInstanceOf(MetadataFormatException.class)
                .hasMessageContaining("version " + version)
                .hasMessageContaining("version " + MetadataSerializer.CURRENT_VERSION);
    }

    @Test
    void savepointKindSurvivesTheRoundTrip() {
        CheckpointMetadata m = sampleMetadata();
        CheckpointMetadata savepoint =
                new CheckpointMetadata(
                        m.jobName(),
                        m.checkpointId(),
                        m.timestampMillis(),
                        m.maxParallelism(),
                        CheckpointMetadata.Kind.SAVEPOINT,
                        m.operators());
        assertThat(MetadataSerializer.deserialize(MetadataSerializer.serialize(savepoint)))
                .isEqualTo(savepoint);
        assertThat(MetadataSerializer.deserialize(MetadataSerializer.serialize(m)).kind())
                .isEqualTo(CheckpointMetadata.Kind.CHECKPOINT);
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] good = MetadataSerializer.serialize(sampleMetadata());
        for (int length = 0; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> MetadataSerializer.deserialize(cut))
                    .as("first %d of %d bytes", length, good.length)
                    .isInstanceOf(MetadataFormatException.class);
        }
    }

    @Test
    void truncatedBodyWithAValidChecksumIsRejectedAsMalformed() {
        byte[] good = MetadataSerializer.serialize(sampleMetadata());
        byte[] cut = Arrays.copyOf(good, good.length / 2);
        resealChecksum(cut);

        assertThatThrownBy(() -> MetadataSerializer.deserialize(cut))
                .isInstanceOf(MetadataFormatException.class)
                .hasMessageContaining("malformed")
                .hasCauseInstanceOf(EOFException.class);
    }

    @Test
    void aValueTheRecordsRejectIsTheCauseOfTheMalformedMetadata() {
        byte[] data = MetadataSerializer.serialize(sampleMetadata());
        // The first subtask index of the first operator ("orders"), made negative.
        // job name, id, time, max-parallelism, kind, incarnation (empty), operator count
        int subtaskIndex = BODY_OFFSET + 4 + "orders-job".length() + 8 + 8 + 4 + 1 + 4 + 4;
        subtaskIndex += 4 + "orders".length() + 4 + 4;
        assertThat(ByteBuffer.wrap(data).getInt(subtaskIndex)).isZero();
        ByteBuffer.wrap(data).putInt(subtaskIndex, -1);
        resealChecksum(data);

        assertThatThrownBy(() -> MetadataSerializer.deserialize(data))
                .isInstanceOf(MetadataFormatException.class)
                .hasMessageContaining("subtask must be >= 0")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void appendedBytesAreRejected() {
        byte[] good = MetadataSerializer.serialize(sampleMetadata());

        assertThatThrownBy(
                        () -> MetadataSerializer.deserialize(Arrays.copyOf(good, good.length + 3)))
                .isInstanceOf(MetadataFormatException.class);
    }

    @Test
    void wrongMagicIsRejected() {
        byte[] data = MetadataSerializer.serialize(sampleMetadata());
        data[0] = 'X';
        resealChecksum(data);

        assertThatThrownBy(() -> MetadataSerializer.deserialize(data))
                .isInstanceOf(MetadataFormatException.class)
                .hasMessageContaining("magic");
    }

    /**
     * {@code format/metadata-v2.bin} was written by the version 2 serializer (commit 68b2f74): a
     * savepoint of a source and a keyed operator with value, list and map state.
     */
    @Test
    void readsAFileWrittenInVersion2() throws IOException {
        CheckpointMetadata m = MetadataSerializer.deserialize(fixture("format/metadata-v2.bin"));

        assertThat(m.jobName()).isEqualTo("orders-job");
        assertThat(m.checkpointId()).isEqualTo(5);
        assertThat(m.timestampMillis()).isEqualTo(1_700_000_000_123L);
        assertThat(m.maxParallelism()).isEqualTo(128);
        assertThat(m.kind()).isEqualTo(CheckpointMetadata.Kind.SAVEPOINT);
        assertThat(m.operators())
                .extracting(OperatorSnapshot::uid)
                .containsExactly("orders", "totals");
        assertThat(m.operator("orders").orElseThrow().subtasks())
                .containsExactly(
                        new SubtaskSnapshot(
                                0, Optional.empty(), List.of(), Map.of("orders:0", 17L)));
        OperatorSnapshot keyed = m.operator("totals").orElseThrow();
        assertThat(keyed.states())
                .containsExactly(
                        StateInfo.of("count", "value", "long:be64"),
                        StateInfo.of("events", "list", "string:utf8"),
                        new StateInfo("seen", "map", Optional.empty(), "string:utf8->long:be64"));
        assertThat(keyed.states().get(2).splitJoined("string:utf8"))
                .isEqualTo(StateInfo.map("seen", "string:utf8", "long:be64"));
        FileRef file = new FileRef("shared/op-totals-0/000007.sst", 1234, -1);
        assertThat(keyed.subtasks())
                .containsExactly(
                        new SubtaskSnapshot(
                                0,
                                Optional.of(new KeyGroupRange(0, 127)),
                                List.of(file),
                                Map.of()));
    }

    private static byte[] fixture(String resource) throws IOException {
        try (InputStream in = MetadataSerializerTest.class.getResourceAsStream("/" + resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Rewrites the trailing CRC-32 so that only the deliberate change is wrong. */
    private static void resealChecksum(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 4);
        ByteBuffer.wrap(data).putInt(data.length - 4, (int) crc.getValue());
    }

    private static CheckpointMetadata sampleMetadata() {
        OperatorSnapshot source =
                new OperatorSnapshot(
                        "orders",
                        2,
                        List.of(),
                        List.of(
                                new SubtaskSnapshot(
                                        0,
                                        Optional.empty(),
                                        List.of(),
                                        Map.of("orders:0", 17L, "orders:2", 0L)),
                                new SubtaskSnapshot(
                                        1,
                                        Optional.empty(),
                                        List.of(),
                                        Map.of("orders:1", Long.MAX_VALUE))));
        OperatorSnapshot keyed =
                new OperatorSnapshot(
                        "totals",
                        2,
                        List.of(
                                StateInfo.of("count", "value", "long:be64"),
                                StateInfo.of("events", "list", "string:utf8"),
                                StateInfo.map("seen", "string:utf8", "long:be64")),
                        List.of(
                                new SubtaskSnapshot(
                                        0,
                                        Optional.of(KeyGroups.rangeFor(0, 128, 2)),
                                        List.of(
                                                new FileRef(
                                                        "shared/op-totals-0/000007.sst", 1234, -1),
                                                new FileRef(
                                                        "chk-5/op-totals-0/MANIFEST-000005",
                                                        77,
                                                        0)),
                                        Map.of()),
                                new SubtaskSnapshot(
                                        1,
                                        Optional.of(KeyGroups.rangeFor(1, 128, 2)),
                                        List.of(
                                                new FileRef(
                                                        "shared/op-totals-1/000009.sst",
                                                        4096,
                                                        0x7fabcdef)),
                                        Map.of())));
        OperatorSnapshot sink =
                new OperatorSnapshot(
                        "out",
                        2,
                        List.of(),
                        List.of(
                                new SubtaskSnapshot(0, Optional.empty(), List.of(), Map.of()),
                                new SubtaskSnapshot(1, Optional.empty(), List.of(), Map.of())));
        return new CheckpointMetadata(
                "orders-job", 5, 1_700_000_000_123L, 128, List.of(source, keyed, sink));
    }
}
