package dev.weir.state;

import java.util.List;

/** A list per key. Reads and writes apply to the key of the record being processed. */
public interface ListState<T> {
    /** An unmodifiable snapshot of the list; empty when the key has none. */
    List<T> get();

    void add(T element);

    void update(List<T> elements);

    void clear();
}
