package dev.weir.internal;

import dev.weir.TimeDomain;
import dev.weir.WeirException;
import dev.weir.format.StateKeys;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The timers of one keyed subtask (docs/architecture.md §11.2). They are keyed state in RocksDB —
 * two map states with reserved names, one entry per (key, timestamp) — so checkpoints, savepoints,
 * rescaling and the offline tools carry them like any state. In memory each domain keeps every
 * pending timer, grouped by timestamp in time order (timers cluster on few timestamps, such as the
 * ends of windows, so a registration is a hash lookup, not a search among all timers), which is
 * what fires them; changes reach RocksDB write-back, in one WriteBatch per {@value #FLUSH_AT}
 * changes and before each snapshot, and a timer registered and fired between two flushes never
 * reaches RocksDB at all. Used by the subtask's thread only.
 */
final class KeyedTimers {
    /** Buffered changes that make a flush. */
    static final int FLUSH_AT = 8192;

    private static final byte[] EMPTY = new byte[0];

    private final RocksKeyedBackend backend;

    /**
     * Each domain's timers; null until its first timer, so the state of an operator that never used
     * timers has no timer states.
     */
    private Queue event;

    private Queue processing;

    KeyedTimers(RocksKeyedBackend backend) {
        this.backend = backend;
    }

    /** Loads the timers restored into RocksDB; call once, before the first record. */
    void load() {
        if (backend.isRestored(StateKeys.TIMERS_EVENT_TIME)) {
            queue(TimeDomain.EVENT_TIME).load();
        }
        if (backend.isRestored(StateKeys.TIMERS_PROCESSING_TIME)) {
            queue(TimeDomain.PROCESSING_TIME).load();
        }
    }

    void register(TimeDomain domain, long timestamp) {
        queue(domain).register(new Timer(timestamp, backend.currentMapPrefix()));
    }

    void delete(TimeDomain domain, long timestamp) {
        Queue q = existing(domain);
        if (q != null) {
            q.delete(new Timer(timestamp, backend.currentMapPrefix()));
        }
    }

    /** The earliest timer of {@code domain} at or before {@code time}, removed; or null. */
    Timer pollDue(TimeDomain domain, long time) {
        Queue q = existing(domain);
        return q == null ? null : q.pollDue(time);
    }

    /** The earliest processing-time timer's timestamp, or {@link Long#MAX_VALUE}. */
    long nextProcessingTime() {
        return processing == null ? Long.MAX_VALUE : processing.next();
    }

    long pending(TimeDomain domain) {
        Queue q = existing(domain);
        return q == null ? 0 : q.size;
    }

    /** Writes the buffered changes to RocksDB; before a snapshot, so it holds every timer. */
    void flush() {
        if (event != null) {
            event.flush();
        }
        if (processing != null) {
            processing.flush();
        }
    }

    private Queue existing(TimeDomain domain) {
        return domain == TimeDomain.EVENT_TIME ? event : processing;
    }

    private Queue queue(TimeDomain domain) {
        if (domain == TimeDomain.EVENT_TIME) {
            if (event == null) {
                event = new Queue(backend.timerTable(StateKeys.TIMERS_EVENT_TIME));
            }
            return event;
        }
        if (processing == null) {
            processing = new Queue(backend.timerTable(StateKeys.TIMERS_PROCESSING_TIME));
        }
        return processing;
    }

    /**
     * A timer: its timestamp and the RocksDB map prefix of its key (key group, key length, key).
     */
    static final class Timer {
        final long timestamp;
        final byte[] prefix;
        private final int hash;

        Timer(long timestamp, byte[] prefix) {
            this.timestamp = timestamp;
            this.prefix = prefix;
            this.hash = Long.hashCode(timestamp) * 31 + Arrays.hashCode(prefix);
        }

        /** The serialized record key of this timer. */
        byte[] key() {
            return Arrays.copyOfRange(prefix, 6, prefix.length);
        }

        byte[] rocksKey() {
            byte[] ts = StateKeys.timerUserKey(timestamp);
            byte[] k = Arrays.copyOf(prefix, prefix.length + 8);
            System.arraycopy(ts, 0, k, prefix.length, 8);
            return k;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Timer t
                    && t.timestamp == timestamp
                    && t.hash == hash
                    && Arrays.equals(t.prefix, prefix);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** What a buffered change does to RocksDB. */
    private enum Change {
        /** Put a timer RocksDB does not hold. */
        ADD,
        /** Put a timer RocksDB may hold (it was deleted and registered again). */
        PUT,
        DELETE
    }

    private final class Queue {
        private final RocksKeyedBackend.StateTable table;

        /** Pending timers by timestamp; within one, in the order they were registered. */
        private final TreeMap<Long, LinkedHashSet<Timer>> timers = new TreeMap<>();

        private long size;
        private final Map<Timer, Change> changes = new HashMap<>();

        Queue(RocksKeyedBackend.StateTable table) {
            this.table = table;
        }

        void load() {
            try (RocksIterator it = backend.db().newIterator(table.family)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    byte[] prefix = Arrays.copyOf(k, k.length - 8);
                    long ts =
                            StateKeys.timerTimestamp(Arrays.copyOfRange(k, k.length - 8, k.length));
                    add(new Timer(ts, prefix));
                }
            }
        }

        private boolean add(Timer t) {
            if (timers.computeIfAbsent(t.timestamp, ts -> new LinkedHashSet<>()).add(t)) {
                size++;
                return true;
            }
            return false;
        }

        void register(Timer t) {
            if (!add(t)) {
                return;
            }
            Change old = changes.get(t);
            changes.put(t, old == null ? Change.ADD : Change.PUT);
            if (changes.size() >= FLUSH_AT) {
                flush();
            }
        }

        void delete(Timer t) {
            LinkedHashSet<Timer> at = timers.get(t.timestamp);
            if (at != null && at.remove(t)) {
                size--;
                if (at.isEmpty()) {
                    timers.remove(t.timestamp);
                }
                removed(t);
            }
        }

        private void removed(Timer t) {
            Change old = changes.get(t);
            if (old == Change.ADD) {
                changes.remove(t);
            } else {
                changes.put(t, Change.DELETE);
                if (changes.size() >= FLUSH_AT) {
                    flush();
                }
            }
        }

        Timer pollDue(long time) {
            Map.Entry<Long, LinkedHashSet<Timer>> first = timers.firstEntry();
            if (first == null || first.getKey() > time) {
                return null;
            }
            Iterator<Timer> it = first.getValue().iterator();
            Timer t = it.next();
            it.remove();
            if (first.getValue().isEmpty()) {
                timers.remove(first.getKey());
            }
            size--;
            removed(t);
            return t;
        }

        long next() {
            return timers.isEmpty() ? Long.MAX_VALUE : timers.firstKey();
        }

        void flush() {
            if (changes.isEmpty()) {
                return;
            }
            backend.awaitWritable();
            try (WriteBatch batch = new WriteBatch()) {
                for (Map.Entry<Timer, Change> e : changes.entrySet()) {
                    if (e.getValue() == Change.DELETE) {
                        batch.delete(table.family, e.getKey().rocksKey());
                    } else {
                        batch.put(table.family, e.getKey().rocksKey(), EMPTY);
                    }
                }
                backend.db().write(backend.writeOptions(), batch);
            } catch (RocksDBException e) {
                throw new WeirException("writing timers to RocksDB failed: " + e, e);
            }
            changes.clear();
        }
    }
}
