package dev.weir.window;

import java.time.Duration;
import java.util.List;

/**
 * Sessions: each record gets the window {@code [t, t + gap)}, and windows of a key that overlap or
 * touch merge into one covering both. So records of a key less than or exactly {@code gap} apart
 * end up in one session, and a record between two sessions bridges them into one.
 */
public final class EventTimeSessionWindows implements WindowAssigner<Object> {
    private final long gap;

    private EventTimeSessionWindows(long gap) {
        this.gap = gap;
    }

    /** Sessions closed by {@code gap} (at least 1 ms) without records of the key. */
    public static EventTimeSessionWindows withGap(Duration gap) {
        return new EventTimeSessionWindows(SlidingEventTimeWindows.positiveMillis("gap", gap));
    }

    long gap() {
        return gap;
    }

    @Override
    public List<TimeWindow> assignWindows(long timestamp) {
        return List.of(new TimeWindow(timestamp, timestamp + gap));
    }

    @Override
    public boolean isMerging() {
        return true;
    }

    @Override
    public String toString() {
        return "EventTimeSessionWindows(gap=" + gap + "ms)";
    }
}
