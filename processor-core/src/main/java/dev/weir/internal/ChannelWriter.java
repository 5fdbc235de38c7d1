package dev.weir.internal;

import dev.weir.StreamElement;
import dev.weir.WeirException;
import dev.weir.internal.metrics.OwnedCounter;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/** The sending end of a {@link Channel}: collects elements into batches. Task thread only. */
final class ChannelWriter {
    private final Channel channel;
    private final int batchSize;
    private final BooleanSupplier cancelled;
    private StreamElement[] buffer;
    private int count;
    private long blockedNanos;
    private final OwnedCounter backpressured;

    ChannelWriter(Channel channel, int batchSize, BooleanSupplier cancelled) {
        this(channel, batchSize, cancelled, new OwnedCounter());
    }

    /** {@code backpressured}: where the task's waiting for room is counted too (its metrics). */
    ChannelWriter(
            Channel channel, int batchSize, BooleanSupplier cancelled, OwnedCounter backpressured) {
        this.backpressured = backpressured;
        this.channel = channel;
        this.batchSize = batchSize;
        this.cancelled = cancelled;
        this.buffer = new StreamElement[batchSize];
    }

    void add(StreamElement e) {
        buffer[count++] = e;
        if (count == batchSize) {
            StreamElement[] full = buffer;
            buffer = new StreamElement[batchSize];
            count = 0;
            send(full);
        }
    }

    void flush() {
        if (count > 0) {
            StreamElement[] partial = Arrays.copyOf(buffer, count);
            Arrays.fill(buffer, 0, count, null);
            count = 0;
            send(partial);
        }
    }

    /** Time spent waiting for room in the full channel, since this writer was created. */
    long blockedNanos() {
        return blockedNanos;
    }

    private void send(StreamElement[] batch) {
        if (channel.trySend(batch)) {
            return;
        }
        long start = System.nanoTime();
        try {
            if (!channel.send(batch, cancelled)) {
                throw new TaskCancelledException();
            }
            long waited = System.nanoTime() - start;
            blockedNanos += waited;
            backpressured.add(waited);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskCancelledException();
        }
    }

    /** Thrown on a task thread to unwind it when the task is cancelled. */
    static final class TaskCancelledException extends WeirException {
        TaskCancelledException() {
            super("task cancelled");
        }
    }
}
