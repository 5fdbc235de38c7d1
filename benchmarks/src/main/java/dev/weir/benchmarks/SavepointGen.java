package dev.weir.benchmarks;

import dev.weir.format.CheckpointMetadata;
import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.format.KeyGroups;
import dev.weir.format.MetadataSerializer;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.StateInfo;
import dev.weir.format.SubtaskSnapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * Writes a synthetic savepoint in the canonical format with the format package's own writers, for
 * benchmarks of the offline tools (docs/savepoint-format.md): a source operator {@code input} at
 * parallelism P with a few Kafka positions and no keyed state, and an operator {@code aggregate} at
 * parallelism P with one value state over keys {@code user-<i>} whose values are pseudo-random
 * bytes. Every key is stored in the key group it hashes to, so {@code verify --deep} passes and a
 * job of the same shape would restore it.
 *
 * <p>Each subtask's file is written key group by key group: only the keys' indices are held for the
 * whole run (4 bytes per key, bucketed by key group in one pass over the keys), and the entries of
 * one key group at a time. Deterministic: the same options write the same data files.
 *
 * <p>Usage: {@code SavepointGen DIR [GB=1] [--value-bytes B] [--parallelism P] [--max-parallelism
 * M]}. DIR must not exist or be empty; {@code _metadata} is written last.
 */
public final class SavepointGen {
    static final String JOB = "savepoint-bench";
    static final String SOURCE_UID = "input";
    static final String KEYED_UID = "aggregate";
    static final String STATE = "payload";
    static final String TOPIC = "savepoint-bench-in";
    static final int PARTITIONS = 4;
    private static final long CHECKPOINT_ID = 1;

    private SavepointGen() {}

    /** What to write. */
    record Options(double gigabytes, int valueBytes, int parallelism, int maxParallelism) {
        Options {
            if (!(gigabytes > 0)) {
                throw new IllegalArgumentException("GB must be > 0, got " + gigabytes);
            }
            if (valueBytes < 1) {
                throw new IllegalArgumentException("--value-bytes must be >= 1, got " + valueBytes);
            }
            KeyGroups.checkParallelism(parallelism, maxParallelism);
        }

        static Options defaults(double gigabytes) {
            return new Options(gigabytes, 1024, 2, 128);
        }

        /**
         * Enough keys for the entries to hold GB·2^30 bytes: an entry is its value, a ~12-byte key
         * and two 4-byte lengths. At 1 GB and 1 KiB values: 1,028,015 keys.
         */
        int keys() {
            long entry = valueBytes + 12 + 8;
            return Math.toIntExact((long) Math.ceil(gigabytes * (1L << 30) / entry));
        }
    }

    /** What was written: the keys, and the bytes of the data files (without {@code _metadata}). */
    record Result(Path dir, int keys, long bytes) {}

    public static void main(String[] args) throws IOException {
        List<String> a = List.of(args);
        if (a.isEmpty()) {
            throw new IllegalArgumentException(
                    "usage: SavepointGen DIR [GB=1] [--value-bytes B] [--parallelism P]"
                            + " [--max-parallelism M]");
        }
        double gb = 1;
        int valueBytes = 1024;
        int p = 2;
        int m = 128;
        for (int i = 1; i < a.size(); i++) {
            switch (a.get(i)) {
                case "--value-bytes" -> valueBytes = Integer.parseInt(a.get(++i));
                case "--parallelism" -> p = Integer.parseInt(a.get(++i));
                case "--max-parallelism" -> m = Integer.parseInt(a.get(++i));
                default -> gb = Double.parseDouble(a.get(i));
            }
        }
        long t0 = System.nanoTime();
        Result r = write(Path.of(a.get(0)), new Options(gb, valueBytes, p, m));
        System.out.printf(
                "wrote %s: %,d keys, %,d bytes of key-group files in %.1f s%n",
                r.dir(), r.keys(), r.bytes(), (System.nanoTime() - t0) / 1e9);
    }

