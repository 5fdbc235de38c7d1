package dev.weir.state;

/**
 * Gives a keyed operator its state handles. Call it in {@code open}; the same descriptor name
 * returns the same state. A name reused with a different kind fails.
 */
public interface KeyedStateStore {
    <T> ValueState<T> valueState(ValueStateDescriptor<T> descriptor);

    <T> ListState<T> listState(ListStateDescriptor<T> descriptor);

    <UK, UV> MapState<UK, UV> mapState(MapStateDescriptor<UK, UV> descriptor);
}
