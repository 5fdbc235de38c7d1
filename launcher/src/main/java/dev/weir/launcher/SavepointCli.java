package dev.weir.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code weir savepoint trigger|stop --url http://HOST:PORT [--dir URI] [--timeout 10m] [--token T
 * | --token-file F]}: asks a running job, through its REST endpoint, for a savepoint (or a
 * stop-with-savepoint), follows the request until it ends, says what it waits for meanwhile, and
 * prints the savepoint's location as the last line. The token may also come from {@code
 * WEIR_REST_TOKEN}.
 *
 * <p>Exit codes: 0 done; 1 the job refused the request or reported its failure, or the endpoint
 * could not be reached; 2 a usage error; 3 timed out (a request still pending is cancelled first,
 * one in progress may still complete).
 */
public final class SavepointCli {
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int TIMED_OUT = 3;
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    static final String USAGE_LINE =
            "usage: weir savepoint trigger|stop --url http://HOST:PORT [--dir URI] [--timeout"
                    + " 10m] [--token TOKEN | --token-file FILE]";
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int UNREACHABLE_POLLS = 6;

    /** Ends the command with an exit code and a message for stderr. */
    public static final class Failure extends Exception {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** What to ask for. */
    public record Request(
            String url,
            boolean stop,
            Optional<String> dir,
            Optional<String> token,
            Duration timeout) {
        public Request {
            Objects.requireNonNull(url);
        }
    }

    private SavepointCli() {}

    static int run(List<String> args) throws InterruptedException {
        try {
            Request request = parse(args, System.getenv());
            System.out.println(
                    (request.stop() ? "stopping the job with a savepoint" : "taking a savepoint")
                            + " via "
                            + request.url()
                            + " (waiting up to "
                            + describe(request.timeout())
                            + ")");
            System.out.println(await(request, System.out));
            return 0;
        } catch (Failure f) {
            System.err.println("error: " + f.getMessage());
            if (f.exitCode == USAGE) {
                System.err.println(USAGE_LINE);
            }
            return f.exitCode;
        }
    }

    static Request parse(List<String> args, Map<String, String> env) throws Failure {
        if (args.isEmpty() || !(args.get(0).equals("trigger") || args.get(0).equals("stop"))) {
            throw new Failure(USAGE, "say trigger or stop");
        }
        String url = null;
        String dir = null;
        String token = null;
        String tokenFile = null;
        Duration timeout = DEFAULT_TIMEOUT;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (i + 1 >= args.size()) {
                throw new Failure(USAGE, "unknown argument or missing value: '" + a + "'");
            }
            String value = args.get(++i);
            switch (a) {
                case "--url" -> url = value.replaceAll("/+$", "");
                case "--dir" -> dir = value;
                case "--token" -> token = value;
                case "--token-file" -> tokenFile = value;
                case "--timeout" -> timeout = parseTimeout(value);
                default -> throw new Failure(USAGE, "unknown argument '" + a + "'");
            }
        }
        if (url == null) {
            throw new Failure(USAGE, "--url of the job's REST endpoint is required");
        }
        if (token != null && tokenFile != null) {
            throw new Failure(USAGE, "give --token or --token-file, not both");
        }
        if (tokenFile != null) {
            token = readToken(Path.of(tokenFile));
        } else if (token == null && env.get("WEIR_REST_TOKEN") != null) {
            token = env.get("WEIR_REST_TOKEN").strip();
        }
        return new Request(
                url,
                args.get(0).equals("stop"),
                Optional.ofNullable(dir),
                Optional.ofNullable(token).filter(t -> !t.isEmpty()),
                timeout);
    }

    /** {@code 30s}, {@code 10m}, {@code 2h}, {@code 500ms}, or ISO-8601 ({@code PT10M}). */
    static Duration parseTimeout(String s) throws Failure {
        Duration d;
        try {
            d = dev.weir.tools.Durations.parse(s, "--timeout");
        } catch (dev.weir.tools.ToolException e) {
            d = null;
        }
        if (d == null || d.isZero()) {
            throw new Failure(
                    USAGE,
                    "--timeout must be positive, like 30s, 10m, 2h or PT10M; got '" + s + "'");
        }
        return d;
    }

