package dev.weir.format;

import java.util.List;

/** The state of one operator, identified by its uid, across all of its subtasks. */
public record OperatorSnapshot(
        String uid, int parallelism, List<StateInfo> states, List<SubtaskSnapshot> subtasks) {
    public OperatorSnapshot {
        if (uid.isBlank()) {
            throw new IllegalArgumentException("operator uid must not be blank");
        }
        if (subtasks.size() != parallelism) {
            throw new IllegalArgumentException(
                    "operator '"
                            + uid
                            + "' has parallelism "
                            + parallelism
                            + " but "
                            + subtasks.size()
                            + " subtask snapshots");
        }
        states = List.copyOf(states);
        subtasks = List.copyOf(subtasks);
    }
}
