package dev.weir.internal;

import dev.weir.CheckpointStats;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The most recent checkpoints of a job, across restarts. Thread-safe. */
final class CheckpointHistory {
    private static final int CAPACITY = 200;
    private final ArrayDeque<CheckpointStats> entries = new ArrayDeque<>();
    private CheckpointStats lastCompleted;
    private final Consumer<CheckpointStats> listener;

    /** {@code listener} hears of each checkpoint as it is added (the metrics). */
    CheckpointHistory(Consumer<CheckpointStats> listener) {
        this.listener = listener;
    }

    CheckpointHistory() {
        this(s -> {});
    }

    void add(CheckpointStats s) {
        record(s);
        listener.accept(s);
    }

    private synchronized void record(CheckpointStats s) {
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
