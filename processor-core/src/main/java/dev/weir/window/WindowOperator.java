package dev.weir.window;

import dev.weir.KeyedProcessFunction;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.StateSerializer;
import dev.weir.TimerService;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The keyed function behind every window: assigns each record to its windows, judges lateness,
 * keeps the key's open windows in state {@value Windows#SLOTS_STATE} and fires each window once
 * from an event-time timer at {@code maxTimestamp + allowedLateness}. What a window holds — one
 * accumulator, or its elements — is the subclass's.
 *
 * <p>A window's timer is registered when the window is created for its key, not per record; a
 * session's timer moves when it merges. Once the watermark has reached a window's timer the window
 * has fired and is gone, so a record counts as late exactly when none of its windows could still
 * take it.
 *
 * <p>The watermark is not state: after a restore it starts from nothing. So that a record read
 * again after a restore cannot open a window that fired before the restored checkpoint, each key
 * keeps the largest timer that fired for it, in the same value as its open windows ({@link
 * WindowSlots#firedUpTo}): a window whose timer is at or below it is closed, whatever the current
 * watermark. Each window that fired had its timer reached by the watermark, so in the run before
 * the restore the same record was late too. So the key's value stays after its last window fired:
 * one read per record, which the cache serves (docs/windows.md).
 */
abstract class WindowOperator<K, V, KO, VO> implements KeyedProcessFunction<K, V, KO, VO> {
    private final long size;
    private final long slide;
    private final long offset;
    private final long gap;
    private final long lateness;
    private final OutputTag<K, V> lateTag;
    private final StateSerializer<?> accSerde;
    private ValueState<WindowSlots> slotsState;
    private Counter dropped;
    private Counter sideOutput;

    /**
     * @param lateTag where late records go, or null to drop them
     * @param accSerde the accumulators' serializer, or null when windows keep none
     */
    WindowOperator(
            WindowAssigner<?> assigner,
            long lateness,
            OutputTag<K, V> lateTag,
            StateSerializer<?> accSerde) {
        if (assigner instanceof TumblingEventTimeWindows t) {
            size = t.size();
            slide = t.size();
            offset = t.offset();
            gap = 0;
        } else if (assigner instanceof SlidingEventTimeWindows s) {
            size = s.size();
            slide = s.slide();
            offset = s.offset();
            gap = 0;
        } else {
            EventTimeSessionWindows s = (EventTimeSessionWindows) assigner;
            size = 0;
            slide = 0;
            offset = 0;
            gap = s.gap();
        }
        this.lateness = lateness;
        this.lateTag = lateTag;
        this.accSerde = accSerde;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        slotsState =
                context.state()
                        .valueState(
                                new ValueStateDescriptor<>(
                                        Windows.SLOTS_STATE, new SlotsSerializer(accSerde)));
        MeterRegistry registry = context.meterRegistry();
        String operator = context.subtask().operatorUid();
        String subtask = String.valueOf(context.subtask().subtask());
        dropped =
                Counter.builder(Windows.LATE_DROPPED_METER)
                        .description("Late records a window operator dropped")
                        .tags("operator", operator, "subtask", subtask)
                        .register(registry);
        sideOutput =
                Counter.builder(Windows.LATE_SIDE_OUTPUT_METER)
                        .description("Late records a window operator sent to its late-data output")
                        .tags("operator", operator, "subtask", subtask)
                        .register(registry);
    }

    @Override
    public final void process(Record<K, V> record, Context<K, KO, VO> ctx) throws Exception {
        TimerService timers = ctx.timerService();
        long wm = timers.currentWatermark();
        long ts = record.timestamp();
        boolean taken =
                gap > 0 ? addToSession(record, ts, wm, timers) : addToFixed(record, ts, wm, timers);
        if (!taken) {
            if (lateTag != null) {
                ctx.output(lateTag, record);
                sideOutput.increment();
            } else {
                dropped.increment();
            }
        }
    }

    /** Tumbling and sliding windows; false if the record is late for all of its windows. */
    private boolean addToFixed(Record<K, V> record, long ts, long wm, TimerService timers)
            throws Exception {
        long last = SlidingEventTimeWindows.lastStart(ts, offset, slide);
        if (last + size <= ts) {
            return true; // in a gap between sliding windows: in none, and not late
        }
        if (cleanupTime(last + size) <= wm) {
            return false; // the last window closes last: all are closed
        }
        WindowSlots slots = slots();
        long fired = slots.firedUpTo();
        boolean taken = false;
        for (long start = last; start > ts - size; start -= slide) {
            long end = start + size;
            long cleanup = cleanupTime(end);
            if (cleanup <= wm) {
                break; // this window fired already, and the earlier ones before it
            }
            int i = slots.indexOf(start, end);
            if (i < 0) {
                if (cleanup <= fired) {
                    break; // fired before a restore, so the earlier ones did too
                }
                i = slots.insert(start, end);
                timers.registerEventTimeTimer(cleanup);
            }
            addTo(slots, i, record.value());
            taken = true;
        }
        if (!taken) {
            return false;
        }
        added(record);
        slotsState.update(slots);
        return true;
    }

    /**
     * Session windows: the record's own window {@code [ts, ts + gap)} merges with the key's
     * sessions it overlaps or touches (sorted and disjoint, so a run of them); false if that own
     * window is late.
     */
    private boolean addToSession(Record<K, V> record, long ts, long wm, TimerService timers)
            throws Exception {
        long end = ts + gap;
        long cleanup = cleanupTime(end);
        if (cleanup <= wm) {
            return false;
        }
        WindowSlots slots = slots();
        if (cleanup <= slots.firedUpTo()) {
            return false;
        }
        int first = -1;
        int last = -1;
        for (int i = 0; i < slots.size(); i++) {
            if (slots.start(i) <= end && ts <= slots.end(i)) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        int target;
        if (first < 0) {
            target = slots.insert(ts, end);
            timers.registerEventTimeTimer(cleanupTime(end));
        } else if (first == last && slots.start(first) <= ts && end <= slots.end(first)) {
            target = first;
        } else {
            long start = Math.min(ts, slots.start(first));
            long mergedEnd = Math.max(end, slots.end(last));
            Object merged = mergeContents(slots, first, last);
            for (int i = last; i >= first; i--) {
                timers.deleteEventTimeTimer(cleanupTime(slots.end(i)));
                slots.remove(i);
            }
            target = slots.insert(start, mergedEnd);
            if (merged != null) {
                slots.setAccumulator(target, merged);
            }
            timers.registerEventTimeTimer(cleanupTime(mergedEnd));
        }
        addTo(slots, target, record.value());
        added(record);
        slotsState.update(slots);
        return true;
    }

    /** Fires every window of the key whose time has come, earliest start first, and drops it. */
    @Override
    public final void onTimer(long timestamp, OnTimerContext<K, KO, VO> ctx) throws Exception {
        WindowSlots slots = slotsState.valueOrElse(null);
        if (slots == null) {
            return;
        }
        boolean[] due = new boolean[slots.size()];
        boolean any = false;
        for (int i = 0; i < slots.size(); i++) {
            due[i] = cleanupTime(slots.end(i)) <= timestamp;
            any |= due[i];
        }
        if (!any) {
            return;
        }
        fire(ctx.currentKey(), slots, due, ctx);
        // Timers of a key fire in time order, and none below a fired one is pending.
        slots.firedUpTo(timestamp);
        for (int i = slots.size() - 1; i >= 0; i--) {
            if (due[i]) {
                slots.remove(i);
            }
        }
        // Kept when empty too, for the fired marker; a cleared value would also cost the key's next
        // window a read from RocksDB.
        slotsState.update(slots);
    }

    private WindowSlots slots() {
        WindowSlots slots = slotsState.valueOrElse(null);
        return slots == null ? new WindowSlots(2) : slots;
    }

    /** When a window ending at {@code end} fires: {@code end - 1 + allowedLateness}, saturated. */
    private long cleanupTime(long end) {
        long t = end - 1 + lateness;
        return t < end - 1 ? Long.MAX_VALUE : t;
    }

    /** Adds a value to the open window in slot {@code i}. */
    abstract void addTo(WindowSlots slots, int i, V value) throws Exception;

    /** Called once per record taken by at least one window, after {@link #addTo}. */
    abstract void added(Record<K, V> record) throws Exception;

    /**
     * The contents of sessions in slots {@code first..last}, merged into the accumulator the merged
     * session starts with; null when windows keep no accumulator.
     */
    abstract Object mergeContents(WindowSlots slots, int first, int last) throws Exception;

    /**
     * Emits the windows in the slots marked {@code due}, in slot order; they are removed
     * afterwards.
     */
    abstract void fire(K key, WindowSlots slots, boolean[] due, OnTimerContext<K, KO, VO> ctx)
            throws Exception;
}
