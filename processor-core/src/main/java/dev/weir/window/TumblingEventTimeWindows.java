package dev.weir.window;

import java.time.Duration;
import java.util.List;

/**
 * Fixed windows of one size that do not overlap: a record with timestamp {@code t} is in the one
 * window starting at {@code t - floorMod(t - offset, size)}. With offset 0 a one-hour window starts
 * on the hour (UTC); an offset shifts them, for example to local midnight.
 */
public final class TumblingEventTimeWindows implements WindowAssigner<Object> {
    private final long size;
    private final long offset;

    private TumblingEventTimeWindows(long size, long offset) {
        this.size = size;
        this.offset = offset;
    }

    /** Windows of {@code size} (at least 1 ms), aligned to the epoch. */
    public static TumblingEventTimeWindows of(Duration size) {
        return of(size, Duration.ZERO);
    }

    /**
     * Windows of {@code size} (at least 1 ms) starting {@code offset} after the epoch-aligned ones;
     * {@code |offset| < size}.
     */
    public static TumblingEventTimeWindows of(Duration size, Duration offset) {
        long s = SlidingEventTimeWindows.positiveMillis("size", size);
        long o = offset.toMillis();
        if (Math.abs(o) >= s) {
            throw new IllegalArgumentException(
                    "offset must be shorter than the size " + s + " ms, got " + o + " ms");
        }
        return new TumblingEventTimeWindows(s, o);
    }

    long size() {
        return size;
    }

    long offset() {
        return offset;
    }

    @Override
    public List<TimeWindow> assignWindows(long timestamp) {
        long start = SlidingEventTimeWindows.lastStart(timestamp, offset, size);
        return List.of(new TimeWindow(start, start + size));
    }

    @Override
    public boolean isMerging() {
        return false;
    }

    @Override
    public String toString() {
        return "TumblingEventTimeWindows(size=" + size + "ms, offset=" + offset + "ms)";
    }
}
