package dev.weir.window;

import dev.weir.StateSerializer;
import java.util.Arrays;

/**
 * The open windows of one key, sorted by start, each with its accumulator (or none, when the window
 * keeps its elements apart), and the largest window timer that fired for the key: the value of
 * state {@value Windows#SLOTS_STATE}. An accumulator stays in its serialized form until it is read,
 * and is serialized again only if it was replaced, so a record costs the deserialization and
 * serialization of the windows it is added to, not of every open window of the key. A fresh object
 * per read of the state; not thread-safe.
 */
final class WindowSlots {
    private int size;
    private long[] starts;
    private long[] ends;

    /** The stored bytes of an accumulator not replaced since the read; null otherwise. */
    private byte[][] raw;

    /** An accumulator read or replaced since the read of the state; null otherwise. */
    private Object[] acc;

    /** The largest window timer that fired for the key; {@code Long.MIN_VALUE}: none. */
    private long firedUpTo = Long.MIN_VALUE;

    WindowSlots(int capacity) {
        int c = Math.max(capacity, 2);
        starts = new long[c];
        ends = new long[c];
        raw = new byte[c][];
        acc = new Object[c];
    }

    int size() {
        return size;
    }

    /**
     * The largest window timer that fired for the key, {@code Long.MIN_VALUE} if none did: a window
     * whose timer is at or below it has fired (WindowOperator).
     */
    long firedUpTo() {
        return firedUpTo;
    }

    void firedUpTo(long timer) {
        firedUpTo = Math.max(firedUpTo, timer);
    }

    long start(int i) {
        return starts[i];
    }

    long end(int i) {
        return ends[i];
    }

    TimeWindow window(int i) {
        return new TimeWindow(starts[i], ends[i]);
    }

    /** The slot of window {@code [start, end)}, or -1. */
    int indexOf(long start, long end) {
        for (int i = 0; i < size; i++) {
            if (starts[i] == start && ends[i] == end) {
                return i;
            }
        }
        return -1;
    }

    /** Adds window {@code [start, end)} without an accumulator, in start order; its index. */
    int insert(long start, long end) {
        int i = 0;
        while (i < size && (starts[i] < start || (starts[i] == start && ends[i] < end))) {
            i++;
        }
        if (size == starts.length) {
            int c = size * 2;
            starts = Arrays.copyOf(starts, c);
            ends = Arrays.copyOf(ends, c);
            raw = Arrays.copyOf(raw, c);
            acc = Arrays.copyOf(acc, c);
        }
        int tail = size - i;
        System.arraycopy(starts, i, starts, i + 1, tail);
        System.arraycopy(ends, i, ends, i + 1, tail);
        System.arraycopy(raw, i, raw, i + 1, tail);
        System.arraycopy(acc, i, acc, i + 1, tail);
        starts[i] = start;
        ends[i] = end;
        raw[i] = null;
        acc[i] = null;
        size++;
        return i;
    }

    void remove(int i) {
        int tail = size - i - 1;
        System.arraycopy(starts, i + 1, starts, i, tail);
        System.arraycopy(ends, i + 1, ends, i, tail);
        System.arraycopy(raw, i + 1, raw, i, tail);
        System.arraycopy(acc, i + 1, acc, i, tail);
        size--;
        raw[size] = null;
        acc[size] = null;
    }

    /** The accumulator of slot {@code i}, or null if it has none yet. */
    @SuppressWarnings("unchecked")
    <A> A accumulator(int i, StateSerializer<A> serde) {
        if (acc[i] == null && raw[i] != null) {
            acc[i] = serde.deserialize(raw[i]);
            raw[i] = null;
        }
        return (A) acc[i];
    }

    void setAccumulator(int i, Object accumulator) {
        if (accumulator == null) {
            throw new IllegalStateException(
                    "the accumulator of window [" + starts[i] + ", " + ends[i] + ") became null");
        }
        acc[i] = accumulator;
        raw[i] = null;
    }

    // For the serializer.

    void appendRaw(long start, long end, byte[] bytes) {
        int i = insert(start, end);
        raw[i] = bytes;
    }

    /** The bytes of slot {@code i}'s accumulator, null if it has none. */
    <A> byte[] accumulatorBytes(int i, StateSerializer<A> serde) {
        if (raw[i] != null) {
            return raw[i];
        }
        @SuppressWarnings("unchecked")
        A a = (A) acc[i];
        return a == null ? null : serde.serialize(a);
    }
}
