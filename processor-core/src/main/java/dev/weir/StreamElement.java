package dev.weir;

/**
 * What flows between operators: data records and the control elements that travel in line with
 * them. Control elements never overtake records on a channel.
 */
public sealed interface StreamElement permits Record, Barrier, Watermark, EndOfInput {}
