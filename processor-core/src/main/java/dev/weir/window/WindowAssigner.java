package dev.weir.window;

import java.util.List;

/**
 * Puts each record of a keyed stream into event-time windows, by its timestamp alone. The set is
 * closed: {@link TumblingEventTimeWindows} and {@link SlidingEventTimeWindows} give each timestamp
 * fixed windows; {@link EventTimeSessionWindows} gives it a window of its own that merges with the
 * key's overlapping or touching windows. Assigners are immutable and may be shared between jobs.
 *
 * @param <T> the values it assigns; all of these assign by timestamp, so any value
 */
public sealed interface WindowAssigner<T>
        permits TumblingEventTimeWindows, SlidingEventTimeWindows, EventTimeSessionWindows {
    /**
     * The windows a record with {@code timestamp} belongs to, earliest start first: for a merging
     * assigner, its own window before any merge.
     */
    List<TimeWindow> assignWindows(long timestamp);

    /** Whether windows of a key merge when they overlap or touch (sessions). */
    boolean isMerging();
}
