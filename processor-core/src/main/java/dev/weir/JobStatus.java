package dev.weir;

/** Lifecycle of a running job. */
public enum JobStatus {
    /** Restoring state and starting subtasks. */
    STARTING,
    RUNNING,
    /** A subtask failed; waiting for the restart strategy's pause before restoring. */
    RESTARTING,
    /** Stopped on request. */
    STOPPED,
    /** Failed and the restart strategy gave up, or the failure cannot be fixed by a restart. */
    FAILED
}
