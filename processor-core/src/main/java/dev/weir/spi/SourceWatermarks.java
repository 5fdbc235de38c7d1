package dev.weir.spi;

import dev.weir.Record;
import java.util.Collection;

/**
 * Event time of one source subtask, kept per split by the runtime from the job's {@link
 * dev.weir.WatermarkStrategy} ({@link SourceContext#watermarks()}). A reader that knows its splits
 * declares them ({@link #assigned}) and passes every record it returns through its split's {@link
 * Split#onRecord}; the runtime then emits the minimum of the splits' watermarks after each poll. A
 * reader that does neither has all its records counted as one split. Used on the subtask's thread
 * only.
 */
public interface SourceWatermarks {
    /**
     * The splits the reader owns now (all of them, after every change of its assignment). A subtask
     * that owns none is idle: it does not hold back the watermark of the operators after it.
     */
    void assigned(Collection<String> splitIds);

    /** The split {@code splitId}, which must have been {@link #assigned}. */
    Split split(String splitId);

    /** One split's event time. */
    interface Split {
        /**
         * Gives {@code record} its event time (the strategy's timestamp assigner, else its own
         * timestamp) and advances the split's watermark; returns the record to emit.
         */
        <K, V> Record<K, V> onRecord(Record<K, V> record);
    }
}