    /** Writes the savepoint into {@code dir}, which must not exist or be empty. */
    static Result write(Path dir, Options o) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException(dir + " exists and is not empty");
                }
            }
        }
        Files.createDirectories(dir.resolve(KEYED_UID));
        int m = o.maxParallelism();
        int p = o.parallelism();
        KeysByGroup keys = KeysByGroup.of(o.keys(), m);
        List<SubtaskSnapshot> keyed = new ArrayList<>();
        List<SubtaskSnapshot> source = new ArrayList<>();
        long bytes = 0;
        for (int j = 0; j < p; j++) {
            KeyGroupRange range = KeyGroups.rangeFor(j, m, p);
            String rel = KEYED_UID + "/" + j + ".kgs";
            FileRef f = writeSubtask(dir.resolve(rel), rel, range, keys, o.valueBytes());
            bytes += f.size();
            keyed.add(new SubtaskSnapshot(j, Optional.of(range), List.of(f), Map.of()));
            source.add(new SubtaskSnapshot(j, Optional.empty(), List.of(), positions(j, p)));
        }
        CheckpointMetadata metadata =
                new CheckpointMetadata(
                        JOB,
                        CHECKPOINT_ID,
                        System.currentTimeMillis(),
                        m,
                        CheckpointMetadata.Kind.SAVEPOINT,
                        List.of(
                                new OperatorSnapshot(SOURCE_UID, p, List.of(), source),
                                new OperatorSnapshot(
                                        KEYED_UID,
                                        p,
                                        List.of(
                                                StateInfo.of(
                                                        STATE,
                                                        "value",
                                                        "savepoint-bench.payload:v1(bytes)")),
                                        keyed)),
                        "savepoint-gen");
        Files.write(
                dir.resolve(CheckpointMetadata.FILE_NAME), MetadataSerializer.serialize(metadata));
        return new Result(dir, o.keys(), bytes);
    }

    /** Partition q of the input topic belongs to subtask q mod P; its next offset is made up. */
    private static Map<String, Long> positions(int subtask, int parallelism) {
        Map<String, Long> positions = new HashMap<>();
        for (int q = subtask; q < PARTITIONS; q += parallelism) {
            positions.put(TOPIC + ":" + q, 1_000_000L * (q + 1));
        }
        return positions;
    }

    private static FileRef writeSubtask(
            Path file, String rel, KeyGroupRange range, KeysByGroup keys, int valueBytes)
            throws IOException {
        CRC32 crc = new CRC32();
        try (OutputStream os =
                        new BufferedOutputStream(
                                new CheckedOutputStream(Files.newOutputStream(file), crc),
                                1 << 16);
                KeyGroupStateFile.Writer w = new KeyGroupStateFile.Writer(os)) {
            for (int kg = range.start(); kg <= range.end(); kg++) {
                List<byte[][]> entries = new ArrayList<>();
                for (int i : keys.of(kg)) {
                    entries.add(new byte[][] {key(i), value(i, valueBytes)});
                }
                w.writeSection(kg, Map.of(STATE, entries));
            }
        }
        return new FileRef(rel, Files.size(file), (int) crc.getValue());
    }

    static byte[] key(int i) {
        return ("user-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Pseudo-random bytes, the same for the same key. */
    private static byte[] value(int i, int valueBytes) {
        byte[] v = new byte[valueBytes];
        SplittableRandom r = new SplittableRandom(i);
        for (int k = 0; k < valueBytes; k += 8) {
            long x = r.nextLong();
            for (int b = k; b < Math.min(k + 8, valueBytes); b++) {
                v[b] = (byte) x;
                x >>>= 8;
            }
        }
        return v;
    }

    /** The indices of keys {@code user-0 … user-(n-1)} grouped by key group (a counting sort). */
    private record KeysByGroup(int[] start, int[] keys) {
        static KeysByGroup of(int n, int maxParallelism) {
            int[] group = new int[n];
            int[] start = new int[maxParallelism + 1];
            for (int i = 0; i < n; i++) {
                group[i] = KeyGroups.keyGroupFor(key(i), maxParallelism);
                start[group[i] + 1]++;
            }
            for (int g = 0; g < maxParallelism; g++) {
                start[g + 1] += start[g];
            }
            int[] next = start.clone();
            int[] keys = new int[n];
            for (int i = 0; i < n; i++) {
                keys[next[group[i]]++] = i;
            }
            return new KeysByGroup(start, keys);
        }

        /** The key indices of key group {@code kg}, in increasing order. */
        int[] of(int kg) {
            return Arrays.copyOfRange(keys, start[kg], start[kg + 1]);
        }
    }
}
