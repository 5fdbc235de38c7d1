package dev.weir.state;

import java.util.Optional;

/** One value per key. Reads and writes apply to the key of the record being processed. */
public interface ValueState<T> {
    Optional<T> value();

    /** The value, or {@code fallback} when the key has none; allocates nothing. */
    T valueOrElse(T fallback);

    void update(T value);

    void clear();
}
