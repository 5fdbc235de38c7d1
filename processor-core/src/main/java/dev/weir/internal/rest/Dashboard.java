package dev.weir.internal.rest;

import com.sun.net.httpserver.HttpExchange;
import dev.weir.WeirException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's files (docs/operations.md, "Dashboard"): one page and the files it loads, read
 * from the classpath once when the endpoint opens and served from memory. The page only reads
 * {@code /status}, {@code /metrics}, {@code /checkpoints} and {@code /savepoints}, as any other
 * client does; it changes nothing, so it needs no token. Only the names listed here are served — a
 * request path is never turned into a resource name.
 *
 * <p>The files are not fingerprinted, so they answer {@code Cache-Control: no-cache} with an {@code
 * ETag}: a browser keeps them but asks each time, gets a 304 while they are the same, and never
 * runs the script of an older Weir. The Content-Security-Policy allows scripts, styles and requests
 * of this origin only.
 */
final class Dashboard {
    static final String PATH = "/dashboard/";
    private static final String RESOURCES = "/dev/weir/internal/rest/dashboard/";
    private static final String CSP =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " connect-src 'self'; base-uri 'none'; form-action 'none';"
                    + " frame-ancestors 'none'";
    private static final Map<String, String> TYPES =
            Map.of(
                    "index.html", "text/html; charset=utf-8",
                    "dashboard.js", "text/javascript; charset=utf-8",
                    "dashboard.css", "text/css; charset=utf-8",
                    "uPlot.iife.min.js", "text/javascript; charset=utf-8",
                    "uPlot.min.css", "text/css; charset=utf-8",
                    "uPlot.LICENSE.txt", "text/plain; charset=utf-8");

    private record Asset(byte[] body, String type, String etag) {}

    private final Map<String, Asset> assets;

    private Dashboard(Map<String, Asset> assets) {
        this.assets = assets;
    }

    /** Reads the files; fails naming the one missing (a broken jar). */
    static Dashboard fromClasspath() {
        Map<String, Asset> assets = new LinkedHashMap<>();
        TYPES.forEach((name, type) -> assets.put(name, load(name, type)));
        return new Dashboard(Map.copyOf(assets));
    }

    private static Asset load(String name, String type) {
        try (InputStream in = Dashboard.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new WeirException(
                        "the dashboard file "
                                + RESOURCES
                                + name
                                + " is missing from the classpath");
            }
            byte[] body = in.readAllBytes();
            return new Asset(body, type, etag(body));
        } catch (IOException e) {
            throw new WeirException("cannot read the dashboard file " + RESOURCES + name, e);
        }
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new WeirException("the JDK has no SHA-256", e);
        }
    }

    /**
     * The answer to a GET of {@code path}: {@code /} and {@code /dashboard} redirect to {@code
     * /dashboard/}, which is the page; empty when the path is none of the dashboard's.
     */
    Optional<Response> serve(HttpExchange ex, String path) {
        if (path.equals("/") || path.equals("/dashboard")) {
            return Optional.of(
                    new Response(
                            302,
                            new byte[0],
                            Map.of("Location", PATH, "Content-Type", "text/plain")));
        }
        if (!path.startsWith(PATH)) {
            return Optional.empty();
        }
        String name = path.substring(PATH.length());
        Asset a = assets.get(name.isEmpty() ? "index.html" : name);
        if (a == null) {
            return Optional.empty();
        }
        Map<String, String> headers =
                Map.of(
                        "Content-Type",
                        a.type(),
                        "Cache-Control",
                        "no-cache",
                        "ETag",
                        a.etag(),
                        "Content-Security-Policy",
                        CSP,
                        "Referrer-Policy",
                        "no-referrer",
                        "X-Frame-Options",
                        "DENY");
        boolean unchanged = matches(ex.getRequestHeaders().getFirst("If-None-Match"), a.etag());
        return Optional.of(
                new Response(unchanged ? 304 : 200, unchanged ? new byte[0] : a.body(), headers));
    }

    /**
     * Whether an {@code If-None-Match} header names {@code etag} (weak or strong) or is {@code *}.
     */
    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(etag) || t.equals("*")) {
                return true;
            }
        }
        return false;
    }
}
