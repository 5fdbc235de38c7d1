package dev.weir.window;

/**
 * Folds the values of a window into an accumulator, which is window state between records (stored
 * with the serializer given to {@code aggregate}), and turns it into the window's result when it
 * fires. Per window: {@link #createAccumulator} once, {@link #add} per record, {@link #getResult}
 * once; for session windows, {@link #merge} when two windows of a key merge. All on the subtask's
 * thread. An accumulator may be changed in place and returned, but never null. An exception fails
 * the job into its restart strategy.
 *
 * @param <IN> the values aggregated
 * @param <ACC> the accumulator
 * @param <R> the result
 */
public interface AggregateFunction<IN, ACC, R> {
    ACC createAccumulator();

    /** Adds {@code value} to {@code accumulator}; returns the accumulator to keep. */
    ACC add(IN value, ACC accumulator) throws Exception;

    R getResult(ACC accumulator) throws Exception;

    /**
     * Combines the accumulators of two merging session windows, {@code a} the earlier one. Never
     * called for tumbling or sliding windows; the default fails, for functions used only there.
     */
    default ACC merge(ACC a, ACC b) throws Exception {
        throw new UnsupportedOperationException(
                getClass().getName() + " does not implement merge(), which session windows need");
    }
}
