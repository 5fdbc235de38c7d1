package dev.weir.internal;

import dev.weir.config.RestartOptions;
import dev.weir.config.WeirConfig;

/**
 * Decides whether and after what pause a failed job restarts. Used by the job's runner thread only.
 */
final class RestartStrategy {
    private final RestartOptions.Strategy kind;
    private final int maxAttempts;
    private final long fixedDelay;
    private final long initial;
    private final long max;
    private final double multiplier;
    private final long resetAfter;
    private int failures;
    private long currentBackoff;

    RestartStrategy(WeirConfig config) {
        this.kind = config.get(RestartOptions.STRATEGY);
        this.maxAttempts = config.get(RestartOptions.FIXED_DELAY_ATTEMPTS);
        this.fixedDelay = config.get(RestartOptions.FIXED_DELAY_MS);
        this.initial = config.get(RestartOptions.BACKOFF_INITIAL_MS);
        this.max = config.get(RestartOptions.BACKOFF_MAX_MS);
        this.multiplier = config.get(RestartOptions.BACKOFF_MULTIPLIER);
        this.resetAfter = config.get(RestartOptions.BACKOFF_RESET_MS);
    }

    /**
     * @param ranMillis how long the failed attempt ran
     * @return the pause before the next attempt, or -1 to give up
     */
    long onFailure(long ranMillis) {
        failures++;
        switch (kind) {
            case NONE:
                return -1;
            case FIXED_DELAY:
                return failures > maxAttempts ? -1 : fixedDelay;
            default:
                if (ranMillis >= resetAfter || currentBackoff == 0) {
                    currentBackoff = initial;
                } else {
                    currentBackoff = Math.min(max, (long) (currentBackoff * multiplier));
                }
                return currentBackoff;
        }
    }

    String describe() {
        return dev.weir.config.ConfigOption.enumName(kind)
                + (kind == RestartOptions.Strategy.FIXED_DELAY
                        ? " (restart.fixed-delay.attempts=" + maxAttempts + ")"
                        : "");
    }
}
