package dev.weir;

import dev.weir.state.KeyedStateStore;

/**
 * The stateful operator after a {@code keyBy}. Each subtask gets its own instance (from the
 * supplier given to {@link KeyedStream#process}), used by one thread only, so fields need no
 * synchronization.
 *
 * <p>Call order on the subtask's thread: {@link #open} once (after state was restored), then {@link
 * #process} for each record, then {@link #close}. State handles obtained in {@code open} are scoped
 * to the key of the record being processed. An exception thrown from any method fails the job into
 * its restart strategy; the job then resumes from the last completed checkpoint, so records may be
 * processed again but state always matches the input offsets.
 */
public interface KeyedProcessFunction<K, V, KO, VO> {
    default void open(KeyedStateStore state, SubtaskInfo subtask) throws Exception {}

    void process(Record<K, V> record, Output<KO, VO> out) throws Exception;

    default void close() throws Exception {}
}
