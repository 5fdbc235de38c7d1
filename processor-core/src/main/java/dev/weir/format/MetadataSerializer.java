package dev.weir.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    /** Version 2 added the kind (checkpoint or savepoint); version 1 files read as checkpoints. */
    public static final int CURRENT_VERSION = 2;

    private static final byte[] MAGIC = {'W', 'E', 'I', 'R', 'M', 'E', 'T', 'A'};

    private MetadataSerializer() {}

    public static byte[] serialize(CheckpointMetadata m) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(CURRENT_VERSION);
            out.writeUTF(m.jobName());
            out.writeLong(m.checkpointId());
            out.writeLong(m.timestampMillis());
            out.writeInt(m.maxParallelism());
            out.writeByte(m.kind().ordinal());
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
        if (version != 1 && version != CURRENT_VERSION) {
            throw new MetadataFormatException(
                    "metadata format version "
                            + version
                            + " is not supported; this Weir reads version 1 to version "
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
            DataInputStream in =
                    new DataInputStream(new ByteArrayInputStream(data, 12, data.length - 16));
            String job = in.readUTF();
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
            int ops = in.readInt();
            List<OperatorSnapshot> operators = new ArrayList<>(ops);
            for (int i = 0; i < ops; i++) {
                operators.add(readOperator(in));
            }
            return new CheckpointMetadata(job, id, ts, maxParallelism, kind, operators);
        } catch (IOException | IllegalArgumentException e) {
            throw new MetadataFormatException("metadata is malformed: " + e.getMessage());
        }
    }

    private static void writeOperator(DataOutputStream out, OperatorSnapshot op)
            throws IOException {
        out.writeUTF(op.uid());
        out.writeInt(op.parallelism());
        out.writeInt(op.states().size());
        for (StateInfo s : op.states()) {
            out.writeUTF(s.name());
            out.writeUTF(s.kind());
            out.writeUTF(s.serializerSchema());
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
                out.writeUTF(f.path());
                out.writeLong(f.size());
                out.writeInt(f.crc32());
            }
            out.writeInt(s.positions().size());
            for (Map.Entry<String, Long> e : s.positions().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
        }
    }

    private static OperatorSnapshot readOperator(DataInputStream in) throws IOException {
        String uid = in.readUTF();
        int parallelism = in.readInt();
        int stateCount = in.readInt();
        List<StateInfo> states = new ArrayList<>(stateCount);
        for (int i = 0; i < stateCount; i++) {
            states.add(new StateInfo(in.readUTF(), in.readUTF(), in.readUTF()));
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
                files.add(new FileRef(in.readUTF(), in.readLong(), in.readInt()));
            }
            int posCount = in.readInt();
            Map<String, Long> positions = new LinkedHashMap<>();
            for (int p = 0; p < posCount; p++) {
                positions.put(in.readUTF(), in.readLong());
            }
            subtasks.add(new SubtaskSnapshot(index, range, files, positions));
        }
        return new OperatorSnapshot(uid, parallelism, states, subtasks);
    }
}
