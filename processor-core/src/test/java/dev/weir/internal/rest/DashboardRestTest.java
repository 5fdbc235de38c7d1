package dev.weir.internal.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.internal.TestJob;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's files over real HTTP (no browser; {@link DashboardInChromiumTest} runs the page):
 * what the page loads is all served from the jar, with its content type, revalidated by ETag, and
 * nothing but the listed files is served.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardRestTest {
    private static final Pattern LINKED = Pattern.compile("(?:src|href)=\"([^\"]+)\"");

    @TempDir Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int port;
    private RunningJob job;

    @BeforeEach
    void startJob() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        job =
                Weir.start(
                        new TestJob().job(),
                        TestJob.config(dir, "dashboard-files")
                                .with("rest.port", String.valueOf(port))
                                .with("rest.auth.token", "weir-test-token-0c4f2e"));
    }

    @AfterEach
    void stopJob() {
        job.stop();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void rootAndDashboardRedirectToThePageWhichNeedsNoToken() throws Exception {
        for (String path : List.of("/", "/dashboard")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(302);
            assertThat(r.headers().firstValue("Location")).as(path).hasValue("/dashboard/");
        }
        HttpResponse<String> page = get("/dashboard/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'");
        assertThat(page.body()).contains("<script src=\"dashboard.js\"");
    }

    @Test
    void everyFileThePageLinksIsServedFromTheJarWithItsContentType() throws Exception {
        String page = get("/dashboard/").body();
        List<String> linked = new ArrayList<>();
        Matcher m = LINKED.matcher(page);
        while (m.find()) {
            linked.add(m.group(1));
        }
        assertThat(linked)
                .contains("dashboard.js", "dashboard.css", "uPlot.iife.min.js", "uPlot.min.css")
                // Offline: nothing from another host.
                .noneMatch(url -> url.startsWith("http:") || url.startsWith("https:"))
                .noneMatch(url -> url.startsWith("//"));
        for (String url : linked) {
            if (url.startsWith("data:")) {
                continue;
            }
            HttpResponse<String> r = get("/dashboard/" + url);
            assertThat(r.statusCode()).as(url).isEqualTo(200);
            String type = r.headers().firstValue("Content-Type").orElseThrow();
            String expected =
                    url.endsWith(".js")
                            ? "text/javascript; charset=utf-8"
                            : url.endsWith(".css")
                                    ? "text/css; charset=utf-8"
                                    : "text/plain; charset=utf-8";
            assertThat(type).as(url).isEqualTo(expected);
            assertThat(r.body()).as(url).isNotBlank();
        }
        assertThat(get("/dashboard/dashboard.js").body()).doesNotContain("innerHTML");
    }

    @Test
    void aFileIsRevalidatedByItsEtagAndAnswers304WhileUnchanged() throws Exception {
        HttpResponse<String> first = get("/dashboard/dashboard.js");
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-cache");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).matches("\"[0-9a-f]{24}\"");

        HttpResponse<String> again = get("/dashboard/dashboard.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(get("/dashboard/dashboard.js", "If-None-Match", "W/" + etag).statusCode())
                .isEqualTo(304);
        assertThat(get("/dashboard/dashboard.js", "If-None-Match", "\"other\"").statusCode())
                .isEqualTo(200);
        // Another file, another tag.
        assertThat(get("/dashboard/dashboard.css").headers().firstValue("ETag"))
                .isNotEqualTo(first.headers().firstValue("ETag"));
    }

    @Test
    void onlyTheListedFilesAreServedAndOnlyToGet() throws Exception {
        for (String path :
                List.of(
                        "/dashboard/nope.js",
                        "/dashboard/../status",
                        "/dashboard/..%2Fstatus",
                        "/dashboard//dashboard.js",
                        "/dashboard/META-INF/MANIFEST.MF",
                        "/dashboard/dashboard.js/",
                        "/index.html")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).contains("\"error\"");
        }
        HttpResponse<String> post =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/dashboard/"))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }
}
