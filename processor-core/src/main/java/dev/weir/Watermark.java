package dev.weir;

/** Event-time progress: no record with a smaller timestamp follows on this channel. */
public record Watermark(long timestampMillis) implements StreamElement {}
