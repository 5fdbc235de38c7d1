package dev.weir.internal.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.weir.CheckpointStats;
import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.WeirException;
import dev.weir.config.RestOptions;
import dev.weir.config.WeirConfig;
import dev.weir.internal.SavepointRequest;
import dev.weir.internal.metrics.JobMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON over HTTP for one running job, on the JDK's built-in server. Paths match exactly; anything
 * else is 404.
 *
 * <pre>
 * GET  /                          redirects to /dashboard/ ({@link Dashboard})
 * GET  /dashboard/                a page that shows the job live, from the requests below
 * GET  /status                    job name, status, restarts, records in/out, restored checkpoint
 * GET  /health/live               200 while the job has not failed for good or stopped, else 503
 * GET  /health/ready              200 while the job runs (restored, subtasks started), else 503
 *                                 with the reason: starting, restoring, restarting, stopped, failed
 * GET  /metrics                   the job's meters, Prometheus text format 0.0.4 (OpenMetrics when
 *                                 the Accept header asks for application/openmetrics-text)
 * GET  /config                    the effective configuration, secrets redacted ({@link
 *                                 ConfigView})
 * GET  /checkpoints               recent checkpoints, oldest first
 * POST /savepoints[?dir=URI]      asks for a savepoint: 202 with the request and Location at once
 * POST /stop[?dir=URI]            asks for a stop-with-savepoint: the same, with kind "stop"
 * GET  /savepoints                the last 100 requests (made here or through the API), oldest
 *                                 first
 * GET  /savepoints/{id}           one request: status PENDING (the job is not running yet; it is
 *                                 taken once it runs), IN_PROGRESS, COMPLETED with location (a
 *                                 stop: once the job stopped) or FAILED with error
 * POST /savepoints/{id}/cancel    cancels a PENDING request (409 once it started)
 * </pre>
 *
 * <p>A request answers at once; nothing waits for a savepoint, so a slow one does not hold up
 * {@code GET /status}. {@code dir} may also come as the JSON body {@code {"dir": "URI"}}; it must
 * lie under {@code savepoint.dir} unless {@code rest.savepoint.allow-any-dir=true} ({@link
 * SavepointDirs}). The health, metrics and status requests read volatile fields and counters only,
 * never a lock of the job, so they answer while the job restores or a checkpoint is slow. POSTs
 * pass the checks of {@link RequestGuard} (own origin only, JSON or empty body, bearer token when
 * {@code rest.auth.token} or {@code rest.auth.token-file} is set); GETs only read and stay open. A
 * request the job cannot carry out (stopping, stopped, failed, a stop already asked for) is 409.
 * Errors answer with their status and {@code {"error": "…"}}.
 */
