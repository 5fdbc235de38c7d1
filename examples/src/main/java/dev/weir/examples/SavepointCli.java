package dev.weir.examples;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code weir savepoint trigger|stop --url http://HOST:PORT [--dir URI]}: asks a running job,
 * through its REST endpoint, for a savepoint (or a stop-with-savepoint), waits for it, and prints
 * its location as the last line. Exit code 0 on success, 1 when the job reports a failure, 2 on a
 * usage error.
 */
final class SavepointCli {
    private static final Pattern LOCATION =
            Pattern.compile("\"location\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern ERROR = Pattern.compile("\"error\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    private SavepointCli() {}

    static int run(List<String> args) throws IOException, InterruptedException {
        if (args.isEmpty() || !(args.get(0).equals("trigger") || args.get(0).equals("stop"))) {
            throw new IllegalArgumentException(
                    "usage: weir savepoint trigger|stop --url http://HOST:PORT [--dir URI]");
        }
        String url = null;
        String dir = null;
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--url") && i + 1 < args.size()) {
                url = args.get(++i).replaceAll("/+$", "");
            } else if (args.get(i).equals("--dir") && i + 1 < args.size()) {
                dir = args.get(++i);
            } else {
                throw new IllegalArgumentException("unknown argument '" + args.get(i) + "'");
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url of the job's REST endpoint is required");
        }
        String path = args.get(0).equals("stop") ? "/stop" : "/savepoints";
        System.out.println(
                (path.equals("/stop") ? "stopping the job with a savepoint" : "taking a savepoint")
                        + " via "
                        + url
                        + " …");
        try {
            System.out.println(request(url, path, dir));
            return 0;
        } catch (IOException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /**
     * POSTs {@code path} ({@code /savepoints} or {@code /stop}) to a job's REST endpoint and
     * returns the savepoint's location.
     *
     * @throws IOException with the job's reason if it failed or could not be reached
     */
    static String request(String url, String path, String dir)
            throws IOException, InterruptedException {
        String query = dir == null ? "" : "?dir=" + URLEncoder.encode(dir, StandardCharsets.UTF_8);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(url + path + query))
                        .timeout(Duration.ofMinutes(30))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException("cannot reach " + url + ": " + e.getMessage(), e);
        }
        Matcher location = LOCATION.matcher(response.body());
        if (response.statusCode() == 200 && location.find()) {
            return unescape(location.group(1));
        }
        Matcher error = ERROR.matcher(response.body());
        throw new IOException(
                error.find()
                        ? unescape(error.group(1))
                        : "HTTP " + response.statusCode() + ": " + response.body());
    }

    private static String unescape(String s) {
        return s.replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\");
    }
}
