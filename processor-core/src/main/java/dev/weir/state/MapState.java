package dev.weir.state;

import java.util.Map;
import java.util.Optional;

/** A map per key. Reads and writes apply to the key of the record being processed. */
public interface MapState<UK, UV> {
    Optional<UV> get(UK userKey);

    void put(UK userKey, UV value);

    void remove(UK userKey);

    boolean contains(UK userKey);

    /** The entries in the byte order of their serialized user keys. */
    Iterable<Map.Entry<UK, UV>> entries();

    boolean isEmpty();

    void clear();
}
