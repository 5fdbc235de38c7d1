package dev.weir.tools;

import dev.weir.format.CheckpointMetadata;
import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.StateInfo;
import dev.weir.format.SubtaskSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code inspect} reports about a savepoint or checkpoint: the {@code -o json} document
 * (versioned by {@link #apiVersion}, fields documented in docs/savepoint-tools.md) and the source
 * of the table. Key-group skew (bytes and entries per key group) is read from a savepoint's
 * key-group files; a checkpoint's RocksDB files report their sizes only.
 */
public record Inspection(
        String apiVersion,
        String kind,
        String location,
        String job,
        long checkpointId,
        long timestampMillis,
        int formatVersion,
        int maxParallelism,
        long totalBytes,
        List<Operator> operators) {

    public static final String API_VERSION = "weir/v1";

    /** One operator uid. */
    public record Operator(
            String uid,
            int parallelism,
            List<State> states,
            long bytes,
            long entries,
            List<Subtask> subtasks,
            Skew keyGroupBytes,
            Skew keyGroupEntries,
            Map<String, Long> sourcePositions) {}

    /** One state of an operator, with its serializer schemas. */
    public record State(String name, String kind, String keySchema, String valueSchema) {}

    /** One subtask: its key groups ({@code "start-end"}, or null), files and their sizes. */
    public record Subtask(
            int subtask, String keyGroups, int files, long bytes, long entries, int sections) {}

    /** Minimum, median and maximum over the key groups that hold state. */
    public record Skew(long min, long median, long max) {
        static Skew of(List<Long> values) {
            if (values.isEmpty()) {
                return new Skew(0, 0, 0);
            }
            List<Long> sorted = new ArrayList<>(values);
            sorted.sort(null);
            return new Skew(
                    sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
        }
    }

    /** Inspects {@code snapshot}; a savepoint's key-group files are fetched into {@code work}. */
    public static Inspection of(Snapshot snapshot, Path work) {
        CheckpointMetadata m = snapshot.metadata();
        List<Operator> ops = new ArrayList<>();
        long total = 0;
        for (OperatorSnapshot op : m.operators()) {
            List<Subtask> subtasks = new ArrayList<>();
            List<Long> kgBytes = new ArrayList<>();
            List<Long> kgEntries = new ArrayList<>();
            Map<String, Long> positions = new TreeMap<>();
            long opBytes = 0;
            long opEntries = 0;
            for (SubtaskSnapshot s : op.subtasks()) {
                positions.putAll(s.positions());
                long bytes = s.files().stream().mapToLong(FileRef::size).sum();
                long entries = 0;
                int sections = 0;
                if (snapshot.isSavepoint() && s.keyGroups().isPresent()) {
                    try (SubtaskState state = SubtaskState.fetch(snapshot, op.uid(), s, work)) {
                        for (KeyGroupStateFile.Section sec : state.reader().sections()) {
                            long[] count = {0};
                            state.reader().forEachEntry(sec, e -> count[0]++);
                            long n = count[0];
                            kgBytes.add(sec.length());
                            kgEntries.add(n);
                            entries += n;
                            sections++;
                        }
                    }
                }
                opBytes += bytes;
                opEntries += entries;
                subtasks.add(
                        new Subtask(
                                s.subtask(),
                                s.keyGroups().map(r -> r.start() + "-" + r.end()).orElse(null),
                                s.files().size(),
                                bytes,
                                entries,
                                sections));
            }
            total += opBytes;
            List<State> states = new ArrayList<>();
            for (StateInfo st : op.states()) {
                states.add(
                        new State(
                                st.name(),
                                st.kind(),
                                st.keySchema().orElse(null),
                                st.valueSchema()));
            }
            ops.add(
                    new Operator(
                            op.uid(),
                            op.parallelism(),
                            states,
                            opBytes,
                            opEntries,
                            subtasks,
                            Skew.of(kgBytes),
                            Skew.of(kgEntries),
                            positions));
        }
        return new Inspection(
                API_VERSION,
                snapshot.isSavepoint() ? "Savepoint" : "Checkpoint",
                snapshot.location(),
                m.jobName(),
                m.checkpointId(),
                m.timestampMillis(),
                snapshot.formatVersion(),
                m.maxParallelism(),
                total,
                ops);
    }
}
