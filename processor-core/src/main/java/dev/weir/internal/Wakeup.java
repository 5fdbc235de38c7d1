package dev.weir.internal;

import java.util.concurrent.locks.LockSupport;

/** Lets other threads wake a task thread that waits for input or mail. */
final class Wakeup {
    private volatile Thread owner;
    private volatile boolean signalled;

    void bind(Thread thread) {
        owner = thread;
    }

    void signal() {
        signalled = true;
        Thread t = owner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Clears the signal; call before checking for work, then {@link #await} if there was none. */
    void reset() {
        signalled = false;
    }

    void await(long nanos) {
        if (!signalled) {
            LockSupport.parkNanos(this, nanos);
        }
    }
}
