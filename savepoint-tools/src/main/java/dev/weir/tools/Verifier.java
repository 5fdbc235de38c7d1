package dev.weir.tools;

import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.format.KeyGroups;
import dev.weir.format.MetadataFormatException;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.StateKeys;
import dev.weir.format.SubtaskSnapshot;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Checks a savepoint or checkpoint: every file it references exists with its recorded size and
 * CRC-32; with {@code deep}, every key-group section is readable, lies in its subtask's range, and
 * holds only keys that hash into it, of states the metadata declares. The first problem ends the
 * check with a {@link ToolException} naming it.
 */
public final class Verifier {
    private Verifier() {}

    /** What was checked. */
    public record Result(int files, long bytes, long keyGroups, long entries) {}

    public static Result verify(Snapshot snapshot, boolean deep, Path work, Progress progress) {
        int files = 0;
        long bytes = 0;
        long[] sections = {0};
        long[] entries = {0};
        int m = snapshot.metadata().maxParallelism();
        Set<String> seen = new HashSet<>();
        for (OperatorSnapshot op : snapshot.metadata().operators()) {
            Map<String, String> kinds = Rescaler.kinds(op.states());
            for (SubtaskSnapshot s : op.subtasks()) {
                if (s.keyGroups().isEmpty()) {
                    continue;
                }
                try (SubtaskState state = SubtaskState.fetch(snapshot, op.uid(), s, work)) {
                    for (FileRef f : s.files()) {
                        if (seen.add(f.path())) {
                            files++;
                            bytes += f.size();
                        }
                    }
                    if (!deep) {
                        progress.advance(0);
                        continue;
                    }
                    KeyGroupRange range = s.keyGroups().get();
                    String where = op.uid() + " subtask " + s.subtask();
                    if (state.canonical()) {
                        for (KeyGroupStateFile.Section sec : state.reader().sections()) {
                            if (!range.contains(sec.keyGroup())) {
                                throw problem(
                                        where
                                                + ": section of key group "
                                                + sec.keyGroup()
                                                + " outside its range "
                                                + range.start()
                                                + "-"
                                                + range.end());
                            }
                        }
                    }
                    state.forEach(
                            range,
                            (kg, name, key, value) -> {
                                String kind = kinds.get(name);
                                if (kind == null) {
                                    throw problem(
                                            where + ": entries of undeclared state '" + name + "'");
                                }
                                int expected;
                                try {
                                    expected =
                                            KeyGroups.keyGroupFor(
                                                    StateKeys.recordKey(kind, key), m);
                                } catch (IllegalArgumentException e) {
                                    throw problem(
                                            where + ", state " + name + ": " + e.getMessage());
                                }
                                if (expected != kg) {
                                    throw problem(
                                            where
                                                    + ", state "
                                                    + name
                                                    + ": a key of key group "
                                                    + expected
                                                    + " is stored in key group "
                                                    + kg);
                                }
                                entries[0]++;
                            });
                    sections[0] += range.end() - range.start() + 1;
                    progress.advance(0);
                } catch (MetadataFormatException | java.io.UncheckedIOException e) {
                    throw problem(op.uid() + " subtask " + s.subtask() + ": " + e.getMessage());
                }
            }
        }
        progress.done();
        return new Result(files, bytes, sections[0], entries[0]);
    }

    private static ToolException problem(String message) {
        return ToolException.problem(message, null);
    }
}
