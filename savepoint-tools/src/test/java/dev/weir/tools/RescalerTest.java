package dev.weir.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.format.KeyGroups;
import dev.weir.format.MetadataSerializer;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.StateInfo;
import dev.weir.format.StateKeys;
import dev.weir.format.SubtaskSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rescaler on savepoints written with the format's own writers: both ways of building the new
 * files (section copy, re-hash), with a value and a map state, empty key groups, and values larger
 * than the tool's read chunk and write buffers. The round trips through a running job are in
 * examples' SavepointToolsTest.
 */
class RescalerTest {
    private static final int P = 3;
    private static final int M = 16;
    private static final List<StateInfo> STATES =
            List.of(StateInfo.of("count", "value", "long"), StateInfo.map("seen", "str", "long"));

    @TempDir Path tmp;

    @Test
    void crcOfAConcatenationCombinesFromItsParts() {
        Random r = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] a = new byte[r.nextInt(3) == 0 ? 0 : r.nextInt(5000)];
            byte[] b = new byte[round == 0 ? 3 << 20 : r.nextInt(5000)];
            r.nextBytes(a);
            r.nextBytes(b);
            byte[] ab = new byte[a.length + b.length];
            System.arraycopy(a, 0, ab, 0, a.length);
            System.arraycopy(b, 0, ab, a.length, b.length);
            assertThat(Crc32s.combine(Crc32s.of(a), Crc32s.of(b), b.length))
                    .as("round %d, %d + %d bytes", round, a.length, b.length)
                    .isEqualTo(Crc32s.of(ab));
        }
    }

    @ParameterizedTest(name = "P={0} M={1}")
    @CsvSource({
        "2, 16", // same max-parallelism: sections copied
        "3, 16", // same layout: every section copied to the same place
        "5, 32", // new max-parallelism, a multiple of the old
        "1, 8", // fewer key groups, a divisor
        "4, 20", // neither
        "7, 7"
    })
    void everyEntryReachesItsNewKeyGroupOnce(int parallelism, int maxParallelism)
            throws IOException {
        Path src = tmp.resolve("src");
        Map<String, Integer> written = writeSavepoint(src);
        String before = digest(src);
        Path dst = tmp.resolve("dst");

        Rescaler.Result result = rescale(src, dst, parallelism, maxParallelism);

        assertThat(result.sectionsCopied()).isEqualTo(maxParallelism == M);
        assertThat(digest(src)).as("the input is unchanged").isEqualTo(before);
        assertThat(readBack(dst, parallelism, maxParallelism)).isEqualTo(written);
        try (Snapshot out = Snapshot.open(dst.toString(), WeirConfig.empty())) {
            Verifier.Result v = Verifier.verify(out, true, tmp.resolve("w2"), Progress.none());
            assertThat(v.files()).isEqualTo(parallelism);
        }
    }

    @ParameterizedTest(name = "max-parallelism {0}")
    @CsvSource({"16", "32"})
    void aDamagedInputFailsTheRunAndPublishesNothing(int maxParallelism) throws IOException {
        Path src = tmp.resolve("src");
        writeSavepoint(src);
        Path file = largest(src.resolve("agg"));
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() / 2; // inside the 5 MiB value: the layout still parses
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
        Path dst = tmp.resolve("dst");

        assertThatThrownBy(() -> rescale(src, dst, 2, maxParallelism))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining(file.getFileName() + " is damaged")
                .hasMessageContaining("CRC-32");
        assertThat(dst.resolve(CheckpointMetadata.FILE_NAME)).doesNotExist();
    }

    @Test
    void aMissingInputIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path src = tmp.resolve("src");
        writeSavepoint(src);
        Files.delete(src.resolve("agg/2.kgs"));
        Path dst = tmp.resolve("dst");

        assertThatThrownBy(() -> rescale(src, dst, 2, 32))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("2.kgs is missing");
        assertThat(dst).doesNotExist();
    }

    private Rescaler.Result rescale(Path src, Path dst, int parallelism, int maxParallelism)
            throws IOException {
        Path work = Files.createTempDirectory(tmp, "work");
        try (Snapshot s = Snapshot.open(src.toString(), WeirConfig.empty())) {
            return Rescaler.rescale(
                    s,
                    dst.toString(),
                    WeirConfig.empty(),
                    new Rescaler.Request(parallelism, OptionalInt.of(maxParallelism), false),
                    work,
                    Progress.none());
        }
    }

    /**
     * Writes a savepoint of operator {@code agg} at {@link #P} and {@link #M}: 300 keys with a
     * count each and a map of a few entries; one value spans several MiB. Returns every entry as
     * {@code state|hex(key)|hex(value)} with its multiplicity.
     */
    private static Map<String, Integer> writeSavepoint(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("agg"));
        Map<Integer, Map<String, List<byte[][]>>> byGroup = new TreeMap<>();
        Map<String, Integer> all = new TreeMap<>();
        Random r = new Random(42);
        for (int i = 0; i < 300; i += 1 + (i % 40 == 0 ? 25 : 0)) { // gaps leave groups empty
            byte[] key = ("user-" + i).getBytes(StandardCharsets.UTF_8);
            int kg = KeyGroups.keyGroupFor(key, M);
            byte[] count = new byte[i == 77 ? 5 << 20 : 8];
            r.nextBytes(count);
            add(byGroup, all, kg, "count", key, count);
            for (int u = 0; u < i % 4; u++) {
                byte[] userKey = ("page-" + u).getBytes(StandardCharsets.UTF_8);
                byte[] v = new byte[1 + r.nextInt(300)];
                r.nextBytes(v);
                add(byGroup, all, kg, "seen", StateKeys.mapEntryKey(key, userKey), v);
            }
        }
        List<SubtaskSnapshot> subtasks = new ArrayList<>();
        for (int j = 0; j < P; j++) {
            KeyGroupRange range = KeyGroups.rangeFor(j, M, P);
            String rel = "agg/" + j + ".kgs";
            CRC32 crc = new CRC32();
            try (OutputStream os =
                            new CheckedOutputStream(Files.newOutputStream(dir.resolve(rel)), crc);
                    KeyGroupStateFile.Writer w = new KeyGroupStateFile.Writer(os)) {
                for (int kg = range.start(); kg <= range.end(); kg++) {
                    w.writeSection(kg, byGroup.getOrDefault(kg, Map.of()));
                }
            }
            FileRef f = new FileRef(rel, Files.size(dir.resolve(rel)), (int) crc.getValue());
            subtasks.add(new SubtaskSnapshot(j, Optional.of(range), List.of(f), Map.of()));
        }
        CheckpointMetadata metadata =
                new CheckpointMetadata(
                        "rescaler-test",
                        5,
                        System.currentTimeMillis(),
                        M,
                        CheckpointMetadata.Kind.SAVEPOINT,
                        List.of(new OperatorSnapshot("agg", P, STATES, subtasks)));
        Files.write(
                dir.resolve(CheckpointMetadata.FILE_NAME), MetadataSerializer.serialize(metadata));
        return all;
    }

    private static void add(
            Map<Integer, Map<String, List<byte[][]>>> byGroup,
            Map<String, Integer> all,
            int kg,
            String state,
            byte[] key,
            byte[] value) {
        byGroup.computeIfAbsent(kg, x -> new LinkedHashMap<>())
                .computeIfAbsent(state, x -> new ArrayList<>())
                .add(new byte[][] {key, value});
        all.merge(entry(state, key, value), 1, Integer::sum);
    }

    private static String entry(String state, byte[] key, byte[] value) {
        HexFormat hex = HexFormat.of();
        return state + "|" + hex.formatHex(key) + "|" + hex.formatHex(value);
    }

    /** Every entry of the output, checking each lies in its key group and that in its subtask. */
    private static Map<String, Integer> readBack(Path dst, int parallelism, int maxParallelism) {
        Map<String, Integer> all = new TreeMap<>();
        Map<String, String> kinds = new HashMap<>();
        STATES.forEach(s -> kinds.put(s.name(), s.kind()));
        for (int j = 0; j < parallelism; j++) {
            KeyGroupRange range = KeyGroups.rangeFor(j, maxParallelism, parallelism);
            try (KeyGroupStateFile.Reader reader =
                    new KeyGroupStateFile.Reader(dst.resolve("agg/" + j + ".kgs"))) {
                for (KeyGroupStateFile.Section s : reader.sections()) {
                    assertThat(range.contains(s.keyGroup())).isTrue();
                    reader.forEachEntry(
                            s,
                            e -> {
                                byte[] recordKey =
                                        StateKeys.recordKey(kinds.get(e.state()), e.key());
                                assertThat(KeyGroups.keyGroupFor(recordKey, maxParallelism))
                                        .isEqualTo(s.keyGroup());
                                all.merge(entry(e.state(), e.key(), e.value()), 1, Integer::sum);
                            });
                }
            }
        }
        return all;
    }

    private static Path largest(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
    }

    private static String digest(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                md.update(dir.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(p));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
