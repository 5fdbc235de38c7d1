package dev.weir.window;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Windows of one size that start every {@code slide}: a record is in each window {@code [s, s +
 * size)} with {@code s = t - floorMod(t - offset, slide) - n * slide} and {@code s > t - size},
 * that is in {@code ceil(size / slide)} windows when the slide divides the size. A slide longer
 * than the size leaves gaps; a record in a gap is in no window and is dropped (it is not late, and
 * is not counted as such).
 */
public final class SlidingEventTimeWindows implements WindowAssigner<Object> {
    private final long size;
    private final long slide;
    private final long offset;

    private SlidingEventTimeWindows(long size, long slide, long offset) {
        this.size = size;
        this.slide = slide;
        this.offset = offset;
    }

    /** Windows of {@code size} every {@code slide} (both at least 1 ms), aligned to the epoch. */
    public static SlidingEventTimeWindows of(Duration size, Duration slide) {
        return of(size, slide, Duration.ZERO);
    }

    /**
     * Windows of {@code size} every {@code slide}, starting {@code offset} after the epoch-aligned
     * ones; {@code |offset| < slide}.
     */
    public static SlidingEventTimeWindows of(Duration size, Duration slide, Duration offset) {
        long s = positiveMillis("size", size);
        long sl = positiveMillis("slide", slide);
        long o = offset.toMillis();
        if (Math.abs(o) >= sl) {
            throw new IllegalArgumentException(
                    "offset must be shorter than the slide " + sl + " ms, got " + o + " ms");
        }
        return new SlidingEventTimeWindows(s, sl, o);
    }

    static long positiveMillis(String what, Duration d) {
        long ms = d.toMillis();
        if (ms < 1) {
            throw new IllegalArgumentException(what + " must be at least 1 ms, got " + d);
        }
        return ms;
    }

    /** The start of the last window of {@code every} (size or slide) that holds {@code ts}. */
    static long lastStart(long ts, long offset, long every) {
        return ts - Math.floorMod(ts - offset, every);
    }

    long size() {
        return size;
    }

    long slide() {
        return slide;
    }

    long offset() {
        return offset;
    }

    @Override
    public List<TimeWindow> assignWindows(long timestamp) {
        List<TimeWindow> windows = new ArrayList<>();
        for (long s = lastStart(timestamp, offset, slide); s > timestamp - size; s -= slide) {
            windows.add(0, new TimeWindow(s, s + size));
        }
        return windows;
    }

    @Override
    public boolean isMerging() {
        return false;
    }

    @Override
    public String toString() {
        return "SlidingEventTimeWindows(size="
                + size
                + "ms, slide="
                + slide
                + "ms, offset="
                + offset
                + "ms)";
    }
}
