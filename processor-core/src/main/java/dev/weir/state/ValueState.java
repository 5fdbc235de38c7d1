package dev.weir.state;

import java.util.Optional;

/**
 * One value per key. Reads and writes apply to the key of the record being processed. A read
 * returns a value of its own: changing it changes the state only when it is passed to {@link
 * #update}.
 */
public interface ValueState<T> {
    Optional<T> value();

    /** The value, or {@code fallback} when the key has none; without an {@link Optional}. */
    T valueOrElse(T fallback);

    void update(T value);

    void clear();
}
