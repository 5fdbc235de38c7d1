package dev.weir.spi;

import dev.weir.SubtaskInfo;
import dev.weir.config.WeirConfig;
import java.time.InstantSource;
import java.util.Map;

/** What a source subtask is told when its reader is created. */
public interface SourceContext {
    SubtaskInfo subtask();

    WeirConfig config();

    /**
     * Positions restored from the checkpoint or savepoint the job resumes from, from all source
     * subtasks of the previous run (split id to next position). Empty when the job starts fresh. A
     * reader keeps the entries of the splits it owns; the parallelism may have changed.
     */
    Map<String, Long> restoredPositions();

    InstantSource clock();
}
