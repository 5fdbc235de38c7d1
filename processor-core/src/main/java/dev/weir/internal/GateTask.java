package dev.weir.internal;

import dev.weir.Barrier;
import dev.weir.EndOfInput;
import dev.weir.Record;
import dev.weir.StreamElement;
import dev.weir.SubtaskInfo;
import dev.weir.Watermark;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A subtask after a keyBy: reads its input gate (with barrier alignment and watermarks) into the
 * chain, and fires processing-time timers when the clock passes them: it looks at the clock every
 * {@value #CLOCK_EVERY} elements and whenever its input runs dry, and waits no longer than until
 * the next timer.
 */
final class GateTask extends Task {
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final int CLOCK_EVERY = 128;

    private InputGate gate;

    GateTask(
            SubtaskInfo info,
            int index,
            Wakeup wakeup,
            List<ChainOperator> chain,
            List<Branch> branches,
            TaskListener listener,
            InstantSource clock) {
        super(info, index, wakeup, chain, branches, listener, clock);
    }

    void setGate(InputGate gate) {
        this.gate = gate;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void runLoop() {
        int sinceClock = 0;
        while (!isCancelled()) {
            runMail();
            if (++sinceClock == CLOCK_EVERY) {
                sinceClock = 0;
                processingTime();
            }
            StreamElement e = gate.poll();
            if (e == null) {
                long untilTimer = processingTime();
                flushIdle();
                wakeup.reset();
                e = gate.poll();
                if (e == null) {
                    if (!hasMail()) {
                        awaitIdle(Math.min(IDLE_WAIT_NANOS, untilTimer));
                    }
                    continue;
                }
            }
            if (e instanceof Record<?, ?> r) {
                emit((Record<Object, Object>) r);
            } else if (e instanceof Watermark w) {
                watermark(w);
            } else if (e instanceof Barrier b) {
                checkpoint(b, List.of(), gate.lastAlignmentMillis());
            } else if (e instanceof EndOfInput) {
                flushIdle();
                return;
            }
        }
    }

    /** Fires due processing-time timers; returns the nanos until the next one. */
    private long processingTime() {
        long next = nextProcessingTimer();
        if (next == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long now = clock.millis();
        if (now >= next) {
            onProcessingTime(now);
            next = nextProcessingTimer();
            if (next == Long.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
        }
        return TimeUnit.MILLISECONDS.toNanos(Math.max(1, next - now));
    }
}
