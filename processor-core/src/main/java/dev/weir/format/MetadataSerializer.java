package dev.weir.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Binary form of {@link CheckpointMetadata}: the magic {@code WEIRMETA}, a format version, the
 * body, and a CRC-32 of everything before it. Versions this class does not know are rejected by
 * number, and a damaged file is rejected by its checksum rather than misread.
 */
public final class MetadataSerializer {
    /**
     * Version 3 writes strings as an int32 length and UTF-8 bytes: versions 1 and 2 used {@link
     * DataOutputStream#writeUTF}, which cannot hold more than 65,535 bytes, less than a large Avro
     * schema. It also records a map state's key schema apart from its value schema, where versions
     * 1 and 2 joined them with {@code ->} (see {@link StateInfo#splitJoined}), and the incarnation
     * (a string after the kind) that wrote the file. Version 2 added the kind (checkpoint or
     * savepoint); version 1 files read as checkpoints.
     */
    public static final int CURRENT_VERSION = 3;

    private static final int OLDEST_VERSION = 1;

    private static final byte[] MAGIC = {'W', 'E', 'I', 'R', 'M', 'E', 'T', 'A'};

    private MetadataSerializer() {}

    /**
     * The format version of a metadata file, read from its header without parsing the rest.
     *
     * @throws MetadataFormatException if it does not start like a metadata file
     */
    public static int versionOf(byte[] data) {
        if (data.length < MAGIC.length + 4
                || !java.util.Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new MetadataFormatException("not a Weir metadata file (bad magic)");
        }
        return java.nio.ByteBuffer.wrap(data, MAGIC.length, 4).getInt();
    }

