package dev.weir;

/** The channel carries nothing more. */
public record EndOfInput() implements StreamElement {
    public static final EndOfInput INSTANCE = new EndOfInput();
}
