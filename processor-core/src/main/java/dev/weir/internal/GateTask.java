package dev.weir.internal;

import dev.weir.Barrier;
import dev.weir.EndOfInput;
import dev.weir.Record;
import dev.weir.StreamElement;
import dev.weir.SubtaskInfo;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A subtask after a keyBy: reads its input gate (with barrier alignment) into the chain. */
final class GateTask extends Task {
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private InputGate gate;

    GateTask(
            SubtaskInfo info,
            int index,
            Wakeup wakeup,
            List<ChainOperator> chain,
            TaskListener listener,
            InstantSource clock) {
        super(info, index, wakeup, chain, listener, clock);
    }

    void setGate(InputGate gate) {
        this.gate = gate;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void runLoop() {
        while (!isCancelled()) {
            runMail();
            StreamElement e = gate.poll();
            if (e == null) {
                flushIdle();
                wakeup.reset();
                e = gate.poll();
                if (e == null) {
                    if (!hasMail()) {
                        awaitIdle(IDLE_WAIT_NANOS);
                    }
                    continue;
                }
            }
            if (e instanceof Record<?, ?> r) {
                emit((Record<Object, Object>) r);
            } else if (e instanceof Barrier b) {
                checkpoint(b, List.of(), gate.lastAlignmentMillis());
            } else if (e instanceof EndOfInput) {
                flushIdle();
                return;
            }
        }
    }
}
