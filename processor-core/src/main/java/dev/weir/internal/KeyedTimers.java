package dev.weir.internal;

import dev.weir.TimeDomain;
import dev.weir.WeirException;
import dev.weir.format.StateKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 * registrations and removals and before each snapshot, and a timer registered and fired between two
 * flushes never reaches RocksDB at all. Used by the subtask's thread only.
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

        /** RocksDB holds this timer: it was loaded, or flushed while pending. */
        private boolean stored;

        /** Removed before a flush wrote it: it never reaches RocksDB. */
        private boolean dead;

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

    private final class Queue {
        private final RocksKeyedBackend.StateTable table;

        /**
         * Pending timers by timestamp; within one, in the order they were registered (each timer
         * maps to itself, so a deletion finds the object that was registered).
         */
        private final TreeMap<Long, LinkedHashMap<Timer, Timer>> timers = new TreeMap<>();

        /** A timestamp's emptied map, kept for the next: it has grown to the size they take. */
        private LinkedHashMap<Timer, Timer> spare;

        private long size;

        /**
         * Timers registered since the last flush, in order; those removed again before it are
         * {@linkplain Timer#dead dead} and never reach RocksDB.
         */
        private final ArrayList<Timer> added = new ArrayList<>();

        /** Timers RocksDB holds that were removed since the last flush. */
        private final ArrayList<Timer> deleted = new ArrayList<>();

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
                    Timer t = new Timer(ts, prefix);
                    t.stored = true;
                    add(t);
                }
            }
        }

        private boolean add(Timer t) {
            LinkedHashMap<Timer, Timer> at = timers.get(t.timestamp);
            if (at == null) {
                at = spare == null ? new LinkedHashMap<>() : spare;
                spare = null;
                timers.put(t.timestamp, at);
            }
            if (at.putIfAbsent(t, t) != null) {
                return false;
            }
            size++;
            return true;
        }

        void register(Timer t) {
            if (add(t)) {
                added.add(t);
                flushIfFull();
            }
        }

        void delete(Timer probe) {
            LinkedHashMap<Timer, Timer> at = timers.get(probe.timestamp);
            Timer t = at == null ? null : at.remove(probe);
            if (t != null) {
                size--;
                if (at.isEmpty()) {
                    emptied(probe.timestamp, at);
                }
                removed(t);
            }
        }

        private void emptied(long timestamp, LinkedHashMap<Timer, Timer> at) {
            timers.remove(timestamp);
            spare = at;
        }

        /**
         * A registered timer left the queue. RocksDB holds it if it was flushed, or if it was
         * loaded: then it is deleted at the next flush. Deletions are written before additions, so
         * an equal timer registered again afterwards stays.
         */
        private void removed(Timer t) {
            if (t.stored) {
                deleted.add(t);
                flushIfFull();
            } else {
                t.dead = true;
            }
        }

        Timer pollDue(long time) {
            Map.Entry<Long, LinkedHashMap<Timer, Timer>> first = timers.firstEntry();
            if (first == null || first.getKey() > time) {
                return null;
            }
            LinkedHashMap<Timer, Timer> at = first.getValue();
            Iterator<Timer> it = at.keySet().iterator();
            Timer t = it.next();
            it.remove();
            if (at.isEmpty()) {
                emptied(first.getKey(), at);
            }
            size--;
            removed(t);
            return t;
        }

        long next() {
            return timers.isEmpty() ? Long.MAX_VALUE : timers.firstKey();
        }

        private void flushIfFull() {
            if (added.size() + deleted.size() >= FLUSH_AT) {
                flush();
            }
        }

        void flush() {
            if (added.isEmpty() && deleted.isEmpty()) {
                return;
            }
            backend.awaitWritable();
            try (WriteBatch batch = new WriteBatch()) {
                for (Timer t : deleted) {
                    batch.delete(table.family, t.rocksKey());
                }
                for (Timer t : added) {
                    if (!t.dead) {
                        batch.put(table.family, t.rocksKey(), EMPTY);
                    }
                }
                if (batch.count() > 0) {
                    backend.db().write(backend.writeOptions(), batch);
                }
            } catch (RocksDBException e) {
                throw new WeirException("writing timers to RocksDB failed: " + e, e);
            }
            for (Timer t : added) {
                t.stored = !t.dead;
            }
            added.clear();
            deleted.clear();
        }
    }
}
