package dev.weir.internal;

import dev.weir.Barrier;
import dev.weir.Record;
import dev.weir.SubtaskInfo;
import dev.weir.Watermark;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.SourceReader;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A source subtask: polls its reader and pushes each batch through the chain. Checkpoint triggers
 * arrive by mail between two batches, so the positions it snapshots are exactly those after the
 * last record it emitted before the barrier. After each poll it emits the watermark its splits
 * reached, if that moved ({@link SourceWatermarkTracker}).
 */
final class SourceTask extends Task {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(50);

    private final SourceReader<Object, Object> reader;
    private final LongAdder recordsIn;
    private final SourceWatermarkTracker watermarks;
    private final TreeMap<Long, Map<String, Long>> unconfirmed = new TreeMap<>();
    private boolean stopped;

    @SuppressWarnings("unchecked")
    SourceTask(
            SubtaskInfo info,
            int index,
            Wakeup wakeup,
            List<ChainOperator> chain,
            TaskListener listener,
            InstantSource clock,
            SourceReader<?, ?> reader,
            LongAdder recordsIn,
            SourceWatermarkTracker watermarks) {
        super(info, index, wakeup, chain, List.of(), listener, clock);
        this.reader = (SourceReader<Object, Object>) reader;
        this.recordsIn = recordsIn;
        this.watermarks = watermarks;
    }

    @Override
    protected void runLoop() {
        while (!isCancelled()) {
            runMail();
            if (stopped) {
                // Stopping with a savepoint: nothing after its barrier is read.
                wakeup.reset();
                if (!hasMail()) {
                    awaitIdle(POLL_TIMEOUT.toNanos());
                }
                continue;
            }
            long pollStart = metrics != null ? System.nanoTime() : 0;
            List<Record<Object, Object>> records = reader.poll(POLL_TIMEOUT);
            if (metrics != null) {
                if (records.isEmpty()) {
                    metrics.idle(System.nanoTime() - pollStart);
                }
                metrics.sourceRecordsOut().add(records.size());
            }
            if (watermarks.active()) {
                records = watermarks.ofUndeclaredReader(records);
            }
            for (Record<Object, Object> r : records) {
                emit(r);
            }
            recordsIn.add(records.size());
            Watermark w = watermarks.poll();
            if (w != null) {
                watermark(w);
            }
            flushIdle();
        }
    }

    /**
     * Called from the coordinator thread. With {@code stopAfter}, the source reads nothing after
     * this barrier (stop-with-savepoint).
     */
    void triggerCheckpoint(long id, long timestampMillis, boolean savepoint, boolean stopAfter) {
        post(
                () -> {
                    Map<String, Long> positions = reader.snapshotPositions(id);
                    unconfirmed.put(id, positions);
                    SnapshotContext.OperatorResult sourceState =
                            new SnapshotContext.OperatorResult(
                                    info.operatorUid(),
                                    info.parallelism(),
                                    List.of(),
                                    new SubtaskSnapshot(
                                            info.subtask(),
                                            Optional.empty(),
                                            List.of(),
                                            positions));
                    checkpoint(
                            new Barrier(id, timestampMillis, savepoint), List.of(sourceState), 0);
                    if (stopAfter) {
                        stopped = true;
                    }
                });
    }

    @Override
    protected void onCheckpointComplete(long id) {
        Map<String, Long> positions = unconfirmed.get(id);
        unconfirmed.headMap(id, true).clear();
        if (positions != null) {
            reader.notifyCheckpointComplete(id, positions);
        }
    }

    @Override
    protected void closeInput() {
        reader.close();
    }
}