    public static byte[] serialize(CheckpointMetadata m) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(CURRENT_VERSION);
            writeString(out, m.jobName());
            out.writeLong(m.checkpointId());
            out.writeLong(m.timestampMillis());
            out.writeInt(m.maxParallelism());
            out.writeByte(m.kind().ordinal());
            writeString(out, m.incarnation());
            out.writeInt(m.operators().size());
            for (OperatorSnapshot op : m.operators()) {
                writeOperator(out, op);
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @throws MetadataFormatException if the bytes are not a metadata file this version of Weir can
     *     read (wrong magic, unknown version, checksum mismatch, truncated)
     */
    public static CheckpointMetadata deserialize(byte[] data) {
        if (data.length < MAGIC.length + 8
                || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new MetadataFormatException("not a Weir metadata file (bad magic or too short)");
        }
        int version =
                ((data[8] & 0xff) << 24)
                        | ((data[9] & 0xff) << 16)
                        | ((data[10] & 0xff) << 8)
                        | (data[11] & 0xff);
        if (version < OLDEST_VERSION || version > CURRENT_VERSION) {
            throw new MetadataFormatException(
                    "metadata format version "
                            + version
                            + " is not supported; this Weir reads version "
                            + OLDEST_VERSION
                            + " to version "
                            + CURRENT_VERSION);
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 4);
        int stored =
                ((data[data.length - 4] & 0xff) << 24)
                        | ((data[data.length - 3] & 0xff) << 16)
                        | ((data[data.length - 2] & 0xff) << 8)
                        | (data[data.length - 1] & 0xff);
        if ((int) crc.getValue() != stored) {
            throw new MetadataFormatException("metadata checksum mismatch: the file is damaged");
        }
        try {
            StringReader strings =
                    version >= 3 ? MetadataSerializer::readString : in -> in.readUTF();
            DataInputStream in =
                    new DataInputStream(new ByteArrayInputStream(data, 12, data.length - 16));
            String job = strings.read(in);
            long id = in.readLong();
            long ts = in.readLong();
            int maxParallelism = in.readInt();
            CheckpointMetadata.Kind kind = CheckpointMetadata.Kind.CHECKPOINT;
            if (version >= 2) {
                int k = in.readUnsignedByte();
                if (k >= CheckpointMetadata.Kind.values().length) {
                    throw new MetadataFormatException("metadata has an unknown kind " + k);
                }
                kind = CheckpointMetadata.Kind.values()[k];
            }
            String incarnation = version >= 3 ? strings.read(in) : "";
            int ops = in.readInt();
            List<OperatorSnapshot> operators = new ArrayList<>(ops);
            for (int i = 0; i < ops; i++) {
                operators.add(readOperator(in, version, strings));
            }
            return new CheckpointMetadata(
                    job, id, ts, maxParallelism, kind, operators, incarnation);
        } catch (IOException | IllegalArgumentException e) {
            throw new MetadataFormatException("metadata is malformed: " + e, e);
        }
    }

    private static void writeOperator(DataOutputStream out, OperatorSnapshot op)
            throws IOException {
        writeString(out, op.uid());
        out.writeInt(op.parallelism());
        out.writeInt(op.states().size());
        for (StateInfo s : op.states()) {
            writeString(out, s.name());
            writeString(out, s.kind());
            out.writeBoolean(s.keySchema().isPresent());
            if (s.keySchema().isPresent()) {
                writeString(out, s.keySchema().get());
            }
            writeString(out, s.valueSchema());
        }
        for (SubtaskSnapshot s : op.subtasks()) {
            out.writeInt(s.subtask());
            out.writeBoolean(s.keyGroups().isPresent());
            if (s.keyGroups().isPresent()) {
                out.writeInt(s.keyGroups().get().start());
                out.writeInt(s.keyGroups().get().end());
            }
            out.writeInt(s.files().size());
            for (FileRef f : s.files()) {
                writeString(out, f.path());
                out.writeLong(f.size());
                out.writeInt(f.crc32());
            }
            out.writeInt(s.positions().size());
            for (Map.Entry<String, Long> e : s.positions().entrySet()) {
                writeString(out, e.getKey());
                out.writeLong(e.getValue());
            }
        }
    }

    private static OperatorSnapshot readOperator(
            DataInputStream in, int version, StringReader strings) throws IOException {
        String uid = strings.read(in);
        int parallelism = in.readInt();
        int stateCount = in.readInt();
        List<StateInfo> states = new ArrayList<>(stateCount);
        for (int i = 0; i < stateCount; i++) {
            String name = strings.read(in);
            String kind = strings.read(in);
            // Before version 3 a map state's schema is its key and value schemas joined by "->".
            Optional<String> keySchema =
                    version >= 3 && in.readBoolean()
                            ? Optional.of(strings.read(in))
                            : Optional.empty();
            states.add(new StateInfo(name, kind, keySchema, strings.read(in)));
        }
        List<SubtaskSnapshot> subtasks = new ArrayList<>(parallelism);
        for (int i = 0; i < parallelism; i++) {
            int index = in.readInt();
            Optional<KeyGroupRange> range =
                    in.readBoolean()
                            ? Optional.of(new KeyGroupRange(in.readInt(), in.readInt()))
                            : Optional.empty();
            int fileCount = in.readInt();
            List<FileRef> files = new ArrayList<>(fileCount);
            for (int f = 0; f < fileCount; f++) {
                files.add(new FileRef(strings.read(in), in.readLong(), in.readInt()));
            }
            int posCount = in.readInt();
            Map<String, Long> positions = new LinkedHashMap<>();
            for (int p = 0; p < posCount; p++) {
                positions.put(strings.read(in), in.readLong());
            }
            subtasks.add(new SubtaskSnapshot(index, range, files, positions));
        }
        return new OperatorSnapshot(uid, parallelism, states, subtasks);
    }

    /** Reads one string in the encoding of a format version. */
    @FunctionalInterface
    private interface StringReader {
        String read(DataInputStream in) throws IOException;
    }

    /**
     * A string as int32 length and UTF-8 bytes. A string with an unpaired surrogate has no UTF-8
     * form: it fails the write rather than being stored altered.
     */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        ByteBuffer utf8 =
                StandardCharsets.UTF_8
                        .newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .encode(CharBuffer.wrap(s));
        out.writeInt(utf8.remaining());
        out.write(utf8.array(), utf8.arrayOffset() + utf8.position(), utf8.remaining());
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new MetadataFormatException(
                    "metadata is malformed: a string of "
                            + length
                            + " bytes where "
                            + in.available()
                            + " are left");
        }
        byte[] utf8 = new byte[length];
        in.readFully(utf8);
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(utf8))
                .toString();
    }
}
