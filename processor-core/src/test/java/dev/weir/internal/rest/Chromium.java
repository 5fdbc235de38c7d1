package dev.weir.internal.rest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A headless Chromium driven over the DevTools protocol (a WebSocket of JSON messages, spoken with
 * the JDK's own client): navigate, evaluate JavaScript in the page, take a screenshot, and collect
 * what the page logged as errors. One page, one process, its own profile directory.
 */
final class Chromium implements AutoCloseable {
    private static final tools.jackson.databind.ObjectMapper JSON =
            new tools.jackson.databind.ObjectMapper();

    private static final List<String> NAMES =
            List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
    private static final Pattern LISTENING =
            Pattern.compile("DevTools listening on (ws://[^\\s]+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending =
            new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    /** The first Chromium or Chrome binary on {@code PATH}. */
    static Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(java.io.File.pathSeparator))
                .flatMap(dir -> NAMES.stream().map(name -> Path.of(dir, name)))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Starts the browser with a blank page of {@code width} × {@code height} CSS pixels. */
    static Chromium launch(Path binary, Path profile, int width, int height) throws Exception {
        Process p =
                new ProcessBuilder(
                                binary.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-dev-shm-usage",
                                "--disable-extensions",
                                "--disable-background-networking",
                                "--no-first-run",
                                "--no-default-browser-check",
                                "--user-data-dir=" + profile,
                                "--window-size=" + width + "," + height,
                                "--remote-debugging-port=0",
                                "about:blank")
                        .redirectErrorStream(true)
                        .start();
        try {
            return new Chromium(p);
        } catch (Exception | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private Chromium(Process process) throws Exception {
        this.process = process;
        CompletableFuture<String> browserUrl = new CompletableFuture<>();
        Thread drain =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                for (String line; (line = r.readLine()) != null; ) {
                                    output.append(line).append('\n');
                                    Matcher m = LISTENING.matcher(line);
                                    if (m.find()) {
                                        browserUrl.complete(m.group(1));
                                    }
                                }
                            } catch (IOException e) {
                                output.append("reading the output failed: ").append(e);
                            }
                            browserUrl.completeExceptionally(
                                    new AssertionError("chromium ended:\n" + output));
                        },
                        "chromium-output");
        drain.setDaemon(true);
        drain.start();
        URI browser = URI.create(browserUrl.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        HttpClient http = HttpClient.newHttpClient();
        String targets =
                http.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://"
                                                                + browser.getAuthority()
                                                                + "/json/list"))
                                        .timeout(TIMEOUT)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        String pageUrl = null;
        for (Object t : (List<?>) JSON.readValue(targets, Object.class)) {
            Map<?, ?> target = (Map<?, ?>) t;
            if ("page".equals(target.get("type"))) {
                pageUrl = (String) target.get("webSocketDebuggerUrl");
            }
        }
        if (pageUrl == null) {
            throw new AssertionError("chromium has no page target: " + targets);
        }
        socket =
                http.newWebSocketBuilder()
                        .buildAsync(URI.create(pageUrl), new Listener())
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        send("Runtime.enable", "{}");
        send("Log.enable", "{}");
        send("Page.enable", "{}");
    }

    /** Receives whole messages (a screenshot comes in many frames). */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                received(message.toString());
                message.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private void received(String text) {
        Map<String, Object> m = (Map<String, Object>) JSON.readValue(text, Object.class);
        Object id = m.get("id");
        if (id != null) {
            CompletableFuture<Map<String, Object>> f = pending.remove(((Number) id).intValue());
            if (f != null) {
                f.complete(m);
            }
            return;
        }
        Map<String, Object> params = (Map<String, Object>) m.getOrDefault("params", Map.of());
        switch (String.valueOf(m.get("method"))) {
            case "Runtime.exceptionThrown" ->
                    errors.add("exception: " + params.get("exceptionDetails"));
            case "Runtime.consoleAPICalled" -> {
                if ("error".equals(params.get("type"))) {
                    errors.add("console.error: " + params.get("args"));
                }
            }
            case "Log.entryAdded" -> {
                Map<String, Object> entry = (Map<String, Object>) params.get("entry");
                if ("error".equals(entry.get("level"))) {
                    errors.add("log: " + entry.get("text") + " " + entry.get("url"));
                }
            }
            default -> {}
        }
    }

    /** Sends one command; its {@code result}, or an AssertionError with the protocol's error. */
    @SuppressWarnings("unchecked")
    Map<String, Object> send(String method, String paramsJson) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(
                        "{\"id\":"
                                + id
                                + ",\"method\":"
                                + Json.quote(method)
                                + ",\"params\":"
                                + paramsJson
                                + "}",
                        true)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Map<String, Object> m = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (m.containsKey("error")) {
            throw new AssertionError(method + " failed: " + m.get("error"));
        }
        return (Map<String, Object>) m.get("result");
    }

    void navigate(String url) throws Exception {
        Map<String, Object> r = send("Page.navigate", "{\"url\":" + Json.quote(url) + "}");
        if (r.get("errorText") != null) {
            throw new AssertionError("cannot load " + url + ": " + r.get("errorText"));
        }
    }

    /** The value of a JavaScript expression in the page (JSON-like: maps, lists, strings…). */
    @SuppressWarnings("unchecked")
    Object evaluate(String expression) throws Exception {
        Map<String, Object> r =
                send(
                        "Runtime.evaluate",
                        "{\"expression\":"
                                + Json.quote(expression)
                                + ",\"returnByValue\":true,\"awaitPromise\":true}");
        if (r.containsKey("exceptionDetails")) {
            throw new AssertionError(expression + " threw: " + r.get("exceptionDetails"));
        }
        return ((Map<String, Object>) r.get("result")).get("value");
    }

    /** A PNG of the whole page, also what lies below the window. */
    @SuppressWarnings("unchecked")
    byte[] screenshot() throws Exception {
        Map<String, Object> size =
                (Map<String, Object>) send("Page.getLayoutMetrics", "{}").get("cssContentSize");
        String clip =
                "{\"x\":0,\"y\":0,\"scale\":1,\"width\":"
                        + size.get("width")
                        + ",\"height\":"
                        + size.get("height")
                        + "}";
        String data =
                (String)
                        send(
                                        "Page.captureScreenshot",
                                        "{\"format\":\"png\",\"captureBeyondViewport\":true,\"clip\":"
                                                + clip
                                                + "}")
                                .get("data");
        return Base64.getDecoder().decode(data);
    }

    /** What the page reported as errors: uncaught exceptions, console.error, failed loads, CSP. */
    List<String> errors() {
        return new ArrayList<>(errors);
    }

    /** Asks the browser to close; ends its processes (the ones it started too) if it does not. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        socket.sendText("{\"id\":0,\"method\":\"Browser.close\",\"params\":{}}", true);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
