package dev.weir.serdes.registry;

import java.time.Duration;

/**
 * The registry stayed unreachable or overloaded (connection refused or reset, timeouts, HTTP 408,
 * 429 or 5xx) on every URL through all retries of one call: the condition is transient, so the
 * caller should wait and call again later (a source pauses and keeps checkpointing) rather than
 * fail the job or skip the record. The cause is the last failure.
 */
public final class TransientRegistryException extends SchemaRegistryException {
    private final int attempts;
    private final Duration elapsed;

    public TransientRegistryException(
            String message, int status, int attempts, Duration elapsed, Throwable cause) {
        super(message, status, 0, cause);
        this.attempts = attempts;
        this.elapsed = elapsed;
    }

    /** The requests made before giving up, over all URLs. */
    public int attempts() {
        return attempts;
    }

    /** The time from the first request to giving up. */
    public Duration elapsed() {
        return elapsed;
    }
}
