package dev.weir.serdes.registry.internal;

import dev.weir.serdes.registry.IncompatibleSchemaException;
import dev.weir.serdes.registry.InvalidSchemaException;
import dev.weir.serdes.registry.RegistryRequestException;
import dev.weir.serdes.registry.RegistryTime;
import dev.weir.serdes.registry.SchemaNotFoundException;
import dev.weir.serdes.registry.SchemaRegistryException;
import dev.weir.serdes.registry.TransientRegistryException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProxySelector;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one REST call to the registry: over the configured URLs in turn, retrying transient
 * failures with backoff within the retry budget, and turning every other answer into the {@link
 * SchemaRegistryException} subclass the caller acts on. The one place that maps HTTP outcomes to
 * exceptions.
 *
 * <p>Transient: connection failures, timeouts, HTTP 408, 429 and 5xx. Not transient: a failed TLS
 * handshake (untrusted certificate, refused client certificate, plain HTTP on the port), which
 * fails the call at once with a {@link RegistryRequestException} naming the URL and the {@code
 * schema.registry.ssl.*} keys. A transient failure moves on to the next URL at once; when every URL
 * failed in a round the call waits (exponential backoff, full jitter, at least a 429/503's {@code
 * Retry-After} up to the cap) and starts another round, up to {@code max.retries} rounds and never
 * past {@code retries.budget.ms}, which also caps each request's timeout. The URL that last
 * answered is tried first by later calls. Register calls are retried too: registering the same
 * schema again is idempotent in the registry.
 *
 * <p>Thread-safe.
 */
final class RestTransport {
    private static final Logger LOG = LoggerFactory.getLogger(RestTransport.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9,"
                    + " application/json; qs=0.5";

    /** A 2xx answer and the URL that gave it. */
    record Response(RegistryUrl url, String body) {}

    private sealed interface Outcome {}

    private record Success(Response response) implements Outcome {}

    private record Rejected(SchemaRegistryException exception) implements Outcome {}

    private record Transient(
            String reason, int status, Optional<Duration> retryAfter, Throwable cause)
            implements Outcome {}

    private final ClientSettings settings;
    private final HttpClient http;
    private final RegistryTime time;
    private final Backoff backoff;
    private final AtomicInteger current = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();

    RestTransport(ClientSettings settings, RegistryTime time, Backoff backoff) {
        this.settings = settings;
        this.time = time;
        this.backoff = backoff;
        HttpClient.Builder builder =
                HttpClient.newBuilder()
                        .connectTimeout(settings.connectTimeout())
                        .followRedirects(HttpClient.Redirect.NEVER);
        settings.proxy().ifPresent(p -> builder.proxy(ProxySelector.of(p)));
        settings.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    long requestCount() {
        return requests.get();
    }

    /**
     * @param body the JSON body of a POST, or null for a GET
     * @throws SchemaRegistryException as classified above
     */
    Response send(String method, String path, String body) {
        List<RegistryUrl> urls = settings.urls();
        long start = time.nanoTime();
        long budget = settings.retryBudget().toNanos();
        int attempts = 0;
        Transient last = null;
        for (int round = 0; ; round++) {
            int first = current.get();
            for (int i = 0; i < urls.size(); i++) {
                int index = (first + i) % urls.size();
                RegistryUrl url = urls.get(index);
                long remaining = budget - (time.nanoTime() - start);
                if (remaining <= 0) {
                    throw exhausted(method, path, last, attempts, start);
                }
                attempts++;
                Outcome outcome = attempt(url, method, path, body, Duration.ofNanos(remaining));
                if (outcome instanceof Success s) {
                    current.set(index);
                    return s.response();
                }
                if (outcome instanceof Rejected r) {
                    current.set(index);
                    throw r.exception();
                }
                last = (Transient) outcome;
                int next = (index + 1) % urls.size();
                current.compareAndSet(index, next);
                if (urls.size() > 1) {
                    LOG.warn(
                            "Schema registry {} failed on {} {} ({}); trying {}",
                            url,
                            method,
                            path,
                            last.reason(),
                            urls.get(next));
                }
            }
            if (round >= settings.maxRetries()) {
                throw exhausted(method, path, last, attempts, start);
            }
            Duration delay = backoff.delay(round);
            if (last.retryAfter().isPresent() && last.retryAfter().get().compareTo(delay) > 0) {
                delay = min(last.retryAfter().get(), settings.retryMaxWait());
            }
            if (time.nanoTime() - start + delay.toNanos() >= budget) {
                throw exhausted(method, path, last, attempts, start);
            }
            LOG.debug(
                    "Schema registry call {} {} failed transiently ({}); retry round {} in {} ms",
                    method,
                    path,
                    last.reason(),
                    round + 1,
                    delay.toMillis());
            try {
                time.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransientRegistryException(
                        "interrupted while waiting to retry " + method + " " + path,
                        last.status(),
                        attempts,
                        elapsed(start),
                        e);
            }
        }
    }

    private Outcome attempt(
            RegistryUrl url, String method, String path, String body, Duration remaining) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(url.resolve(path))
                        .timeout(min(settings.readTimeout(), remaining))
                        .header("Accept", ACCEPT);
        settings.headers().forEach(request::header);
        settings.auth().header(url).ifPresent(h -> request.header("Authorization", h));
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response;
        requests.incrementAndGet();
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return new Transient("timed out: " + e.getMessage(), 0, Optional.empty(), e);
        } catch (SSLException e) {
            if (!(e instanceof SSLHandshakeException) && connectionLost(e)) {
                return new Transient(
                        "connection lost in TLS handshake: " + e, 0, Optional.empty(), e);
            }
            return new Rejected(tlsFailure(url, method, path, e));
        } catch (IOException e) {
            return new Transient("connection failed: " + e, 0, Optional.empty(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Rejected(
                    new TransientRegistryException(
                            "interrupted during " + method + " " + path + " on " + url,
                            0,
                            1,
                            Duration.ZERO,
                            e));
        }
        return classify(url, method, path, response);
    }

    /**
     * A failed TLS handshake is the configuration's (trust, client key, host name, protocol) and
     * fails at once: retrying until the budget would only delay the same answer. That includes a
     * server that ends the handshake without saying why, as servers refusing a client certificate
     * may. Only a TLS error after the handshake whose cause is a lost connection is transient.
     */
    private static RegistryRequestException tlsFailure(
            RegistryUrl url, String method, String path, SSLException e) {
        return RegistryRequestException.tlsHandshake(
                "TLS handshake with schema registry "
                        + url
                        + " failed on "
                        + method
                        + " "
                        + path
                        + ": "
                        + e.getMessage()
                        + " (check schema.registry.ssl.truststore.location/.password/.type, and"
                        + " schema.registry.ssl.keystore.* if the registry asks for a client"
                        + " certificate); not retried",
                e);
    }

    private static boolean connectionLost(SSLException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof EOFException || t instanceof SocketException) {
                return true;
            }
        }
        return false;
    }

