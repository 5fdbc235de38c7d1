package dev.weir;

/**
 * Event-time progress: no record with a timestamp at or below {@code timestampMillis} follows on
 * this channel (a record that does is late). An idle watermark says the channel's sender has no
 * input now (every split it reads is idle): the receiver leaves the channel out of its minimum
 * until the next watermark that is not idle.
 */
public record Watermark(long timestampMillis, boolean idle) implements StreamElement {
    /** The marker of an idle sender. */
    public static final Watermark IDLE = new Watermark(Long.MIN_VALUE, true);

    public Watermark(long timestampMillis) {
        this(timestampMillis, false);
    }

    public Watermark {
        if (idle && timestampMillis != Long.MIN_VALUE) {
            throw new IllegalArgumentException("an idle watermark carries no timestamp");
        }
    }
}
