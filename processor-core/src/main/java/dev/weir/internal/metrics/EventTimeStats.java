package dev.weir.internal.metrics;

/**
 * What an operator subtask tells about event time. Any thread may call these, at any time, also
 * after the subtask ended: they read values its thread publishes.
 */
public interface EventTimeStats {
    /** The watermark the subtask's input reached; {@link Long#MIN_VALUE} before the first. */
    long inputWatermark();

    /** The watermark the subtask passed on; {@link Long#MIN_VALUE} before the first. */
    long outputWatermark();

    /** Event-time timers pending; 0 for an operator without timers. */
    long eventTimeTimers();

    /** Processing-time timers pending; 0 for an operator without timers. */
    long processingTimeTimers();
}
