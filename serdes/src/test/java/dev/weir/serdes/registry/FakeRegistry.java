package dev.weir.serdes.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A scripted stand-in for a registry, for what the real server cannot show: each request gets the
 * next scripted answer (the last one repeats), and every request is recorded.
 */
final class FakeRegistry implements AutoCloseable {
    record Answer(int status, String body, Map<String, String> headers, long delayMillis) {}

    record Request(
            String method, String path, String authorization, Map<String, List<String>> headers) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();

    FakeRegistry() throws IOException {
        this(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    /**
     * Serving HTTPS with the key of {@code context}; with {@code needClientAuth} the handshake
     * requires a client certificate that the context's trust managers accept (mutual TLS); only
     * {@code protocol} is offered.
     */
    static FakeRegistry https(SSLContext context, boolean needClientAuth, String protocol)
            throws IOException {
        HttpsServer https =
                HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(
                new HttpsConfigurator(context) {
                    @Override
                    public void configure(HttpsParameters params) {
                        javax.net.ssl.SSLParameters ssl = context.getDefaultSSLParameters();
                        ssl.setNeedClientAuth(needClientAuth);
                        ssl.setProtocols(new String[] {protocol});
                        params.setSSLParameters(ssl);
                    }
                });
        return new FakeRegistry(https);
    }

    private FakeRegistry(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        // Several threads, so that a delayed answer (a timeout test) does not hold up the retry.
        executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.start();
    }

    static Answer answer(int status, String body) {
        return new Answer(status, body, Map.of(), 0);
    }

    synchronized FakeRegistry then(Answer answer) {
        script.addLast(answer);
        return this;
    }

    synchronized FakeRegistry then(int status, String body) {
        return then(answer(status, body));
    }

    String url() {
        return (server instanceof HttpsServer ? "https" : "http")
                + "://127.0.0.1:"
                + server.getAddress().getPort()
                + "/apis/ccompat/v7";
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        Answer answer;
        synchronized (this) {
            requests.add(
                    new Request(
                            exchange.getRequestMethod(),
                            exchange.getRequestURI().getRawPath()
                                    + (exchange.getRequestURI().getRawQuery() == null
                                            ? ""
                                            : "?" + exchange.getRequestURI().getRawQuery()),
                            exchange.getRequestHeaders().getFirst("Authorization"),
                            Map.copyOf(exchange.getRequestHeaders())));
            answer = script.size() > 1 ? script.pollFirst() : script.peekFirst();
        }
        exchange.getRequestBody().readAllBytes();
        if (answer == null) {
            answer = answer(500, "{\"error_code\":50001,\"message\":\"no script\"}");
        }
        if (answer.delayMillis() > 0) {
            try {
                Thread.sleep(answer.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        try {
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // the client gave up waiting (a timeout test): nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
