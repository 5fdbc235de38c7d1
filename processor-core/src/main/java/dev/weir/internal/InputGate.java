package dev.weir.internal;

import dev.weir.Barrier;
import dev.weir.EndOfInput;
import dev.weir.StreamElement;
import dev.weir.Watermark;
import java.time.InstantSource;
import java.util.function.IntFunction;

/**
 * Merges the input channels of one subtask and aligns checkpoint barriers: after barrier n arrived
 * on a channel, that channel is not read until barrier n arrived on every channel (it fills up and
 * its sender waits). Then the gate returns the barrier once and reads all channels again. A newer
 * barrier abandons an unfinished alignment (its checkpoint was aborted).
 *
 * <p>Watermarks: the gate's watermark is the minimum of its channels' last watermarks, leaving out
 * channels whose sender said it is idle and channels that ended; it never goes backwards. The gate
 * returns a {@link Watermark} when that minimum grows, {@link Watermark#IDLE} when every channel is
 * idle, and its current watermark again when a channel is active again (docs/architecture.md
 * §11.1).
 *
 * <p>Used by one thread only; the runtime feeds it from {@link Channel}s, the test harness from
 * in-memory queues.
 */
public final class InputGate {
    private final int channels;
    private final IntFunction<StreamElement[]> source;
    private final InstantSource clock;
    private final StreamElement[][] batches;
    private final int[] positions;
    private final boolean[] blocked;
    private final boolean[] ended;
    private int endedCount;
    private long aligningId = -1;
    private Barrier pending;
    private int barriersSeen;
    private long alignmentStartMillis;
    private long lastAlignmentMillis;
    private int next;
    private final long[] watermarks;
    private final boolean[] idle;
    private long watermark = Long.MIN_VALUE;
    private boolean allIdle;

    /**
     * @param source returns the next batch of channel {@code i}, or null if none is there now
     */
    public InputGate(int channels, IntFunction<StreamElement[]> source, InstantSource clock) {
        this.channels = channels;
        this.source = source;
        this.clock = clock;
        this.batches = new StreamElement[channels][];
        this.positions = new int[channels];
        this.blocked = new boolean[channels];
        this.ended = new boolean[channels];
        this.watermarks = new long[channels];
        java.util.Arrays.fill(watermarks, Long.MIN_VALUE);
        this.idle = new boolean[channels];
    }

    /**
     * The next element to process, or null if no unblocked channel has one now. Returns a {@link
     * Barrier} when it is aligned, a {@link Watermark} when the gate's watermark changed, and an
     * {@link EndOfInput} once when every channel ended.
     */
    public StreamElement poll() {
        for (int tries = 0; tries < channels; tries++) {
            int c = next;
            next = next + 1 == channels ? 0 : next + 1;
            if (blocked[c] || ended[c]) {
                continue;
            }
            StreamElement e = take(c);
            while (e != null) {
                StreamElement out = handle(c, e);
                if (out != null) {
                    // Stay on this channel only while its current batch lasts, so no channel
                    // starves.
                    StreamElement[] b = batches[c];
                    next =
                            b != null && positions[c] < b.length
                                    ? c
                                    : (c + 1 == channels ? 0 : c + 1);
                    return out;
                }
                if (blocked[c] || ended[c]) {
                    break;
                }
                e = take(c);
            }
        }
        return null;
    }

    private StreamElement take(int c) {
        StreamElement[] b = batches[c];
        while (b == null || positions[c] == b.length) {
            b = source.apply(c);
            if (b == null) {
                batches[c] = null;
                return null;
            }
            batches[c] = b;
            positions[c] = 0;
        }
        StreamElement e = b[positions[c]];
        b[positions[c]++] = null;
        return e;
    }

    private StreamElement handle(int c, StreamElement e) {
        if (e instanceof Barrier b) {
            return onBarrier(c, b);
        }
        if (e instanceof EndOfInput) {
            ended[c] = true;
            endedCount++;
            if (endedCount == channels) {
                return EndOfInput.INSTANCE;
            }
            return maybeAligned();
        }
        if (e instanceof Watermark w) {
            return onWatermark(c, w);
        }
        return e;
    }

    private Watermark onWatermark(int c, Watermark w) {
        if (w.idle()) {
            idle[c] = true;
        } else {
            idle[c] = false;
            if (w.timestampMillis() > watermarks[c]) {
                watermarks[c] = w.timestampMillis();
            }
        }
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (int i = 0; i < channels; i++) {
            if (!idle[i] && !ended[i]) {
                any = true;
                min = Math.min(min, watermarks[i]);
            }
        }
        if (!any) {
            if (allIdle) {
                return null;
            }
            allIdle = true;
            return Watermark.IDLE;
        }
        boolean wasIdle = allIdle;
        allIdle = false;
        if (min > watermark) {
            watermark = min;
            return new Watermark(min);
        }
        return wasIdle ? new Watermark(watermark) : null;
    }

    /** The gate's current watermark: {@link Long#MIN_VALUE} before the first. */
    public long currentWatermark() {
        return watermark;
    }

    private StreamElement onBarrier(int c, Barrier b) {
        if (b.checkpointId() < aligningId || (b.checkpointId() == aligningId && pending == null)) {
            return null;
        }
        if (b.checkpointId() > aligningId) {
            unblockAll();
            aligningId = b.checkpointId();
            pending = b;
            barriersSeen = 0;
            alignmentStartMillis = clock.millis();
        }
        blocked[c] = true;
        barriersSeen++;
        return maybeAligned();
    }

    private StreamElement maybeAligned() {
        if (pending == null || barriersSeen + endedCount < channels) {
            return null;
        }
        unblockAll();
        lastAlignmentMillis = clock.millis() - alignmentStartMillis;
        Barrier b = pending;
        pending = null;
        return b;
    }

    private void unblockAll() {
        for (int i = 0; i < channels; i++) {
            blocked[i] = false;
        }
    }

    /** How long the last completed alignment held channels. */
    public long lastAlignmentMillis() {
        return lastAlignmentMillis;
    }

    public boolean isBlocked(int channel) {
        return blocked[channel];
    }
}
