package dev.weir.window;

/**
 * What a window operator that keeps one accumulator per window does with it: the common shape of
 * {@link ReduceFunction} and {@link AggregateFunction}.
 */
interface Aggregation<V, ACC, R> {
    /** Adds {@code value} to {@code acc}, which is null for a window's first record. */
    ACC add(V value, ACC acc) throws Exception;

    ACC merge(ACC a, ACC b) throws Exception;

    R result(ACC acc) throws Exception;

    static <V> Aggregation<V, V, V> of(ReduceFunction<V> fn) {
        return new Aggregation<>() {
            @Override
            public V add(V value, V acc) throws Exception {
                return acc == null ? value : fn.reduce(acc, value);
            }

            @Override
            public V merge(V a, V b) throws Exception {
                return fn.reduce(a, b);
            }

            @Override
            public V result(V acc) {
                return acc;
            }
        };
    }

    static <V, ACC, R> Aggregation<V, ACC, R> of(AggregateFunction<V, ACC, R> fn) {
        return new Aggregation<>() {
            @Override
            public ACC add(V value, ACC acc) throws Exception {
                return fn.add(value, acc == null ? fn.createAccumulator() : acc);
            }

            @Override
            public ACC merge(ACC a, ACC b) throws Exception {
                return fn.merge(a, b);
            }

            @Override
            public R result(ACC acc) throws Exception {
                return fn.getResult(acc);
            }
        };
    }
}
