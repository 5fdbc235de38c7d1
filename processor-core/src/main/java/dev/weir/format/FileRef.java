package dev.weir.format;

/**
 * A data file of a checkpoint or savepoint: its path relative to the directory that holds the
 * {@code _metadata} file, its length and its CRC-32, checked on restore.
 */
public record FileRef(String path, long size, int crc32) {
    public FileRef {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\")) {
            throw new IllegalArgumentException("file path must be relative, got '" + path + "'");
        }
        if (size < 0) {
            throw new IllegalArgumentException("file size must be >= 0, got " + size);
        }
    }
}
