package dev.weir.spi;

import java.time.Instant;

/**
 * A file in checkpoint storage as a listing reports it: its path relative to the storage root, its
 * length, and when it was last written (a local file's modification time, an S3 object's {@code
 * LastModified}).
 */
public record StoredFile(String path, long size, Instant lastModified) {
    public StoredFile {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("path must not be empty");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        java.util.Objects.requireNonNull(lastModified, "lastModified");
    }
}
