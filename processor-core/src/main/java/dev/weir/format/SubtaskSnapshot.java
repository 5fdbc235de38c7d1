package dev.weir.format;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one subtask of one operator contributed to a checkpoint.
 *
 * @param keyGroups the key groups whose state the files hold; empty for operators without keyed
 *     state
 * @param files the subtask's keyed-state files
 * @param positions source positions (for Kafka: {@code topic:partition} to the next offset to
 *     read); redistributable by split id when the parallelism changes
 */
public record SubtaskSnapshot(
        int subtask,
        Optional<KeyGroupRange> keyGroups,
        List<FileRef> files,
        Map<String, Long> positions) {
    public SubtaskSnapshot {
        if (subtask < 0) {
            throw new IllegalArgumentException("subtask must be >= 0, got " + subtask);
        }
        files = List.copyOf(files);
        positions = Map.copyOf(positions);
    }
}
