package dev.weir;

/**
 * A failure that a restart cannot fix — a checkpoint of an incompatible job, configuration the
 * cluster rejects, another live process running the same job. The job fails for good instead of
 * entering its restart strategy, and the message says what to change.
 */
public class UnrecoverableJobException extends WeirException {
    public UnrecoverableJobException(String message) {
        super(message);
    }

    public UnrecoverableJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
