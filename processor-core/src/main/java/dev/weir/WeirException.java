package dev.weir;

/**
 * Root of every exception Weir throws. Unchecked: failures of a job end in its restart strategy.
 */
public class WeirException extends RuntimeException {
    public WeirException(String message) {
        super(message);
    }

    public WeirException(String message, Throwable cause) {
        super(message, cause);
    }
}
