package dev.weir.internal.rest;

import dev.weir.internal.SavepointRequest;

/**
 * What the endpoint asks of the job for savepoints; {@link dev.weir.internal.JobRunner} does it.
 */
public interface SavepointControl {
    /**
     * Submits a savepoint (or, with {@code stopAfter}, a stop-with-savepoint); it is taken once the
     * job runs. Returns at once.
     *
     * @param directory null for {@code savepoint.dir}
     * @throws SavepointRequest.Refused with the reason, if it cannot be carried out
     */
    SavepointRequest requestSavepoint(String directory, boolean stopAfter);

    /**
     * Tells {@code listener} of every request made from now on, also through the API ({@code
     * RunningJob.triggerSavepoint}), on the thread that made it.
     */
    default void onRequest(java.util.function.Consumer<SavepointRequest> listener) {}

    /** Cancels a request that still waits for the job to run; false if it started or ended. */
    boolean cancelSavepoint(SavepointRequest request);
}
