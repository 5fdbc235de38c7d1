package dev.weir.internal.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.internal.TestJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The job's REST endpoint over real HTTP, in front of a real job ({@link TestJob}, no Kafka). */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RestEndpointTest {
    private static final String TOKEN = "weir-test-token-7f3a9c";

    @TempDir Path dir;

    private final TestJob test = new TestJob();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int port;
    private RunningJob job;

    @AfterEach
    void stopJob() {
        test.recover.open();
        test.commit.open();
        if (job != null) {
            job.stop();
        }
    }

    private WeirConfig config(String name) throws IOException {
        port = freePort();
        return TestJob.config(dir, name).with("rest.port", String.valueOf(port));
    }

    private RunningJob start(WeirConfig config) {
        job = Weir.start(test.job(), config);
        return job;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(request(path).GET());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static String field(HttpResponse<String> r, String name) {
        Matcher m =
                Pattern.compile("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(r.body());
        assertThat(m.find()).as("%s in %s", name, r.body()).isTrue();
        return m.group(1);
    }

    private String awaitRequest(String id, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> r = get("/savepoints/" + id);
        while (!field(r, "status").equals(status)) {
            assertThat(System.nanoTime())
                    .as("request %s never %s: %s", id, status, r.body())
                    .isLessThan(deadline);
            Thread.sleep(50);
            r = get("/savepoints/" + id);
        }
        return r.body();
    }

    private void assertStillRunning() throws Exception {
        Thread.sleep(300);
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(get("/savepoints").body()).isEqualTo("[]");
    }

    @Test
    void aPostFromAPageOfAnotherSiteIsRefusedAndTheJobKeepsRunning() throws Exception {
        start(config("origin"));

        HttpResponse<String> r =
                send(
                        request("/stop")
                                .header("Origin", "http://evil.example")
                                .POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> sandboxed =
                send(
                        request("/savepoints")
                                .header("Origin", "null")
                                .POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> ownOrigin =
                send(
                        request("/savepoints")
                                .header("Origin", "http://127.0.0.1:" + port)
                                .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(field(r, "error")).contains("origin http://evil.example");
        assertThat(sandboxed.statusCode()).isEqualTo(403);
        assertThat(ownOrigin.statusCode()).as(ownOrigin.body()).isEqualTo(202);
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void whatAnHtmlFormCanPostIsRefusedAsAnUnsupportedMediaType() throws Exception {
        start(config("form"));

        HttpResponse<String> text =
                send(
                        request("/stop")
                                .header("Content-Type", "text/plain")
                                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<String> emptyForm =
                send(
                        request("/stop")
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> multipart =
                send(
                        request("/stop")
                                .header("Content-Type", "multipart/form-data; boundary=x")
                                .POST(HttpRequest.BodyPublishers.ofString("--x--")));

        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(emptyForm.statusCode()).isEqualTo(415);
        assertThat(multipart.statusCode()).isEqualTo(415);
        assertThat(text.headers().firstValue("Accept-Post")).hasValue("application/json");
        assertStillRunning();
    }

    @Test
    void aJsonBodyMayCarryTheDirectory() throws Exception {
        start(config("json-body"));
        String sub = dir.resolve("savepoints").resolve("from-body").toUri().toString();

        HttpResponse<String> r =
                send(
                        request("/savepoints")
                                .header("Content-Type", "application/json; charset=utf-8")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"dir\": " + Json.quote(sub) + "}")));
        HttpResponse<String> notFlat =
                send(
                        request("/savepoints")
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"dir\": 3}")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String done = awaitRequest(field(r, "id"), "COMPLETED");
        assertThat(done).contains("\"location\":\"" + sub);
        assertThat(notFlat.statusCode()).isEqualTo(400);
    }

    @Test
    void withATokenEveryPostNeedsItAndGetsStayOpen() throws Exception {
        start(config("token").with("rest.auth.token", TOKEN));

        HttpResponse<String> none = post("/savepoints");
        HttpResponse<String> wrong =
                send(
                        request("/stop")
                                .header("Authorization", "Bearer not-" + TOKEN)
                                .POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> basic =
                send(
                        request("/stop")
                                .header("Authorization", "Basic " + TOKEN)
                                .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(none.body() + wrong.body()).doesNotContain(TOKEN);
        assertThat(get("/status").statusCode()).isEqualTo(200);
        assertStillRunning();

        HttpResponse<String> right =
                send(
                        request("/savepoints")
                                .header("Authorization", "Bearer " + TOKEN)
                                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(right.statusCode()).as(right.body()).isEqualTo(202);
        awaitRequest(field(right, "id"), "COMPLETED");
    }

    @Test
    void aTokenFileIsReadAtStart() throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, TOKEN + "\n");
        start(config("token-file").with("rest.auth.token-file", file.toString()));

        assertThat(post("/savepoints").statusCode()).isEqualTo(401);
        HttpResponse<String> right =
                send(
                        request("/savepoints")
                                .header("Authorization", "Bearer " + TOKEN)
                                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(right.statusCode()).as(right.body()).isEqualTo(202);
    }

    @Test
    void tokenMisconfigurationFailsTheStartNamingTheKeyButNeverTheToken() throws Exception {
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "  \n");
        try (LogCapture log = new LogCapture()) {
            assertThatThrownBy(
                            () ->
                                    start(
                                            config("both")
                                                    .with("rest.auth.token", TOKEN)
                                                    .with("rest.auth.token-file", "/x")))
                    .isInstanceOf(WeirException.class)
                    .hasMessageContaining("rest.auth.token")
                    .hasMessageContaining("rest.auth.token-file")
                    .hasMessageNotContaining(TOKEN);
            assertThatThrownBy(
                            () ->
                                    start(
                                            config("missing")
                                                    .with(
                                                            "rest.auth.token-file",
                                                            dir.resolve("nope").toString())))
                    .hasMessageContaining("rest.auth.token-file")
                    .hasMessageContaining("nope");
            assertThatThrownBy(
                            () ->
                                    start(
                                            config("empty")
                                                    .with(
                                                            "rest.auth.token-file",
                                                            empty.toString())))
                    .hasMessageContaining("rest.auth.token-file")
                    .hasMessageContaining("empty");
            assertThatThrownBy(() -> start(config("required").with("rest.auth.required", "true")))
                    .hasMessageContaining("rest.auth.required")
                    .hasMessageContaining("rest.auth.token-file");

            start(config("logged").with("rest.auth.token", TOKEN));
            post("/stop");
            send(
                    request("/stop")
                            .header("Authorization", "Bearer " + TOKEN + "x")
                            .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(log.text()).contains("POST requests need the bearer token");
            assertThat(log.text()).doesNotContain(TOKEN);
        }
    }

    @Test
    void anEndpointReachableFromOtherHostsWithoutATokenWarnsAtStart() throws Exception {
        try (LogCapture log = new LogCapture()) {
            start(config("open").with("rest.bind-address", "0.0.0.0"));

            assertThat(log.text())
                    .contains("WARN")
                    .contains("reachable from other hosts and has no token")
                    .contains("rest.auth.token-file");
        }
        job.stop();
        assertThatThrownBy(
                        () ->
                                start(
                                        config("open-refused")
                                                .with("rest.bind-address", "0.0.0.0")
                                                .with("rest.auth.required", "true")))
                .hasMessageContaining("rest.auth.required");
    }

    @Test
    void pathsMatchExactlyAndMethodsAreChecked() throws Exception {
        start(config("paths"));

        assertThat(get("/statusX").statusCode()).isEqualTo(404);
        assertThat(get("/status/").statusCode()).isEqualTo(404);
        assertThat(get("/status/x").statusCode()).isEqualTo(404);
        assertThat(post("/stopnow").statusCode()).isEqualTo(404);
        assertThat(get("/dashboardX").statusCode()).isEqualTo(404);
        assertThat(get("/").statusCode()).as("redirects to the dashboard").isEqualTo(302);
        assertThat(get("/status").statusCode()).isEqualTo(200);

        HttpResponse<String> getStop = get("/stop");
        assertThat(getStop.statusCode()).isEqualTo(405);
        assertThat(getStop.headers().firstValue("Allow")).hasValue("POST");
        HttpResponse<String> postStatus = post("/status");
        assertThat(postStatus.statusCode()).isEqualTo(405);
        assertThat(postStatus.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<String> delete =
                send(request("/savepoints").method("DELETE", HttpRequest.BodyPublishers.noBody()));
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET, POST");
        assertThat(post("/savepoints?target=x").statusCode()).isEqualTo(400);
        assertThat(get("/savepoints/00000000-0000-0000-0000-000000000000").statusCode())
                .isEqualTo(404);
        assertStillRunning();
    }

    @Test
    void oversizedRequestsAreRefused() throws Exception {
        start(config("sizes"));

        HttpResponse<String> big =
                send(
                        request("/savepoints")
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"dir\":\"" + "a".repeat(10_000) + "\"}")));
        HttpResponse<String> longUri = get("/status?x=" + "a".repeat(RequestGuard.MAX_URI_CHARS));

        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(longUri.statusCode()).isEqualTo(414);
        assertStillRunning();
    }

    @Test
    void aHostHeaderNamingAnotherSiteIsRefusedOnALoopbackEndpoint() throws Exception {
        start(config("rebinding"));

        String rebound = rawGet("/status", "evil.example:" + port);
        String local = rawGet("/status", "localhost:" + port);

        assertThat(rebound).startsWith("HTTP/1.1 403");
        assertThat(local).startsWith("HTTP/1.1 200");
    }

    /** A GET with a Host header of our choosing, which HttpClient does not let a caller set. */
    private String rawGet(String path, String host) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(
                    ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void statusAnswersAtOnceWhileASavepointIsInProgress() throws Exception {
        start(config("slow"));
        test.commit.close();

        long before = System.nanoTime();
        HttpResponse<String> triggered = post("/savepoints");
        assertThat(triggered.statusCode()).isEqualTo(202);
        String id = field(triggered, "id");
        assertThat(triggered.headers().firstValue("Location")).hasValue("/savepoints/" + id);
        test.commit.awaitHeld(Duration.ofSeconds(30));
        HttpResponse<String> status = get("/status");
        HttpResponse<String> second = post("/savepoints");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));

        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(field(status, "status")).isEqualTo("RUNNING");
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(field(get("/savepoints/" + id), "status")).isEqualTo("IN_PROGRESS");

        test.commit.open();
        String done = awaitRequest(id, "COMPLETED");
        String location = field(get("/savepoints/" + id), "location");
        assertThat(Path.of(URI.create(location)).resolve("_metadata")).exists();
        assertThat(done).contains("\"error\":null");
        awaitRequest(field(second, "id"), "COMPLETED");
        assertThat(get("/savepoints").body()).contains(id).contains(field(second, "id"));
    }

    @Test
    void aStopAskedWhileTheJobStartsIsCarriedOutOnceItRuns() throws Exception {
        WeirConfig config = config("starting");
        test.recover.close();
        CompletableFuture<RunningJob> starting =
                CompletableFuture.supplyAsync(() -> Weir.start(test.job(), config));
        test.recover.awaitHeld(Duration.ofSeconds(30));

        HttpResponse<String> stop = post("/stop");
        assertThat(stop.statusCode()).as(stop.body()).isEqualTo(202);
        assertThat(field(stop, "status")).isEqualTo("PENDING");
        assertThat(field(stop, "jobStatus")).isEqualTo("STARTING");
        String id = field(stop, "id");
        HttpResponse<String> another = post("/savepoints");
        assertThat(another.statusCode()).isEqualTo(409);
        assertThat(field(another, "error")).contains("already stopping");

        test.recover.open();
        job = starting.get(30, TimeUnit.SECONDS);
        String done = awaitRequest(id, "COMPLETED");
        assertThat(job.awaitTermination(Duration.ofSeconds(30))).isTrue();
        assertThat(job.status()).isEqualTo(JobStatus.STOPPED);
        Matcher location = Pattern.compile("\"location\":\"([^\"]+)\"").matcher(done);
        assertThat(location.find()).isTrue();
        assertThat(Path.of(URI.create(location.group(1))).resolve("_metadata")).exists();
    }

    @Test
    void aPendingRequestCanBeCancelledButNotOnceItEnded() throws Exception {
        WeirConfig config = config("cancel");
        test.recover.close();
        CompletableFuture<RunningJob> starting =
                CompletableFuture.supplyAsync(() -> Weir.start(test.job(), config));
        test.recover.awaitHeld(Duration.ofSeconds(30));
        String id = field(post("/savepoints"), "id");

        HttpResponse<String> cancelled = post("/savepoints/" + id + "/cancel");
        HttpResponse<String> again = post("/savepoints/" + id + "/cancel");

        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(field(cancelled, "status")).isEqualTo("FAILED");
        assertThat(field(cancelled, "error")).contains("cancelled");
        assertThat(again.statusCode()).isEqualTo(409);
        test.recover.open();
        job = starting.get(30, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertThat(job.checkpoints()).isEmpty();
    }

    @Test
    void aDirOutsideSavepointDirIsRefusedUnlessAnyDirIsAllowed() throws Exception {
        start(config("dirs"));
        String base = dir.resolve("savepoints").toUri().toString().replaceAll("/$", "");
        String elsewhere = dir.resolve("elsewhere").toUri().toString();

        HttpResponse<String> outside = post("/savepoints?dir=" + enc(elsewhere));
        HttpResponse<String> sibling = post("/savepoints?dir=" + enc(base + "-x"));
        HttpResponse<String> dotDot = post("/savepoints?dir=" + enc(base + "/sub/../../elsewhere"));
        HttpResponse<String> relative = post("/stop?dir=" + enc("savepoints/sub"));
        HttpResponse<String> inside = post("/savepoints?dir=" + enc(base + "/sub"));

        assertThat(outside.statusCode()).isEqualTo(403);
        assertThat(field(outside, "error"))
                .contains("savepoint.dir")
                .contains("rest.savepoint.allow-any-dir=true");
        assertThat(sibling.statusCode()).isEqualTo(403);
        assertThat(dotDot.statusCode()).isEqualTo(400);
        assertThat(relative.statusCode()).isEqualTo(400);
        assertThat(inside.statusCode()).as(inside.body()).isEqualTo(202);
        assertThat(awaitRequest(field(inside, "id"), "COMPLETED")).contains(base + "/sub/");
        assertThat(dir.resolve("elsewhere")).doesNotExist();
        job.stop();

        start(config("any-dir").with("rest.savepoint.allow-any-dir", "true"));
        HttpResponse<String> anywhere = post("/savepoints?dir=" + enc(elsewhere));
        assertThat(anywhere.statusCode()).as(anywhere.body()).isEqualTo(202);
        awaitRequest(field(anywhere, "id"), "COMPLETED");
        assertThat(dir.resolve("elsewhere")).isDirectory();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
