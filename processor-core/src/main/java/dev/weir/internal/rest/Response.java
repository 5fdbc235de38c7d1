package dev.weir.internal.rest;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the endpoint answers: a status, a body and headers. Every answer is JSON and {@code
 * Cache-Control: no-store} unless {@code headers} says otherwise (the metrics text, the dashboard's
 * files), and {@code X-Content-Type-Options: nosniff}.
 */
record Response(int status, byte[] body, Map<String, String> headers) {
    Response(int status, String json, Map<String, String> headers) {
        this(status, json.getBytes(StandardCharsets.UTF_8), headers);
    }

    static Response ok(String json) {
        return new Response(200, json, Map.of());
    }

    /** Writes the answer; a 304 has no body. */
    void send(HttpExchange ex) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "application/json");
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        headers.forEach(h::set);
        boolean empty = status == 304;
        ex.sendResponseHeaders(status, empty ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!empty) {
                out.write(body);
            }
        }
    }
}
