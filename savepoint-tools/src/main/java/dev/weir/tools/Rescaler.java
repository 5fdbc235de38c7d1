package dev.weir.tools;

import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroups;
import dev.weir.format.MetadataSerializer;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.StateInfo;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CheckpointStorages;
import java.nio.file.Path;
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
 * another max-parallelism (docs/savepoint-tools.md, "How rescale works").
 *
 * <ul>
 *   <li>Same max-parallelism, savepoint input: {@link SectionCopy} — the old key-group sections are
 *       copied as byte ranges to their places in the new files, nothing decoded.
 *   <li>New max-parallelism, or a checkpoint (RocksDB files) as input: {@link Rehash} — each record
 *       key is hashed into its new key group in two passes (count, then write), values are never
 *       decoded, and a map's user keys stay with their record key.
 * </ul>
 *
 * Source positions carry over unchanged (or as the request replaces them): the job assigns
 * partitions to its subtasks at restore. Every check that can refuse the request runs before
 * anything is written; a damaged input found while reading it fails the run; the output's {@code
 * _metadata} is written last, so an interrupted or failed run leaves nothing that restores. The
 * input is never modified.
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
            Parallel parallel = new Parallel();
            int keyGroupsToWrite = 0;
            try {
                for (OperatorSnapshot op : in.operators()) {
                    if (isKeyed(op)) {
                        List<SubtaskState> list = new ArrayList<>();
                        states.put(op.uid(), list);
                        for (SubtaskSnapshot s : op.subtasks()) {
                            list.add(SubtaskState.open(src, op.uid(), s, workDir));
                        }
                        list.sort(Comparator.comparingInt(s -> s.keyGroups().start()));
                        // Key groups are counted as read: once copying, twice re-hashing.
                        keyGroupsToWrite += copy ? m : 2 * in.maxParallelism();
                    }
                }
                if (request.overwrite()) {
                    out.deleteRecursively("");
                }
                Progress p = progress;
                p.expect(keyGroupsToWrite);
                List<OperatorSnapshot> ops = new ArrayList<>();
                long[] bytes = {0};
                for (OperatorSnapshot op : in.operators()) {
                    if (!isKeyed(op)) {
                        ops.add(SourcePositions.replace(op, request.positions()));
                        continue;
                    }
                    List<SubtaskState> old = states.get(op.uid());
                    List<KeyGroupRange> ranges = new ArrayList<>();
                    List<String> paths = new ArrayList<>();
                    for (int j = 0; j < n; j++) {
                        ranges.add(KeyGroups.rangeFor(j, m, n));
                        paths.add(op.uid() + "/" + j + ".kgs");
                    }
                    List<FileRef> files;
                    if (copy) {
                        int empty = m;
                        for (SubtaskState s : old) {
                            empty -= s.reader().sections().size();
                        }
                        p.advance(empty, 0); // key groups without state have no section
                        files = SectionCopy.copy(old, ranges, paths, out, workDir, p, parallel);
                    } else {
                        files =
                                Rehash.rehash(
                                        op.uid(),
                                        old,
                                        op.states(),
                                        in.maxParallelism(),
                                        m,
                                        ranges,
                                        paths,
                                        out,
                                        workDir,
                                        p,
                                        parallel);
                    }
                    List<SubtaskSnapshot> subtasks = new ArrayList<>();
                    for (int j = 0; j < n; j++) {
                        bytes[0] += files.get(j).size();
                        subtasks.add(
                                new SubtaskSnapshot(
                                        j,
                                        Optional.of(ranges.get(j)),
                                        List.of(files.get(j)),
                                        Map.of()));
                    }
                    NewFile.syncDirectory(out, op.uid());
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
                NewFile.syncDirectory(out, "");
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
            } finally {
                parallel.close();
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

    /** The kind of each state of an operator, by name. */
    static Map<String, String> kinds(List<StateInfo> states) {
        Map<String, String> kinds = new HashMap<>();
        states.forEach(s -> kinds.put(s.name(), s.kind()));
        return kinds;
    }
}
