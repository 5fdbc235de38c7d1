package dev.weir.internal;

import dev.weir.TimeDomain;
import dev.weir.WeirException;
import dev.weir.format.StateKeys;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The timers of one keyed subtask (docs/architecture.md §11.2). They are keyed state in RocksDB —
 * two map states with reserved names, one entry per (key, timestamp) — so checkpoints, savepoints,
 * rescaling and the offline tools carry them like any state. In memory each domain keeps every
 * pending timer in time order, which is what fires them; changes reach RocksDB write-back, in one
 * WriteBatch per {@value #FLUSH_AT} changes and before each snapshot, and a timer registered and
 * fired between two flushes never reaches RocksDB at all. Used by the subtask's thread only.
 */
final class KeyedTimers {
    /** Buffered changes that make a flush. */
    static final int FLUSH_AT = 8192;

    private static final byte[] EMPTY = new byte[0];

    private final RocksKeyedBackend backend;
    private final Queue event;
    private final Queue processing;

    KeyedTimers(RocksKeyedBackend backend) {
        this.backend = backend;
        this.event = new Queue(backend.timerTable(StateKeys.TIMERS_EVENT_TIME));
        this.processing = new Queue(backend.timerTable(StateKeys.TIMERS_PROCESSING_TIME));
    }

    /** Loads the timers restored into RocksDB; call once, before the first record. */
    void load() {
        event.load();
        processing.load();
    }

    void register(TimeDomain domain, long timestamp) {
        queue(domain).register(new Timer(timestamp, backend.currentMapPrefix()));
    }

    void delete(TimeDomain domain, long timestamp) {
        queue(domain).delete(new Timer(timestamp, backend.currentMapPrefix()));
    }

    /** The earliest timer of {@code domain} at or before {@code time}, removed; or null. */
    Timer pollDue(TimeDomain domain, long time) {
        return queue(domain).pollDue(time);
    }

    /** The earliest processing-time timer's timestamp, or {@link Long#MAX_VALUE}. */
    long nextProcessingTime() {
        return processing.next();
    }

    long pending(TimeDomain domain) {
        return queue(domain).timers.size();
    }

    /** Writes the buffered changes to RocksDB; before a snapshot, so it holds every timer. */
    void flush() {
        event.flush();
        processing.flush();
    }

    private Queue queue(TimeDomain domain) {
        return domain == TimeDomain.EVENT_TIME ? event : processing;
    }

    /**
     * A timer: its timestamp and the RocksDB map prefix of its key (key group, key length, key).
     */
    static final class Timer implements Comparable<Timer> {
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
        public int compareTo(Timer o) {
            int c = Long.compare(timestamp, o.timestamp);
            return c != 0 ? c : Arrays.compareUnsigned(prefix, o.prefix);
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
        private final TreeSet<Timer> timers = new TreeSet<>();
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
                    timers.add(new Timer(ts, prefix));
                }
            }
        }

        void register(Timer t) {
            if (!timers.add(t)) {
                return;
            }
            Change old = changes.get(t);
            changes.put(t, old == null ? Change.ADD : Change.PUT);
            if (changes.size() >= FLUSH_AT) {
                flush();
            }
        }

        void delete(Timer t) {
            if (timers.remove(t)) {
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
            if (timers.isEmpty() || timers.first().timestamp > time) {
                return null;
            }
            Timer t = timers.pollFirst();
            removed(t);
            return t;
        }

        long next() {
            return timers.isEmpty() ? Long.MAX_VALUE : timers.first().timestamp;
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
