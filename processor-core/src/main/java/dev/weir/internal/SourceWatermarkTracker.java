package dev.weir.internal;

import dev.weir.Record;
import dev.weir.TimestampAssigner;
import dev.weir.Watermark;
import dev.weir.WatermarkStrategy;
import dev.weir.internal.metrics.EventTimeStats;
import dev.weir.spi.SourceWatermarks;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The watermark of one source subtask: per split, the largest event time read minus the
 * out-of-orderness bound minus 1 ms; the subtask's watermark is the minimum over its splits that
 * are not idle, and never goes backwards (docs/architecture.md §11.1). Used by the source task's
 * thread only.
 */
final class SourceWatermarkTracker implements SourceWatermarks, EventTimeStats {
    private static final String DEFAULT_SPLIT = "";

    private final boolean emits;
    private final long outOfOrderness;
    private final TimestampAssigner<Object, Object> assigner;
    private final long idleMillis;
    private final InstantSource clock;
    private final Map<String, SplitState> splits = new LinkedHashMap<>();
    private boolean declared;
    private boolean idle;
    private volatile long emitted = Long.MIN_VALUE;

    @SuppressWarnings("unchecked")
    SourceWatermarkTracker(WatermarkStrategy<?, ?> strategy, InstantSource clock) {
        this.emits = strategy.emitsWatermarks();
        this.outOfOrderness = strategy.maxOutOfOrderness().map(d -> d.toMillis()).orElse(0L);
        this.assigner =
                (TimestampAssigner<Object, Object>) strategy.timestampAssigner().orElse(null);
        this.idleMillis = strategy.idleness().map(d -> d.toMillis()).orElse(Long.MAX_VALUE);
        this.clock = clock;
    }

    /** Whether records need to pass through a split at all. */
    boolean active() {
        return emits || assigner != null;
    }

    @Override
    public void assigned(Collection<String> splitIds) {
        declared = true;
        splits.keySet().retainAll(splitIds);
        long now = clock.millis();
        for (String id : splitIds) {
            splits.computeIfAbsent(id, i -> new SplitState(now));
        }
    }

    /** The split of a job without event time: records pass as they are. */
    private static final Split UNTRACKED =
            new Split() {
                @Override
                public <K, V> Record<K, V> onRecord(Record<K, V> record) {
                    return record;
                }
            };

    @Override
    public Split split(String splitId) {
        if (!active()) {
            return UNTRACKED;
        }
        SplitState s = splits.get(splitId);
        if (s == null) {
            throw new IllegalArgumentException("split '" + splitId + "' was not assigned");
        }
        return s;
    }

    /**
     * {@code records} as they are when the reader reports its splits; otherwise passed through one
     * split, each replaced by its timestamped form.
     */
    List<Record<Object, Object>> ofUndeclaredReader(List<Record<Object, Object>> records) {
        if (declared || records.isEmpty()) {
            return records;
        }
        SplitState s = splits.computeIfAbsent(DEFAULT_SPLIT, i -> new SplitState(clock.millis()));
        List<Record<Object, Object>> out = new ArrayList<>(records.size());
        for (Record<Object, Object> r : records) {
            out.add(s.onRecord(r));
        }
        return out;
    }

    /**
     * The watermark to emit after a poll: a larger one, {@link Watermark#IDLE} when the subtask has
     * just become idle, the last one again when it is active again; else null.
     */
    Watermark poll() {
        if (!emits) {
            return null;
        }
        long now = clock.millis();
        long min = Long.MAX_VALUE;
        boolean anyActive = false;
        for (SplitState s : splits.values()) {
            if (s.touched) {
                s.touched = false;
                s.lastActivity = now;
            }
            if (now - s.lastActivity < idleMillis) {
                anyActive = true;
                long wm = s.max == Long.MIN_VALUE ? Long.MIN_VALUE : s.max - outOfOrderness - 1;
                min = Math.min(min, wm);
            }
        }
        if (!declared && splits.isEmpty()) {
            // No record yet from a reader that reports no splits: nothing is known.
            return null;
        }
        if (!anyActive) {
            if (idle) {
                return null;
            }
            idle = true;
            return Watermark.IDLE;
        }
        boolean wasIdle = idle;
        idle = false;
        if (min > emitted) {
            emitted = min;
            return new Watermark(min);
        }
        return wasIdle ? new Watermark(emitted) : null;
    }

    /** A source's input is its splits: the watermark it emitted last. */
    @Override
    public long inputWatermark() {
        return emitted;
    }

    @Override
    public long outputWatermark() {
        return emitted;
    }

    @Override
    public long eventTimeTimers() {
        return 0;
    }

    @Override
    public long processingTimeTimers() {
        return 0;
    }

    private final class SplitState implements Split {
        long max = Long.MIN_VALUE;
        long lastActivity;
        boolean touched;

        SplitState(long now) {
            this.lastActivity = now;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <K, V> Record<K, V> onRecord(Record<K, V> record) {
            touched = true;
            if (assigner == null) {
                if (record.timestamp() > max) {
                    max = record.timestamp();
                }
                return record;
            }
            long ts = assigner.extractTimestamp((Record<Object, Object>) record);
            if (ts > max) {
                max = ts;
            }
            return ts == record.timestamp() ? record : record.withTimestamp(ts);
        }
    }
}