    private static String readToken(Path file) throws Failure {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (t.isEmpty()) {
                throw new Failure(USAGE, "the token file " + file + " is empty");
            }
            return t;
        } catch (IOException e) {
            throw new Failure(USAGE, "cannot read the token file " + file + ": " + e);
        }
    }

    /**
     * Submits the request, reports on {@code progress} what it waits for whenever that changes, and
     * returns the savepoint's location.
     *
     * @throws Failure with the exit code and the reason when it was refused, failed or timed out
     */
    public static String await(Request request, PrintStream progress)
            throws Failure, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + request.timeout().toNanos();
        String query =
                request.dir()
                        .map(d -> "?dir=" + URLEncoder.encode(d, StandardCharsets.UTF_8))
                        .orElse("");
        String kind = request.stop() ? "stop-with-savepoint" : "savepoint";
        HttpResponse<String> submitted;
        try {
            submitted =
                    send(client, request, (request.stop() ? "/stop" : "/savepoints") + query, true);
        } catch (IOException e) {
            throw new Failure(FAILED, "cannot reach " + request.url() + ": " + e.getMessage());
        }
        if (submitted.statusCode() != 202) {
            throw new Failure(FAILED, refusal(submitted, request));
        }
        String id = field(submitted.body(), "id").orElseThrow();
        String shortId = id.substring(0, 8);
        String seen = "";
        String location = null;
        int unreachable = 0;
        HttpResponse<String> state = submitted;
        while (true) {
            String body = state.body();
            String status = field(body, "status").orElse("?");
            location = field(body, "location").orElse(location);
            switch (status) {
                case "COMPLETED" -> {
                    return location;
                }
                case "FAILED" ->
                        throw new Failure(
                                FAILED,
                                kind
                                        + " "
                                        + id
                                        + " failed: "
                                        + field(body, "error").orElse("(no reason)"));
                default -> {
                    String now = waitingFor(kind, shortId, status, body);
                    if (!now.equals(seen)) {
                        progress.println(now);
                        seen = now;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new Failure(TIMED_OUT, timedOut(client, request, id, kind, status, seen));
            }
            Thread.sleep(POLL.toMillis());
            try {
                state = send(client, request, "/savepoints/" + id, false);
                unreachable = 0;
                if (state.statusCode() != 200) {
                    throw new Failure(FAILED, refusal(state, request));
                }
            } catch (IOException e) {
                if (request.stop() && location != null) {
                    // The endpoint closes as the job stops; the savepoint was complete before.
                    progress.println("the endpoint closed: the job stopped");
                    return location;
                }
                if (++unreachable >= UNREACHABLE_POLLS) {
                    throw new Failure(
                            FAILED,
                            "lost "
                                    + request.url()
                                    + " while waiting for "
                                    + kind
                                    + " "
                                    + id
                                    + ": "
                                    + e.getMessage());
                }
            }
        }
    }

    private static String waitingFor(String kind, String shortId, String status, String body) {
        String detail = field(body, "detail").orElse("");
        String job = field(body, "jobStatus").orElse("?");
        return switch (status) {
            case "PENDING" ->
                    kind + " " + shortId + "… pending: job is " + job + " (" + detail + ")";
            case "IN_PROGRESS" -> kind + " " + shortId + "… in progress: " + detail;
            default -> kind + " " + shortId + "… " + status + ": " + detail;
        };
    }

    private static String timedOut(
            HttpClient client, Request request, String id, String kind, String status, String seen)
            throws InterruptedException {
        String after = "timed out after " + describe(request.timeout()) + " (" + seen + ")";
        if (!status.equals("PENDING")) {
            return after + "; it may still complete: GET " + request.url() + "/savepoints/" + id;
        }
        try {
            HttpResponse<String> r = send(client, request, "/savepoints/" + id + "/cancel", true);
            if (r.statusCode() == 200) {
                return after + "; the " + kind + " request was cancelled";
            }
            return after + "; cancelling it failed: " + refusal(r, request);
        } catch (IOException e) {
            return after + "; cancelling it failed: " + e.getMessage();
        }
    }

    private static HttpResponse<String> send(
            HttpClient client, Request request, String pathAndQuery, boolean post)
            throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(request.url() + pathAndQuery))
                        .timeout(Duration.ofSeconds(30));
        if (post) {
            b.POST(HttpRequest.BodyPublishers.noBody());
        }
        request.token().ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String refusal(HttpResponse<String> r, Request request) {
        String reason = field(r.body(), "error").orElse("HTTP " + r.statusCode() + ": " + r.body());
        if (r.statusCode() == 401) {
            return reason
                    + (request.token().isPresent()
                            ? ""
                            : " (give it with --token-file, --token or WEIR_REST_TOKEN)");
        }
        return reason;
    }

    private static String describe(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** A string member of a flat JSON object, unescaped; empty if absent or null. */
    static Optional<String> field(String json, String name) {
        Matcher m =
                Pattern.compile("\"" + Pattern.quote(name) + "\":\"((?:[^\"\\\\]|\\\\.)*)\"")
                        .matcher(json);
        return m.find() ? Optional.of(unescape(m.group(1))) : Optional.empty();
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }
}
