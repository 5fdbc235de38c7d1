package dev.weir.spi;

import dev.weir.WeirException;

/** A checkpoint file that is missing or damaged; restore falls back to an older checkpoint. */
public class CorruptCheckpointException extends WeirException {
    public CorruptCheckpointException(String message) {
        super(message);
    }

    public CorruptCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
