package dev.weir.format;

import dev.weir.WeirException;

/** A metadata file that cannot be read: damaged, truncated, or of an unknown format version. */
public class MetadataFormatException extends WeirException {
    public MetadataFormatException(String message) {
        super(message);
    }

    public MetadataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
