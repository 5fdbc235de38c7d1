package dev.weir;

/**
 * Timers of the current key, and the two clocks they follow. Timers are keyed state: they are part
 * of every checkpoint and savepoint and move with their key group on a rescale. A timer is
 * identified by key, timestamp and domain, so registering the same one twice keeps one, and
 * deleting one that does not exist does nothing. Use it on the subtask's thread, from {@code
 * process} or {@code onTimer} only.
 */
public interface TimerService {
    /**
     * The operator's current event time: the minimum over its inputs of the watermarks received
     * ({@link Long#MIN_VALUE} before the first). Every record with a timestamp at or below it is
     * late.
     */
    long currentWatermark();

    /** The job clock's time in epoch millis. */
    long currentProcessingTime();

    /**
     * Fires {@code onTimer(timestamp)} for the current key once the watermark reaches {@code
     * timestamp} (at once, with the next watermark, if it already has).
     */
    void registerEventTimeTimer(long timestamp);

    /** Fires {@code onTimer(timestamp)} for the current key once the clock reaches it. */
    void registerProcessingTimeTimer(long timestamp);

    void deleteEventTimeTimer(long timestamp);

    void deleteProcessingTimeTimer(long timestamp);
}
