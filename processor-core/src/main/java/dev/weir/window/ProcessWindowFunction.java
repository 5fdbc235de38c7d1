package dev.weir.window;

import dev.weir.Output;

/**
 * Turns a fired window into output records. Called on the subtask's thread once per window, when it
 * fires (see {@link WindowedStream} for when that is), with the window's elements: all of them in
 * arrival order ({@link WindowedStream#process}) or the one result of an aggregation ({@link
 * WindowedStream#aggregate(String, AggregateFunction, dev.weir.StateSerializer,
 * ProcessWindowFunction)}). It may emit any number of records with any keys and timestamps; {@code
 * window.maxTimestamp()} is the usual timestamp. The elements and the output are valid during the
 * call only. An exception fails the job into its restart strategy.
 *
 * @param <K> the key of the window
 * @param <IN> the elements it is given
 * @param <KO> key of the output records
 * @param <VO> value of the output records
 */
@FunctionalInterface
public interface ProcessWindowFunction<K, IN, KO, VO> {
    void process(K key, TimeWindow window, Iterable<IN> elements, Output<KO, VO> out)
            throws Exception;
}
