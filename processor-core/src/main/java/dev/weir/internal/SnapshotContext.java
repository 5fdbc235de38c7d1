package dev.weir.internal;

import dev.weir.Barrier;
import dev.weir.format.StateInfo;
import dev.weir.format.SubtaskSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Collects what the operators of one subtask contribute to one checkpoint. Task thread only. */
final class SnapshotContext {
    /** One operator's part of a subtask's acknowledgement. */
    record OperatorResult(
            String uid,
            int parallelism,
            List<StateInfo> states,
            SubtaskSnapshot snapshot,
            Optional<SubtaskSnapshot> savepoint) {
        /** A result that is the same in a checkpoint and a savepoint (no keyed state files). */
        OperatorResult(
                String uid, int parallelism, List<StateInfo> states, SubtaskSnapshot snapshot) {
            this(uid, parallelism, states, snapshot, Optional.empty());
        }

        SubtaskSnapshot savepointSnapshot() {
            return savepoint.orElse(snapshot);
        }
    }

    private final Barrier barrier;
    private final List<CompletableFuture<OperatorResult>> results = new ArrayList<>();
    private long downstreamWaitNanos;

    SnapshotContext(Barrier barrier) {
        this.barrier = barrier;
    }

    Barrier barrier() {
        return barrier;
    }

    long checkpointId() {
        return barrier.checkpointId();
    }

    void addResult(OperatorResult r) {
        results.add(CompletableFuture.completedFuture(r));
    }

    /** A result completed by the asynchronous part of the snapshot (uploads). */
    void addAsyncResult(CompletableFuture<OperatorResult> r) {
        results.add(r);
    }

    /**
     * Time an operator spent waiting for room in a full downstream channel while forwarding the
     * barrier: backpressure the next records would have met as well, not part of the pause.
     */
    void waitedForDownstream(long nanos) {
        downstreamWaitNanos += nanos;
    }

    long downstreamWaitNanos() {
        return downstreamWaitNanos;
    }

    CompletableFuture<List<OperatorResult>> all() {
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(v -> results.stream().map(CompletableFuture::join).toList());
    }
}
