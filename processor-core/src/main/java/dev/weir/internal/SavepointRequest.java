package dev.weir.internal;

import dev.weir.WeirException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A savepoint or stop-with-savepoint asked of a {@link JobRunner}, followed from submission to its
 * end. It waits ({@link Phase#PENDING}) while the job starts or restarts, is handed to the attempt
 * once that runs ({@link Phase#IN_PROGRESS}), and ends {@link Phase#COMPLETED} with the savepoint's
 * location — for a stop, once the job stopped — or {@link Phase#FAILED} with the reason. If the
 * attempt fails before the savepoint completed, the request goes back to waiting and is handed to
 * the next attempt; it fails when the job stops or fails for good first, or when it is cancelled
 * while it waits.
 *
 * <p>Thread-safe: the runner's {@link SavepointQueue} changes it under its lock, anyone may read.
 */
public final class SavepointRequest {
    /** Where a request is; the last two are final. */
    public enum Phase {
        PENDING,
        IN_PROGRESS,
        COMPLETED,
        FAILED
    }

    /** Thrown instead of accepting a request that cannot be carried out: the reason says why. */
    public static final class Refused extends WeirException {
        Refused(String message) {
            super(message);
        }
    }

    private final String id = UUID.randomUUID().toString();
    private final String directory;
    private final boolean stopAfter;
    private final long submittedMillis;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private volatile int attempt;
    private volatile String detail;
    private volatile String location;

    SavepointRequest(String directory, boolean stopAfter, long submittedMillis, String detail) {
        this.directory = directory;
        this.stopAfter = stopAfter;
        this.submittedMillis = submittedMillis;
        this.detail = detail;
    }

    /** A random UUID, unique among the requests of this process. */
    public String id() {
        return id;
    }

    /** The directory the savepoint goes under (already defaulted to {@code savepoint.dir}). */
    public String directory() {
        return directory;
    }

    /** True for a stop-with-savepoint. */
    public boolean stopAfter() {
        return stopAfter;
    }

    public long submittedMillis() {
        return submittedMillis;
    }

    public Phase phase() {
        if (result.isDone()) {
            return result.isCompletedExceptionally() ? Phase.FAILED : Phase.COMPLETED;
        }
        return attempt > 0 ? Phase.IN_PROGRESS : Phase.PENDING;
    }

    /**
     * What the request waits for, or how it ended, in words: "waiting for the job to run (it is
     * RESTARTING)", "savepoint complete; the job is stopping".
     */
    public String detail() {
        return detail;
    }

    /**
     * The savepoint's location once it is complete — for a stop already while the job is still
     * stopping.
     */
    public Optional<String> location() {
        return Optional.ofNullable(location);
    }

    /** The reason, once the request failed. */
    public Optional<String> failure() {
        if (!result.isCompletedExceptionally()) {
            return Optional.empty();
        }
        try {
            result.get();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.of(message(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /**
     * A view of the outcome: completes with the location or fails with the reason. Completing or
     * cancelling the view does not change the request.
     */
    public CompletableFuture<String> result() {
        return result.copy();
    }

    // Changed by SavepointQueue, under its lock.

    int attempt() {
        return attempt;
    }

    void handedTo(int attemptNumber) {
        attempt = attemptNumber;
        detail = "taken by attempt " + attemptNumber;
    }

    void waitAgain(String why) {
        attempt = 0;
        detail = why;
    }

    void savepointWritten(String at) {
        location = at;
        detail = "savepoint complete; the job is stopping";
    }

    void complete(String at) {
        location = at;
        detail = "completed";
        result.complete(at);
    }

    void fail(String why) {
        detail = why;
        result.completeExceptionally(new WeirException(why));
    }

    boolean isDone() {
        return result.isDone();
    }

    /** The message of a failure, through the wrappers that futures add. */
    static String message(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null
                && (c instanceof CompletionException || c instanceof ExecutionException)) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
