package dev.weir.internal;

import dev.weir.StreamElement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A bounded single-producer, single-consumer channel of element batches between two subtasks. A
 * full channel makes the sender wait: that is the job's backpressure.
 */
final class Channel {
    private final ArrayBlockingQueue<StreamElement[]> queue;
    private final Wakeup receiver;

    Channel(int capacityBatches, Wakeup receiver) {
        this.queue = new ArrayBlockingQueue<>(capacityBatches);
        this.receiver = receiver;
    }

    /** Hands a batch over if the channel has room; false if it is full. */
    boolean trySend(StreamElement[] batch) {
        if (!queue.offer(batch)) {
            return false;
        }
        receiver.signal();
        return true;
    }

    /**
     * Hands a batch over, waiting while the channel is full.
     *
     * @return false if {@code cancelled} turned true while waiting
     */
    boolean send(StreamElement[] batch, BooleanSupplier cancelled) throws InterruptedException {
        while (!queue.offer(batch, 20, TimeUnit.MILLISECONDS)) {
            if (cancelled.getAsBoolean()) {
                return false;
            }
        }
        receiver.signal();
        return true;
    }

    StreamElement[] poll() {
        return queue.poll();
    }
}