    private static Outcome classify(
            RegistryUrl url, String method, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Success(new Response(url, response.body()));
        }
        RegistryJson.ErrorBody error = RegistryJson.error(response.body());
        String message =
                "schema registry "
                        + url
                        + " answered "
                        + method
                        + " "
                        + path
                        + " with HTTP "
                        + status
                        + (error.errorCode() > 0 ? " (error_code " + error.errorCode() + ")" : "")
                        + (error.message().isEmpty() ? "" : ": " + error.message());
        if (status == 408 || status == 429 || status >= 500) {
            return new Transient(
                    "HTTP " + status + (error.message().isEmpty() ? "" : " " + error.message()),
                    status,
                    retryAfter(response),
                    new RegistryRequestException(message, status, error.errorCode()));
        }
        return new Rejected(
                switch (status) {
                    case 404 -> new SchemaNotFoundException(message, status, error.errorCode());
                    case 409 -> new IncompatibleSchemaException(message, status, error.errorCode());
                    case 422 -> new InvalidSchemaException(message, status, error.errorCode());
                    case 401, 403 ->
                            new RegistryRequestException(
                                    message
                                            + " (check basic.auth.credentials.source, basic.auth.user.info"
                                            + " or bearer.auth.token)",
                                    status,
                                    error.errorCode());
                    default -> new RegistryRequestException(message, status, error.errorCode());
                });
    }

    private static Optional<Duration> retryAfter(HttpResponse<String> response) {
        Optional<String> value = response.headers().firstValue("Retry-After");
        try {
            return value.map(v -> Duration.ofSeconds(Math.max(0, Long.parseLong(v.strip()))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // an HTTP date: the backoff alone decides
        }
    }

    private TransientRegistryException exhausted(
            String method, String path, Transient last, int attempts, long start) {
        Duration elapsed = elapsed(start);
        return new TransientRegistryException(
                "schema registry unavailable (transient) for "
                        + method
                        + " "
                        + path
                        + " on "
                        + settings.urls()
                        + ": "
                        + (last == null ? "no time left" : last.reason())
                        + "; gave up after "
                        + attempts
                        + " requests in "
                        + elapsed.toMillis()
                        + " ms (max.retries="
                        + settings.maxRetries()
                        + ", retries.budget.ms="
                        + settings.retryBudget().toMillis()
                        + "); try again later",
                last == null ? 0 : last.status(),
                attempts,
                elapsed,
                last == null ? null : last.cause());
    }

    private Duration elapsed(long start) {
        return Duration.ofNanos(time.nanoTime() - start);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
