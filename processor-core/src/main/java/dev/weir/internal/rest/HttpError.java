package dev.weir.internal.rest;

import dev.weir.WeirException;
import java.util.Map;

/**
 * Ends a request with an HTTP status, extra response headers and {@code {"error": message}}. The
 * message is shown to the client: it must not hold the token.
 */
final class HttpError extends WeirException {
    private final int status;
    private final Map<String, String> headers;

    HttpError(int status, String message) {
        this(status, message, Map.of());
    }

    HttpError(int status, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers;
    }
}
