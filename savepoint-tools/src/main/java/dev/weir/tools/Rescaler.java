package dev.weir.tools;

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
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CheckpointStorages;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Writes a new savepoint of a savepoint or checkpoint for another parallelism and, optionally,
 * another max-parallelism (docs/savepoint-tools.md).
 *
 * <ul>
 *   <li>Same max-parallelism, savepoint input: each new subtask's file is built by copying the
 *       key-group sections of the old files as byte ranges, in small chunks — nothing decoded.
 *   <li>New max-parallelism, or a checkpoint (RocksDB files) as input: entries are read key group
 *       by key group, each record key hashed into its new key group (keys only; values are never
 *       decoded, and a map's user keys stay with their record key), spilled to one local file per
 *       new key group, then written section by section.
 * </ul>
 *
 * Source positions carry over unchanged (or as the request replaces them): the job assigns
 * partitions to its subtasks at restore. Every check that can refuse the request runs, and every
 * input file is fetched and checked, before anything is written; the output's {@code _metadata} is
 * written last, so an interrupted run leaves nothing that restores. The input is never modified.
 */
public final class Rescaler {
    private Rescaler() {}

    /**
     * What to produce. {@code positions} replaces the source positions of the splits it names
     * (split id to next offset, {@code offsets reset}); every other position carries over.
     */
    public record Request(
            int parallelism,
            OptionalInt maxParallelism,
            boolean overwrite,
            Map<String, Long> positions) {
        public Request {
            positions = Map.copyOf(positions);
        }

        /** Positions unchanged. */
        public Request(int parallelism, OptionalInt maxParallelism, boolean overwrite) {
            this(parallelism, maxParallelism, overwrite, Map.of());
        }
    }

    /** What was produced. */
    public record Result(
            String location,
            int parallelism,
            int maxParallelism,
            long bytes,
            boolean sectionsCopied,
            long millis) {}

    public static Result rescale(
            Snapshot src,
            String dst,
            WeirConfig config,
            Request request,
            Path workDir,
            Progress progress) {
        long start = System.nanoTime();
        CheckpointMetadata in = src.metadata();
        int m = request.maxParallelism().orElse(in.maxParallelism());
        int n = request.parallelism();
        if (m < 1 || m > KeyGroups.MAX_MAX_PARALLELISM) {
            throw ToolException.refused(
                    "--max-parallelism must be in [1, "
                            + KeyGroups.MAX_MAX_PARALLELISM
                            + "], got "
                            + m);
        }
        if (n < 1 || n > m) {
            throw ToolException.refused(
                    "--parallelism must be in [1, " + m + "] (the max-parallelism), got " + n);
        }
        CheckpointStorage out = CheckpointStorages.open(dst, "", config, "DST");
        try {
            checkTarget(src, out, request.overwrite());
            boolean copy = src.isSavepoint() && m == in.maxParallelism();
            // Fetch (and check) every input file first: a missing or damaged one refuses the run.
            Map<String, List<SubtaskState>> states = new LinkedHashMap<>();
            int keyGroupsToWrite = 0;
            try {
                for (OperatorSnapshot op : in.operators()) {
                    if (isKeyed(op)) {
                        List<SubtaskState> list = new ArrayList<>();
                        states.put(op.uid(), list);
                        for (SubtaskSnapshot s : op.subtasks()) {
                            list.add(SubtaskState.fetch(src, op.uid(), s, workDir));
                        }
                        list.sort(Comparator.comparingInt(s -> s.keyGroups().start()));
                        keyGroupsToWrite += m;
                    }
                }
                if (request.overwrite()) {
                    out.deleteRecursively("");
                }
                Progress p = progress;
                List<OperatorSnapshot> ops = new ArrayList<>();
                long[] bytes = {0};
                for (OperatorSnapshot op : in.operators()) {
                    if (!isKeyed(op)) {
                        ops.add(SourcePositions.replace(op, request.positions()));
                        continue;
                    }
                    List<SubtaskState> old = states.get(op.uid());
                    Map<String, String> kinds = kinds(op.states());
                    Path spill = copy ? null : spill(op.uid(), old, kinds, m, workDir);
                    List<SubtaskSnapshot> subtasks = new ArrayList<>();
                    for (int j = 0; j < n; j++) {
                        KeyGroupRange range = KeyGroups.rangeFor(j, m, n);
                        Path local = workDir.resolve(op.uid() + "-out-" + j + ".kgs");
                        try (OutputStream os =
                                        new BufferedOutputStream(
                                                Files.newOutputStream(local), 1 << 16);
                                KeyGroupStateFile.Writer w = new KeyGroupStateFile.Writer(os)) {
                            if (copy) {
                                copySections(old, range, w, p);
                            } else {
                                writeFromSpill(spill, range, w, p);
                            }
                        }
                        String rel = op.uid() + "/" + j + ".kgs";
                        FileRef stored = out.upload(local, rel);
                        bytes[0] += stored.size();
                        Files.delete(local);
                        subtasks.add(
                                new SubtaskSnapshot(
                                        j,
                                        Optional.of(range),
                                        List.of(new FileRef(rel, stored.size(), stored.crc32())),
                                        Map.of()));
                    }
                    if (spill != null) {
                        WorkDir.delete(spill);
                    }
                    ops.add(new OperatorSnapshot(op.uid(), n, op.states(), subtasks));
                }
                CheckpointMetadata result =
                        new CheckpointMetadata(
                                in.jobName(),
                                in.checkpointId(),
                                in.timestampMillis(),
                                m,
                                CheckpointMetadata.Kind.SAVEPOINT,
                                ops);
                // A crash before this line leaves data files that nothing restores.
                dev.weir.spi.CrashPoints.reach("rescale.before-metadata", in.checkpointId());
                out.writeAtomically(
                        CheckpointMetadata.FILE_NAME, MetadataSerializer.serialize(result));
                progress.done();
                return new Result(
                        out.describe(""),
                        n,
                        m,
                        bytes[0],
                        copy,
                        (System.nanoTime() - start) / 1_000_000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                states.values().forEach(l -> l.forEach(SubtaskState::close));
            }
        } finally {
            out.close();
        }
    }

    private static boolean isKeyed(OperatorSnapshot op) {
        return op.subtasks().stream().anyMatch(s -> s.keyGroups().isPresent());
    }

    /** Refuses an output that exists (without --overwrite) or overlaps the input. */
    static void checkTarget(Snapshot src, CheckpointStorage out, boolean overwrite) {
        String input = withSlash(src.location());
        String output = withSlash(out.describe(""));
        if (output.startsWith(input) || input.startsWith(output)) {
            throw ToolException.refused(
                    "the output "
                            + output
                            + " overlaps the input "
                            + input
                            + ": write the new savepoint to a directory of its own");
        }
        if (!overwrite && !out.list("").isEmpty()) {
            throw ToolException.refused(
                    "the output "
                            + output
                            + " exists and is not empty; pass --overwrite to replace it");
        }
    }

    private static String withSlash(String s) {
        return s.endsWith("/") ? s : s + "/";
    }

    private static void copySections(
            List<SubtaskState> old, KeyGroupRange range, KeyGroupStateFile.Writer w, Progress p)
            throws IOException {
        int done = 0;
        for (SubtaskState s : old) {
            for (KeyGroupStateFile.Section section : s.reader().sections()) {
                if (range.contains(section.keyGroup())) {
                    w.copySection(s.reader(), section);
                    p.advance(section.length());
                    done++;
                }
            }
        }
        // Key groups without state have no section; count them done too.
        for (int i = done; i < range.end() - range.start() + 1; i++) {
            p.advance(0);
        }
    }

    /**
     * Reads every entry of an operator's old subtasks and appends it to the spill file of its new
     * key group (state name, key, value). At most {@link #OPEN_SPILLS} files are open at once.
     */
    private static Path spill(
            String uid, List<SubtaskState> old, Map<String, String> kinds, int m, Path workDir)
            throws IOException {
        Path dir = Files.createDirectories(workDir.resolve(uid + "-spill-" + System.nanoTime()));
        Map<Integer, DataOutputStream> open =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, DataOutputStream> e) {
                        if (size() > OPEN_SPILLS) {
                            try {
                                e.getValue().close();
                            } catch (IOException ex) {
                                throw new UncheckedIOException(ex);
                            }
                            return true;
                        }
                        return false;
                    }
                };
        try {
            for (SubtaskState s : old) {
                s.forEach(
                        s.keyGroups(),
                        (kg, state, key, value) -> {
                            String kind = kinds.get(state);
                            if (kind == null) {
                                throw ToolException.problem(
                                        uid
                                                + ": state '"
                                                + state
                                                + "' has entries but is not in the metadata",
                                        null);
                            }
                            int target = KeyGroups.keyGroupFor(StateKeys.recordKey(kind, key), m);
                            try {
                                DataOutputStream o = open.get(target);
                                if (o == null) {
                                    o =
                                            new DataOutputStream(
                                                    new BufferedOutputStream(
                                                            Files.newOutputStream(
                                                                    dir.resolve(target + ".spill"),
                                                                    StandardOpenOption.CREATE,
                                                                    StandardOpenOption.APPEND),
                                                            1 << 14));
                                    open.put(target, o);
                                }
                                o.writeUTF(state);
                                o.writeInt(key.length);
                                o.write(key);
                                o.writeInt(value.length);
                                o.write(value);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
            }
        } finally {
            for (DataOutputStream o : open.values()) {
                o.close();
            }
        }
        return dir;
    }

    private static final int OPEN_SPILLS = 64;

    /**
     * Writes the sections of {@code range} from the spill files, streaming: one pass counts each
     * state's entries, then one pass per state writes them, so a key group is never held in memory.
     */
    private static void writeFromSpill(
            Path spill, KeyGroupRange range, KeyGroupStateFile.Writer w, Progress p)
            throws IOException {
        for (int kg = range.start(); kg <= range.end(); kg++) {
            Path f = spill.resolve(kg + ".spill");
            if (!Files.exists(f)) {
                p.advance(0);
                continue;
            }
            Map<String, int[]> counts = new LinkedHashMap<>();
            readSpill(
                    f, (state, key, value) -> counts.computeIfAbsent(state, x -> new int[1])[0]++);
            List<KeyGroupStateFile.Writer.StateEntries> states = new ArrayList<>();
            counts.forEach(
                    (state, n) ->
                            states.add(
                                    new KeyGroupStateFile.Writer.StateEntries() {
                                        @Override
                                        public String state() {
                                            return state;
                                        }

                                        @Override
                                        public int count() {
                                            return n[0];
                                        }

                                        @Override
                                        public void forEach(KeyGroupStateFile.Writer.EntrySink sink)
                                                throws IOException {
                                            readSpill(
                                                    f,
                                                    (s, key, value) -> {
                                                        if (s.equals(state)) {
                                                            sink.accept(key, value);
                                                        }
                                                    });
                                        }
                                    }));
            w.writeSection(kg, states);
            p.advance(Files.size(f));
            Files.delete(f);
        }
    }

    /** Receives the records of a spill file. */
    private interface SpillRecord {
        void accept(String state, byte[] key, byte[] value) throws IOException;
    }

    private static void readSpill(Path f, SpillRecord consumer) throws IOException {
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
            while (true) {
                String state;
                try {
                    state = in.readUTF();
                } catch (EOFException e) {
                    return;
                }
                byte[] key = new byte[in.readInt()];
                in.readFully(key);
                byte[] value = new byte[in.readInt()];
                in.readFully(value);
                consumer.accept(state, key, value);
            }
        }
    }

    /** The kind of each state of an operator, by name. */
    static Map<String, String> kinds(List<StateInfo> states) {
        Map<String, String> kinds = new HashMap<>();
        states.forEach(s -> kinds.put(s.name(), s.kind()));
        return kinds;
    }
}
