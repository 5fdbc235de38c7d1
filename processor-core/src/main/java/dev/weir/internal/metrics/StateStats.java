package dev.weir.internal.metrics;

/**
 * What a keyed state backend tells about itself. Any thread may call these, at any time, also after
 * the backend closed: they read values its owner keeps, never the store itself.
 */
public interface StateStats {
    /** Reads of state through the cache, since the backend opened. */
    long cacheLookups();

    /** Those of {@link #cacheLookups} the cache did not hold, read from the store. */
    long cacheMisses();

    /**
     * A RocksDB property summed over the backend's column families, as last sampled (at open and
     * after each snapshot), e.g. {@code rocksdb.total-sst-files-size}; -1 before the first sample.
     */
    long property(String name);
}
