package dev.weir.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.weir.CheckpointStats;
import dev.weir.RunningJob;
import dev.weir.WeirException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON over HTTP for one running job, on the JDK's built-in server:
 *
 * <pre>
 * GET  /status                  job name, status, restarts, records in/out, restored checkpoint
 * GET  /checkpoints             recent checkpoints, oldest first
 * POST /savepoints[?dir=URI]    takes a savepoint; answers with its location when complete
 * POST /stop[?dir=URI]          stop-with-savepoint; answers once the job stopped
 * </pre>
 *
 * Errors answer with a status code and {@code {"error": "…"}}. No authentication: bound to
 * localhost by default ({@code rest.bind-address}).
 */
public final class RestEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestEndpoint.class);

    private final HttpServer server;

    private RestEndpoint(HttpServer server) {
        this.server = server;
    }

    public static RestEndpoint start(RunningJob job, String address, int port) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 16);
        } catch (IOException e) {
            throw new WeirException(
                    "cannot open the REST endpoint on "
                            + address
                            + ":"
                            + port
                            + " (config keys rest.bind-address, rest.port): "
                            + e.getMessage(),
                    e);
        }
        server.setExecutor(
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "weir-rest-" + job.name());
                            t.setDaemon(true);
                            return t;
                        }));
        server.createContext("/status", ex -> handle(ex, "GET", q -> status(job)));
        server.createContext("/checkpoints", ex -> handle(ex, "GET", q -> checkpoints(job)));
        server.createContext(
                "/savepoints",
                ex -> handle(ex, "POST", q -> location(job.triggerSavepoint(q.get("dir")))));
        server.createContext(
                "/stop",
                ex -> handle(ex, "POST", q -> location(job.stopWithSavepoint(q.get("dir")))));
        server.start();
        LOG.info(
                "job {}: REST endpoint at http://{}:{}/",
                job.name(),
                address,
                server.getAddress().getPort());
        return new RestEndpoint(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(
            HttpExchange ex, String method, Function<Map<String, String>, String> body)
            throws IOException {
        int code = 200;
        String json;
        try {
            if (!ex.getRequestMethod().equals(method)) {
                code = 405;
                json = error("use " + method);
            } else {
                json = body.apply(query(ex.getRequestURI().getRawQuery()));
            }
        } catch (RuntimeException e) {
            code = 500;
            json = error(rootMessage(e));
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String location(CompletableFuture<String> f) {
        try {
            return "{\"location\":" + quote(f.get(30, TimeUnit.MINUTES)) + "}";
        } catch (ExecutionException e) {
            throw new WeirException(rootMessage(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new WeirException("the savepoint did not complete within 30 minutes", e);
        }
    }

    private static String status(RunningJob job) {
        return "{\"job\":"
                + quote(job.name())
                + ",\"status\":"
                + quote(job.status().name())
                + ",\"restarts\":"
                + job.restarts()
                + ",\"recordsIn\":"
                + job.recordsIn()
                + ",\"recordsOut\":"
                + job.recordsOut()
                + ",\"restoredCheckpoint\":"
                + job.restoredCheckpointId().map(String::valueOf).orElse("null")
                + "}";
    }

    private static String checkpoints(RunningJob job) {
        StringBuilder sb = new StringBuilder("[");
        for (CheckpointStats c : job.checkpoints()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append("{\"id\":")
                    .append(c.id())
                    .append(",\"status\":")
                    .append(quote(c.status().name()))
                    .append(",\"triggerTimestamp\":")
                    .append(c.triggerTimestampMillis())
                    .append(",\"durationMs\":")
                    .append(c.durationMillis())
                    .append(",\"sizeBytes\":")
                    .append(c.sizeBytes())
                    .append(",\"alignmentMs\":")
                    .append(c.alignmentMillis())
                    .append(",\"syncMs\":")
                    .append(c.syncMillis())
                    .append(",\"commitMs\":")
                    .append(c.commitMillis())
                    .append(",\"location\":")
                    .append(c.location().map(RestEndpoint::quote).orElse("null"))
                    .append(",\"failure\":")
                    .append(c.failure().map(RestEndpoint::quote).orElse("null"))
                    .append('}');
        }
        return sb.append(']').toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    private static String error(String message) {
        return "{\"error\":" + quote(message) + "}";
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null
                && (c instanceof java.util.concurrent.CompletionException
                        || c instanceof ExecutionException)) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public void close() {
        // Lets a stop-with-savepoint request still get its answer.
        server.stop(2);
    }
}
