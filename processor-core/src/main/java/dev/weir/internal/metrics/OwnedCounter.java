package dev.weir.internal.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count that one thread at a time adds to — a task thread, on its hot path — and any thread
 * reads, at scrape time. An add is a plain add and an opaque store (no fence, no contention: on x86
 * the same instructions as {@code value += n}); a read sees a recent value, never a torn one. A
 * count passes from one owner to the next only across a happens-before edge (a restart joins the
 * old task threads before it starts the new ones).
 */
public final class OwnedCounter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(OwnedCounter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long value;

    /** Owner thread only. */
    public void add(long n) {
        VALUE.setOpaque(this, value + n);
    }

    /** Owner thread only. */
    public void increment() {
        VALUE.setOpaque(this, value + 1);
    }

    /** Owner thread only. */
    public void set(long v) {
        VALUE.setOpaque(this, v);
    }

    /** Any thread. */
    public long get() {
        return (long) VALUE.getOpaque(this);
    }
}
