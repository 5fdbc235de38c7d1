package dev.weir.window;

/**
 * An interval of event time, {@code [start, end)} in epoch millis: a record with timestamp {@code
 * t} is in it when {@code start <= t < end}. Windows of a keyed stream are per key: the same
 * interval of two keys is two windows.
 *
 * @param start first millisecond in the window
 * @param end first millisecond after it; greater than {@code start}
 */
public record TimeWindow(long start, long end) {
    public TimeWindow {
        if (end <= start) {
            throw new IllegalArgumentException(
                    "a window must end after it starts, got [" + start + ", " + end + ")");
        }
    }

    /**
     * The last millisecond in the window, {@code end - 1}: the timestamp of what the window emits,
     * and the watermark (plus the allowed lateness) at which it fires.
     */
    public long maxTimestamp() {
        return end - 1;
    }
}