public final class RestEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestEndpoint.class);
    private static final Pattern REQUEST = Pattern.compile("/savepoints/([0-9a-f-]{36})");
    private static final Pattern CANCEL = Pattern.compile("/savepoints/([0-9a-f-]{36})/cancel");
    private static final Set<String> GET = Set.of("GET");
    private static final Set<String> POST = Set.of("POST");

    private final HttpServer server;
    private final ExecutorService executor;
    private final RunningJob job;
    private final SavepointControl savepoints;
    private final RestSettings settings;
    private final RequestGuard guard;
    private final SavepointTable table = new SavepointTable();
    private final JobMetrics metrics;
    private final WeirConfig config;
    private final Dashboard dashboard;

    private RestEndpoint(
            HttpServer server,
            ExecutorService executor,
            RunningJob job,
            SavepointControl savepoints,
            JobMetrics metrics,
            WeirConfig config,
            RestSettings settings,
            Dashboard dashboard) {
        this.metrics = metrics;
        this.dashboard = dashboard;
        this.config = config;
        this.server = server;
        this.executor = executor;
        this.job = job;
        this.savepoints = savepoints;
        this.settings = settings;
        this.guard = new RequestGuard(settings);
    }

    /** Opens the endpoint; fails naming the keys if the address or port cannot be bound. */
    public static RestEndpoint start(
            RunningJob job,
            SavepointControl savepoints,
            JobMetrics metrics,
            WeirConfig config,
            RestSettings settings) {
        Dashboard dashboard = Dashboard.fromClasspath();
        HttpServer server;
        try {
            server =
                    HttpServer.create(
                            new InetSocketAddress(settings.bindAddress(), settings.port()), 16);
        } catch (IOException | RuntimeException e) {
            throw new WeirException(
                    "cannot open the REST endpoint on "
                            + settings.bindAddress()
                            + ":"
                            + settings.port()
                            + " (config keys rest.bind-address, rest.port): "
                            + e.getMessage(),
                    e);
        }
        ExecutorService executor =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "weir-rest-" + job.name());
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        RestEndpoint endpoint =
                new RestEndpoint(
                        server, executor, job, savepoints, metrics, config, settings, dashboard);
        savepoints.onRequest(endpoint.table::addFromApi);
        server.createContext("/", endpoint::handle);
        server.start();
        int port = server.getAddress().getPort();
        if (settings.token().isEmpty() && !settings.loopback()) {
            LOG.warn(
                    "job {}: the REST endpoint on {}:{} is reachable from other hosts and has no"
                            + " token: whoever reaches it can take savepoints and stop the job. Set"
                            + " {} (or {}), or {}=127.0.0.1; {}=true refuses to start like this",
                    job.name(),
                    settings.bindAddress(),
                    port,
                    RestOptions.AUTH_TOKEN_FILE.key(),
                    RestOptions.AUTH_TOKEN.key(),
                    RestOptions.BIND_ADDRESS.key(),
                    RestOptions.AUTH_REQUIRED.key());
        }
        LOG.info(
                "job {}: REST endpoint at http://{}:{}/, dashboard at /dashboard/ ({})",
                job.name(),
                settings.bindAddress(),
                port,
                settings.token().isPresent()
                        ? "POST requests need the bearer token"
                        : "no token configured");
        return endpoint;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        Response response;
        try {
            guard.admit(ex);
            response = route(ex);
        } catch (HttpError e) {
            response = new Response(e.status(), error(e.getMessage()), e.headers());
        } catch (RuntimeException e) {
            LOG.warn(
                    "job {}: REST {} {} failed: {}",
                    job.name(),
                    ex.getRequestMethod(),
                    ex.getRequestURI().getRawPath(),
                    e.toString(),
                    e);
            response = new Response(500, error(String.valueOf(e.getMessage())), Map.of());
        }
        response.send(ex);
    }

    private Response route(HttpExchange ex) {
        String path = ex.getRequestURI().getRawPath();
        switch (path) {
            case "/status" -> {
                RequestGuard.method(ex, GET);
                return Response.ok(status());
            }
            case "/health/live" -> {
                RequestGuard.method(ex, GET);
                return live();
            }
            case "/health/ready" -> {
                RequestGuard.method(ex, GET);
                return ready();
            }
            case "/metrics" -> {
                RequestGuard.method(ex, GET);
                JobMetrics.Scrape scrape =
                        metrics.scrape(ex.getRequestHeaders().getFirst("Accept"));
                return new Response(
                        200, scrape.body(), Map.of("Content-Type", scrape.contentType()));
            }
            case "/config" -> {
                RequestGuard.method(ex, GET);
                return Response.ok(ConfigView.json(job.name(), config));
            }
            case "/checkpoints" -> {
                RequestGuard.method(ex, GET);
                return Response.ok(checkpoints());
            }
            case "/savepoints" -> {
                RequestGuard.method(ex, Set.of("GET", "POST"));
                return ex.getRequestMethod().equals("GET")
                        ? Response.ok(list())
                        : trigger(ex, false);
            }
            case "/stop" -> {
                RequestGuard.method(ex, POST);
                return trigger(ex, true);
            }
            default -> {
                Matcher one = REQUEST.matcher(path);
                if (one.matches()) {
                    RequestGuard.method(ex, GET);
                    return Response.ok(describe(find(one.group(1))));
                }
                Matcher cancel = CANCEL.matcher(path);
                if (cancel.matches()) {
                    RequestGuard.method(ex, POST);
                    return cancel(ex, find(cancel.group(1)));
                }
                Optional<Response> page = dashboard.serve(ex, path);
                if (page.isPresent()) {
                    RequestGuard.method(ex, GET);
                    return page.get();
                }
                throw new HttpError(404, "no such path: " + path);
            }
        }
    }

    private Response trigger(HttpExchange ex, boolean stopAfter) {
        Map<String, String> body = guard.admitChange(ex);
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        onlyKnown(query, "query parameter");
        onlyKnown(body, "body member");
        if (query.containsKey("dir") && body.containsKey("dir")) {
            throw new HttpError(400, "dir is given both in the query and in the body");
        }
        String dir = settings.savepointDirs().check(query.getOrDefault("dir", body.get("dir")));
        SavepointRequest r;
        try {
            r = savepoints.requestSavepoint(dir, stopAfter);
        } catch (SavepointRequest.Refused e) {
            throw new HttpError(409, e.getMessage());
        }
        table.add(r);
        LOG.info(
                "job {}: {} request {} through REST from {}",
                job.name(),
                stopAfter ? "stop-with-savepoint" : "savepoint",
                r.id(),
                ex.getRemoteAddress());
        return new Response(202, describe(r), Map.of("Location", "/savepoints/" + r.id()));
    }

    private Response cancel(HttpExchange ex, SavepointRequest r) {
        Map<String, String> body = guard.admitChange(ex);
        if (!body.isEmpty() || ex.getRequestURI().getRawQuery() != null) {
            throw new HttpError(400, "cancel takes no parameters");
        }
        if (!savepoints.cancelSavepoint(r)) {
            throw new HttpError(
                    409,
                    "request "
                            + r.id()
                            + " is "
                            + r.phase()
                            + "; only a PENDING request can be cancelled");
        }
        return Response.ok(describe(r));
    }

    private SavepointRequest find(String id) {
        return table.get(id)
                .orElseThrow(
                        () ->
                                new HttpError(
                                        404,
                                        "no savepoint request "
                                                + id
                                                + " (the endpoint keeps the last "
                                                + SavepointTable.CAPACITY
                                                + ")"));
    }

    private static void onlyKnown(Map<String, String> params, String what) {
        for (String name : params.keySet()) {
            if (!name.equals("dir")) {
                throw new HttpError(400, "unknown " + what + " '" + name + "'; known: dir");
            }
        }
    }

    private String describe(SavepointRequest r) {
        return "{\"id\":"
                + Json.quote(r.id())
                + ",\"kind\":"
                + (r.stopAfter() ? "\"stop\"" : "\"savepoint\"")
                + ",\"status\":"
                + Json.quote(r.phase().name())
                + ",\"detail\":"
                + Json.quote(r.detail())
                + ",\"jobStatus\":"
                + Json.quote(job.status().name())
                + ",\"directory\":"
                + Json.quote(r.directory())
                + ",\"location\":"
                + Json.quoteOrNull(r.location().orElse(null))
                + ",\"error\":"
                + Json.quoteOrNull(r.failure().orElse(null))
                + ",\"submittedAt\":"
                + r.submittedMillis()
                + "}";
    }

    private String list() {
        List<SavepointRequest> all = table.all();
        StringBuilder sb = new StringBuilder("[");
        for (SavepointRequest r : all) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(describe(r));
        }
        return sb.append(']').toString();
    }

    /** Alive unless the job is over: an orchestrator restarts the process on a 503. */
    private Response live() {
        JobStatus s = job.status();
        boolean alive = s != JobStatus.FAILED && s != JobStatus.STOPPED;
        String reason =
                switch (s) {
                    case FAILED ->
                            "the job failed for good: "
                                    + job.failure().map(Throwable::toString).orElse("unknown");
                    case STOPPED -> "the job stopped";
                    default -> null;
                };
        return health(alive, s, reason);
    }

    /** Ready only while running: restored, every subtask started. */
    private Response ready() {
        JobStatus s = job.status();
        String reason =
                switch (s) {
                    case RUNNING -> null;
                    case STARTING -> "starting: restoring state and starting the subtasks";
                    case RESTARTING ->
                            "restarting after a failure (restart "
                                    + job.restarts()
                                    + "): waiting for the restart strategy, then restoring the last"
                                    + " completed checkpoint";
                    case STOPPED -> "the job stopped";
                    case FAILED ->
                            "the job failed for good: "
                                    + job.failure().map(Throwable::toString).orElse("unknown");
                };
        return health(reason == null, s, reason);
    }

    private Response health(boolean up, JobStatus s, String reason) {
        return new Response(
                up ? 200 : 503,
                "{\"status\":"
                        + (up ? "\"UP\"" : "\"DOWN\"")
                        + ",\"job\":"
                        + Json.quote(job.name())
                        + ",\"jobStatus\":"
                        + Json.quote(s.name())
                        + ",\"restarts\":"
                        + job.restarts()
                        + ",\"restoredCheckpoint\":"
                        + job.restoredCheckpointId().map(String::valueOf).orElse("null")
                        + ",\"reason\":"
                        + Json.quoteOrNull(reason)
                        + "}",
                Map.of());
    }

    private String status() {
        return "{\"job\":"
                + Json.quote(job.name())
                + ",\"status\":"
                + Json.quote(job.status().name())
                + ",\"restarts\":"
                + job.restarts()
                + ",\"recordsIn\":"
                + job.recordsIn()
                + ",\"recordsOut\":"
                + job.recordsOut()
                + ",\"restoredCheckpoint\":"
                + job.restoredCheckpointId().map(String::valueOf).orElse("null")
                + ",\"counters\":"
                + counters()
                + "}";
    }

    private String counters() {
        StringBuilder sb = new StringBuilder("{");
        job.counters()
                .forEach(
                        (name, n) ->
                                sb.append(sb.length() > 1 ? "," : "")
                                        .append(Json.quote(name))
                                        .append(':')
                                        .append(n));
        return sb.append('}').toString();
    }

    private String checkpoints() {
        StringBuilder sb = new StringBuilder("[");
        for (CheckpointStats c : job.checkpoints()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append("{\"id\":")
                    .append(c.id())
                    .append(",\"status\":")
                    .append(Json.quote(c.status().name()))
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
                    .append(Json.quoteOrNull(c.location().orElse(null)))
                    .append(",\"failure\":")
                    .append(Json.quoteOrNull(c.failure().orElse(null)))
                    .append('}');
        }
        return sb.append(']').toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name =
                    URLDecoder.decode(
                            eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value =
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (q.put(name, value) != null) {
                throw new HttpError(400, "query parameter '" + name + "' appears twice");
            }
        }
        return q;
    }

    private static String error(String message) {
        return "{\"error\":" + Json.quote(message) + "}";
    }

    /**
     * Closes the endpoint once the client polling a completed stop-with-savepoint got its answer
     * (at most 5 s).
     */
    @Override
    public void close() {
        try {
            table.awaitStopsReported(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop(1);
        executor.shutdownNow();
    }
}
