package dev.weir.internal.rest;

import com.sun.net.httpserver.HttpExchange;
import dev.weir.config.RestOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks a request passes before the endpoint acts on it. Every request: a bounded URI and
 * body, and — when the endpoint listens on a loopback address — a {@code Host} that names this
 * machine, so a web page cannot reach it by DNS rebinding. Requests that change the job (POST)
 * also: no {@code Origin} but the endpoint's own (a page on another site, or a sandboxed one, is
 * refused), a body that is empty or {@code application/json} (what an HTML form can send is
 * refused, and anything else makes a browser ask first, which the endpoint never allows), and the
 * bearer token when one is configured. GET requests only read and need no token.
 */
final class RequestGuard {
    static final int MAX_BODY_BYTES = 4096;
    static final int MAX_URI_CHARS = 2048;
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");

    private final RestSettings settings;

    RequestGuard(RestSettings settings) {
        this.settings = settings;
    }

    /** Checks that apply to every request; throws {@link HttpError} 414, 413 or 403. */
    void admit(HttpExchange ex) {
        if (ex.getRequestURI().toString().length() > MAX_URI_CHARS) {
            throw new HttpError(
                    414, "the request URI is longer than " + MAX_URI_CHARS + " characters");
        }
        declaredLength(ex)
                .filter(n -> n > MAX_BODY_BYTES)
                .ifPresent(
                        n -> {
                            throw tooLarge();
                        });
        String host = ex.getRequestHeaders().getFirst("Host");
        if (settings.loopback() && host != null && !isLoopbackName(hostName(host))) {
            throw new HttpError(
                    403,
                    "Host '"
                            + host
                            + "' does not name this endpoint, which listens on a loopback address"
                            + " (a web page reaching it through DNS rebinding?); use localhost or"
                            + " 127.0.0.1");
        }
    }

    /** Allows only the methods in {@code allowed}; 405 with {@code Allow} otherwise. */
    static void method(HttpExchange ex, Set<String> allowed) {
        if (!allowed.contains(ex.getRequestMethod())) {
            String allow = String.join(", ", allowed.stream().sorted().toList());
            throw new HttpError(
                    405,
                    ex.getRequestMethod() + " is not allowed here; use " + allow,
                    Map.of("Allow", allow));
        }
    }

    /**
     * The checks of a request that changes the job, after {@link #admit}; returns the members of
     * its JSON body (none if it is empty).
     *
     * @throws HttpError 403 for another origin, 401 without the token, 415 for a body that is not
     *     JSON, 413 for a body too large, 400 for JSON that is not a flat object of strings
     */
    Map<String, String> admitChange(HttpExchange ex) {
        checkOrigin(ex);
        checkToken(ex);
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null && !mediaType(type).equals("application/json")) {
            throw new HttpError(
                    415,
                    "a POST body must be application/json or empty, got Content-Type " + type,
                    Map.of("Accept-Post", "application/json"));
        }
        String body = readBody(ex);
        if (!body.isEmpty() && type == null) {
            throw new HttpError(
                    415,
                    "a POST body needs Content-Type: application/json",
                    Map.of("Accept-Post", "application/json"));
        }
        try {
            return Json.parseFlatObject(body);
        } catch (IllegalArgumentException e) {
            throw new HttpError(
                    400, "the body is not a flat JSON object of strings: " + e.getMessage());
        }
    }

    private void checkOrigin(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin == null) {
            return;
        }
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null || !origin.equalsIgnoreCase("http://" + host)) {
            throw new HttpError(
                    403,
                    "a request from a web page of origin "
                            + origin
                            + " may not change the job; only clients that send no Origin (or this"
                            + " endpoint's own) may");
        }
    }

    private void checkToken(HttpExchange ex) {
        Optional<BearerToken> token = settings.token();
        if (token.isEmpty()) {
            return;
        }
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (!token.get().acceptedIn(authorization)) {
            String how =
                    "send 'Authorization: Bearer <token>' with the token of config key '"
                            + RestOptions.AUTH_TOKEN.key()
                            + "' or '"
                            + RestOptions.AUTH_TOKEN_FILE.key()
                            + "'";
            throw authorization == null
                    ? new HttpError(
                            401,
                            "this endpoint requires a bearer token to change the job: " + how,
                            Map.of("WWW-Authenticate", "Bearer realm=\"weir\""))
                    : new HttpError(
                            401,
                            "the bearer token is wrong: " + how,
                            Map.of(
                                    "WWW-Authenticate",
                                    "Bearer realm=\"weir\", error=\"invalid_token\""));
        }
    }

    private static String readBody(HttpExchange ex) {
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
    }

    private static Optional<Long> declaredLength(HttpExchange ex) {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(length.strip()));
        } catch (NumberFormatException e) {
            throw new HttpError(400, "Content-Length is not a number");
        }
    }

    private static HttpError tooLarge() {
        return new HttpError(413, "the request body is larger than " + MAX_BODY_BYTES + " bytes");
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .strip()
                .toLowerCase(Locale.ROOT);
    }

    /** The host of a {@code Host} header: {@code [::1]:8081} is {@code [::1]}. */
    static String hostName(String hostHeader) {
        String h = hostHeader.strip();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    static boolean isLoopbackName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost")
                || h.endsWith(".localhost")
                || h.equals("[::1]")
                || LOOPBACK_V4.matcher(h).matches();
    }
}
