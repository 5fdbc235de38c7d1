package dev.weir;

import dev.weir.state.KeyedStateStore;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The stateful operator after a {@code keyBy}. Each subtask gets its own instance (from the
 * supplier given to {@link KeyedStream#process}), used by one thread only, so fields need no
 * synchronization.
 *
 * <p>Call order on the subtask's thread: {@link #open} once (after state and timers were restored),
 * then {@link #process} for each record and {@link #onTimer} for each timer that fires, interleaved
 * in the order their causes arrive, then {@link #close}. State handles obtained in {@code open} are
 * scoped to the key of the record being processed or of the timer firing. An exception thrown from
 * any method fails the job into its restart strategy; the job then resumes from the last completed
 * checkpoint, so records may be processed again and timers fire again, but state, timers and
 * committed output always match the input offsets (docs/architecture.md §4, §11).
 *
 * @param <K> key of the input records (the keyBy's key)
 * @param <V> value of the input records
 * @param <KO> key of the output records
 * @param <VO> value of the output records
 */
public interface KeyedProcessFunction<K, V, KO, VO> {
    /** Declares state and meters; called once per subtask and attempt, before any record. */
    default void open(OpenContext context) throws Exception {}

    /** Called for each record, with state and timers scoped to {@code record.key()}. */
    void process(Record<K, V> record, Context<K, KO, VO> context) throws Exception;

    /**
     * Called when a timer registered for the current key fires: an event-time timer once the
     * watermark reached {@code timestamp}, a processing-time timer once the clock did. Timers of a
     * subtask fire in timestamp order; each (key, timestamp, domain) fires once.
     */
    default void onTimer(long timestamp, OnTimerContext<K, KO, VO> context) throws Exception {}

    default void close() throws Exception {}

    /** What {@link #open} sees. */
    interface OpenContext {
        /** Where to declare keyed state (value, list, map); declare it here, use it later. */
        KeyedStateStore state();

        SubtaskInfo subtask();

        /**
         * The job's meter registry (docs/operations.md, "Metrics"). Register meters here, tagged
         * with {@code operator} and {@code subtask} from {@link #subtask}; update them from the
         * function's calls.
         */
        MeterRegistry meterRegistry();
    }

    /** What {@link #process} sees: where output goes, the current key and the timers. */
    interface Context<K, KO, VO> extends Output<KO, VO> {
        /** The key state and timers are scoped to now. */
        K currentKey();

        /**
         * Emits {@code record} to the side output {@code tag} (see {@link DataStream#sideOutput}).
         */
        <K2, V2> void output(OutputTag<K2, V2> tag, Record<K2, V2> record);

        /** Timers of the current key, the current watermark and processing time. */
        TimerService timerService();
    }

    /** What {@link #onTimer} sees: the same as {@link Context}, and which kind of timer fired. */
    interface OnTimerContext<K, KO, VO> extends Context<K, KO, VO> {
        TimeDomain timeDomain();
    }
}
