package dev.weir.internal;

import dev.weir.CheckpointStats;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/** The most recent checkpoints of a job, across restarts. Thread-safe. */
final class CheckpointHistory {
    private static final int CAPACITY = 200;
    private final ArrayDeque<CheckpointStats> entries = new ArrayDeque<>();
    private CheckpointStats lastCompleted;

    synchronized void add(CheckpointStats s) {
        if (entries.size() == CAPACITY) {
            entries.removeFirst();
        }
        entries.addLast(s);
        if (s.status() == CheckpointStats.Status.COMPLETED) {
            lastCompleted = s;
        }
    }

    synchronized List<CheckpointStats> all() {
        return List.copyOf(entries);
    }

    synchronized Optional<CheckpointStats> lastCompleted() {
        return Optional.ofNullable(lastCompleted);
    }
}
