package dev.weir.internal;

import dev.weir.Barrier;
import dev.weir.KeySelector;
import dev.weir.Record;
import dev.weir.StateSerializer;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.format.KeyGroups;

/**
 * The end of a stage before a keyBy: re-keys each record and sends it to the subtask that owns its
 * key group. At a barrier it flushes every channel and then sends the barrier on all of them.
 */
final class KeyByRouter extends ChainOperator {
    private final KeySelector<Object, Object, Object> selector;
    private final StateSerializer<Object> keySerde;
    private final ChannelWriter[] writers;
    private final int maxParallelism;
    private final SubtaskInfo where;

    @SuppressWarnings("unchecked")
    KeyByRouter(
            KeySelector<?, ?, ?> selector,
            StateSerializer<?> keySerde,
            ChannelWriter[] writers,
            int maxParallelism,
            SubtaskInfo where) {
        this.selector = (KeySelector<Object, Object, Object>) selector;
        this.keySerde = (StateSerializer<Object>) keySerde;
        this.writers = writers;
        this.maxParallelism = maxParallelism;
        this.where = where;
    }

    @Override
    public void emit(Record<Object, Object> r) {
        Object key;
        try {
            key = selector.key(r);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw StatelessOperators.userFailure(where, "key selector", e);
        }
        if (key == null) {
            throw new WeirException(
                    where
                            + ": keyBy produced a null key for a record with timestamp "
                            + r.timestamp());
        }
        int kg = KeyGroups.keyGroupFor(keySerde.serialize(key), maxParallelism);
        writers[KeyGroups.subtaskFor(kg, maxParallelism, writers.length)].add(
                key == r.key() ? r : r.withKey(key));
    }

    @Override
    void snapshot(SnapshotContext ctx) {
        Barrier b = ctx.barrier();
        for (ChannelWriter w : writers) {
            long blocked = w.blockedNanos();
            w.add(b);
            w.flush();
            ctx.waitedForDownstream(w.blockedNanos() - blocked);
        }
    }

    /** Every subtask of the next stage gets the watermark, behind the records before it. */
    @Override
    void watermark(dev.weir.Watermark w) {
        for (ChannelWriter writer : writers) {
            writer.add(w);
        }
    }

    @Override
    void flushIdle() {
        for (ChannelWriter w : writers) {
            w.flush();
        }
    }
}
