package dev.weir;

/** The clock a timer follows. */
public enum TimeDomain {
    /** The watermark: event time, from the records' timestamps. */
    EVENT_TIME,
    /** The job's clock (an injected {@link java.time.InstantSource}; the system clock in jobs). */
    PROCESSING_TIME
}
