package dev.weir.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Confluent-compatible schema registry in a child JVM: Apicurio Registry {@value #VERSION}
 * serving the Confluent REST API under {@code /apis/ccompat/v7}, bound to {@code 127.0.0.1} on a
 * free port, with {@code -Xmx300m}. Clients use {@link #url()} as {@code schema.registry.url}.
 *
 * <p><b>Where the registry comes from.</b> Maven Central has Apicurio's Quarkus build as the zip
 * {@code io.apicurio:apicurio-registry-app:3.0.9:zip:all} (a runner jar and {@code lib/}). On first
 * use it is fetched into the local Maven repository and unpacked into the directory the system
 * property {@value #HOME_PROPERTY} names (the parent POM sets it to {@code
 * target/apicurio-registry-3.0.9}; without it, that directory under the working directory), by
 * {@link RegistryDistribution}.
 *
 * <p><b>Behaviour that differs from a default Apicurio</b>, set so that it acts like Confluent's
 * registry: lookups and registrations compare schemas by canonical form ({@code
 * apicurio.ccompat.use-canonical-hash=true}), so whitespace and key order do not make a new
 * version. The global compatibility level stays Apicurio's {@code NONE} (Confluent's default is
 * {@code BACKWARD}); set a subject's level with {@code PUT /config/{subject}}.
 *
 * <p><b>Lifecycle.</b> {@link #shared()} starts one server, in-memory, the first time it is called
 * in a JVM; later calls return it; a JVM shutdown hook stops it, {@link #close()} on it does
 * nothing and {@link #stop()} refuses. {@link #startPrivate()} starts a server that the caller owns
 * and must {@link #close()}; it keeps its schemas in an H2 file, so {@link #stop()} and {@link
 * #start()} simulate an outage: the server comes back on the same port with the same schemas and
 * ids. Starting takes about 4 s on a warm machine (up to ~20 s on a loaded one); start it only in
 * tests that need it. A child still running when this JVM is killed with SIGKILL keeps running.
 *
 * <p>Each server writes its output, including one access-log line per request, to {@link
 * #logFile()} in its own directory under {@code target/schema-registry} (or the directory in the
 * system property {@value #WORK_DIR_PROPERTY}).
 *
 * <p><b>TLS.</b> {@link #startPrivate(Tls)} serves HTTPS only ({@code quarkus.http.ssl.*}), with
 * the key and certificate chain of a PKCS12 key store; {@link #url()} is then {@code https://}.
 * Client certificates (mutual TLS) cannot be asked for: in this build of Apicurio {@code
 * quarkus.http.ssl.client-auth} is fixed to {@code NONE} at build time.
 *
 * <p>Thread-safety: all methods may be called from any thread; lifecycle methods are serialized.
 */
public final class SchemaRegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);

    /** The Apicurio Registry version this class runs. */
    public static final String VERSION = "3.0.9";

    /** System property: the directory holding Apicurio's runner jar and {@code lib/}. */
    public static final String HOME_PROPERTY = "weir.schema-registry.home";

    /** System property: where each server gets a directory for its log (and data). */
    public static final String WORK_DIR_PROPERTY = "weir.schema-registry.work-dir";

    static final String API_PATH = "/apis/ccompat/v7";
    private static final String HOST = "127.0.0.1";
    private static final String RUNNER_JAR = "apicurio-registry-app-" + VERSION + "-runner.jar";
    private static final String PROBE_AGENT = "weir-testkit-readiness-probe";
    private static final Pattern ACCESS_LINE =
            Pattern.compile(
                    "apicurio-registry\\.access method=\"([A-Z]+)\" path=\"([^\"]*)\""
                            + ".*user_agent=\"([^\"]*)\"");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final int LOG_TAIL_LINES = 40;

    /**
     * The key of an HTTPS server: a PKCS12 store whose one key entry has the server's key and its
     * certificate chain. The certificate must name {@code 127.0.0.1} (subject alternative name
     * {@code IP:127.0.0.1}): clients, and this class's readiness probe, verify it. The probe trusts
     * the chain in the store; clients need its issuer in their trust store. The password reaches
     * the child JVM as a system property (visible in its command line): use a test password.
     */
    public record Tls(Path keyStore, String password) {
        public Tls {
            Objects.requireNonNull(keyStore, "keyStore");
            Objects.requireNonNull(password, "password");
        }
    }

    private static SchemaRegistryServer shared;
    private static RuntimeException sharedFailure;

    private final Path home;
    private final Path dir;
    private final boolean isShared;
    private final int port;
    private final Optional<Tls> tls;
    private Process process;
    private boolean closed;

    private SchemaRegistryServer(
            Path home, Path dir, boolean isShared, int port, Optional<Tls> tls) {
        this.home = home;
        this.dir = dir;
        this.isShared = isShared;
        this.port = port;
        this.tls = tls;
    }

    /**
     * Returns the server shared by every test of this JVM, starting it on the first call. If that
     * start failed, every later call fails at once with the same cause.
     *
     * @throws IllegalStateException if the registry is not unpacked or did not start
     */
    public static synchronized SchemaRegistryServer shared() {
        if (sharedFailure != null) {
            throw new IllegalStateException(
                    "the shared schema registry failed to start", sharedFailure);
        }
        if (shared == null) {
            try {
                SchemaRegistryServer s = create(defaultHome(), true, Optional.empty());
                s.start();
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(s::shutDown, "weir-schema-registry-shutdown"));
                shared = s;
            } catch (RuntimeException e) {
                sharedFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /**
     * Starts a registry of its own for the caller, who must {@link #close()} it: empty, on a free
     * port, with its schemas in a file so that they survive {@link #stop()} and {@link #start()}.
     *
     * @throws IllegalStateException if the registry is not unpacked or did not start
     */
    public static SchemaRegistryServer startPrivate() {
        return startPrivate(defaultHome());
    }

    /**
     * Like {@link #startPrivate()}, with Apicurio's unpacked {@code all} zip in {@code home}: for
     * launchers and demos outside a Maven test run.
     */
    public static SchemaRegistryServer startPrivate(Path home) {
        SchemaRegistryServer s = create(home, false, Optional.empty());
        s.start();
        return s;
    }

    /**
     * Like {@link #startPrivate()}, serving HTTPS only, with the key in {@code tls}: {@link #url()}
     * is {@code https://127.0.0.1:<port>/apis/ccompat/v7}; plain HTTP is not served.
     *
     * @throws IllegalArgumentException if the key store cannot be read with the password
     * @throws IllegalStateException if the registry is not unpacked or did not start
     */
    public static SchemaRegistryServer startPrivate(Tls tls) {
        Objects.requireNonNull(tls, "tls");
        probeContext(tls); // a bad store fails here, naming it, rather than in the child's log
        SchemaRegistryServer s = create(defaultHome(), false, Optional.of(tls));
        s.start();
        return s;
    }

    private static SchemaRegistryServer create(Path home, boolean isShared, Optional<Tls> tls) {
        Path h = checkHome(home);
        int port = freePort();
        Path dir = workRoot().resolve((isShared ? "shared-" : "private-") + port);
        try {
            deleteRecursively(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create schema registry directory " + dir, e);
        }
        return new SchemaRegistryServer(h, dir, isShared, port, tls);
    }

    /**
     * Starts the child process, or starts it again after {@link #stop()} on the same port (a
     * private server also with the same schemas), and waits until the Confluent API answers. Does
     * nothing if it is running.
     *
     * @throws IllegalStateException if it was closed, or did not answer within 120 s; the message
     *     holds the end of its log
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("schema registry " + url() + " was closed");
        }
        if (isRunning()) {
            return;
        }
        long startNanos = System.nanoTime();
        List<String> command = command();
        LOG.debug("Launching schema registry: {}", command);
        try {
            process =
                    new ProcessBuilder(command)
                            .directory(dir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                            .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch the schema registry in " + dir, e);
        }
        awaitReady();
        LOG.info(
                "Schema registry (Apicurio {}) process {} serving {} after {} ms; log {}",
                VERSION,
                process.pid(),
                url(),
                (System.nanoTime() - startNanos) / 1_000_000,
                logFile());
    }

    /**
     * Stops a private server (SIGTERM, then SIGKILL after 20 s): clients get connection errors
     * until {@link #start()}. Does nothing if it is stopped.
     *
     * @throws IllegalStateException on the {@linkplain #shared() shared} server, which other tests
     *     use; stop a {@linkplain #startPrivate() private} one instead
     */
    public synchronized void stop() {
        if (isShared) {
            throw new IllegalStateException(
                    "the shared schema registry cannot be stopped; use"
                            + " SchemaRegistryServer.startPrivate() for an outage test");
        }
        stopProcess();
    }

    /** Kills a private server at once (SIGKILL); otherwise like {@link #stop()}. */
    public synchronized void kill() {
        if (isShared) {
            throw new IllegalStateException("the shared schema registry cannot be killed");
        }
        if (isRunning()) {
            process.destroyForcibly();
            waitFor(process, STOP_TIMEOUT);
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * The Confluent-compatible base URL, {@code http://127.0.0.1:<port>/apis/ccompat/v7} ({@code
     * https://} with {@link Tls}), for {@code schema.registry.url}; the same across {@link #stop()}
     * and {@link #start()}.
     */
    public String url() {
        return (tls.isPresent() ? "https://" : "http://") + HOST + ":" + port + API_PATH;
    }

    public int port() {
        return port;
    }

    /** {@code schema.registry.url} pointing at this server. */
    public Map<String, String> clientConfig() {
        return Map.of("schema.registry.url", url());
    }

    /** The file with the registry's output and access log, across restarts. */
    public Path logFile() {
        return dir.resolve("registry.log");
    }

    /**
     * The requests this server has answered so far, as {@code "METHOD /path"} in order, without
     * this class's readiness probes: read from the access log, so a request shows up a few
     * milliseconds after its response (poll when counting right after a call).
     */
    public List<String> requests() {
        List<String> out = new ArrayList<>();
        if (!Files.exists(logFile())) {
            return out;
        }
        try (Stream<String> lines = Files.lines(logFile(), StandardCharsets.UTF_8)) {
            lines.forEach(
                    line -> {
                        Matcher m = ACCESS_LINE.matcher(line);
                        if (m.find() && !m.group(3).equals(PROBE_AGENT)) {
                            out.add(m.group(1) + " " + m.group(2));
                        }
                    });
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("cannot read schema registry log " + logFile(), e);
        }
        return out;
    }

    /**
     * Stops a private server for good and deletes its schemas. On the {@linkplain #shared() shared}
     * server this does nothing: that one is stopped when the JVM exits.
     */
    @Override
    public void close() {
        if (!isShared) {
            shutDown();
            try {
                deleteRecursively(dir.resolve("data"));
            } catch (IOException e) {
                LOG.warn("cannot delete schema registry data in {}: {}", dir, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "SchemaRegistryServer[" + url() + (isRunning() ? "" : ", stopped") + "]";
    }

    /**
     * Starts a private registry (from {@code args[0]}, else from {@value #HOME_PROPERTY} or {@code
     * target/apicurio-registry-3.0.9}), prints {@code schema.registry.url=<url>} and runs until
     * this JVM is terminated, which stops the registry.
     */
    public static void main(String[] args) throws InterruptedException {
        Path home = args.length > 0 ? Path.of(args[0]) : defaultHome();
        SchemaRegistryServer server = startPrivate(home);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "weir-registry-stop"));
        System.out.println("schema.registry.url=" + server.url());
        System.out.flush();
        Process child;
        synchronized (server) {
            child = server.process;
        }
        int exitCode = child.waitFor();
        LOG.error(
                "Schema registry exited on its own with code {}; see {}",
                exitCode,
                server.logFile());
        System.exit(1);
    }

    private synchronized void shutDown() {
        if (!closed) {
            stopProcess();
            closed = true;
        }
    }

    private synchronized void stopProcess() {
        if (!isRunning()) {
            return;
        }
        LOG.info("Stopping schema registry process {} at {}", process.pid(), url());
        process.destroy();
        if (!waitFor(process, STOP_TIMEOUT)) {
            process.destroyForcibly();
            waitFor(process, STOP_TIMEOUT);
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx300m");
        command.add("-XX:+UseSerialGC");
        // C1 only: the registry starts faster and a test never runs it long enough for C2 to pay.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Djava.io.tmpdir=" + dir);
        command.add("-Dquarkus.http.host=" + HOST);
        if (tls.isPresent()) {
            command.add("-Dquarkus.http.ssl-port=" + port);
            command.add("-Dquarkus.http.insecure-requests=disabled");
            command.add("-Dquarkus.http.ssl.certificate.key-store-file=" + tls.get().keyStore());
            command.add("-Dquarkus.http.ssl.certificate.key-store-file-type=PKCS12");
            command.add(
                    "-Dquarkus.http.ssl.certificate.key-store-password=" + tls.get().password());
        } else {
            command.add("-Dquarkus.http.port=" + port);
        }
        // No identity provider: authentication is off, and nothing should try to reach one.
        command.add("-Dquarkus.oidc.tenant-enabled=false");
        command.add("-Dapicurio.ccompat.use-canonical-hash=true");
        command.add("-Dapicurio.datasource.jdbc.initial-size=2");
        command.add("-Dapicurio.datasource.jdbc.min-size=2");
        command.add("-Dapicurio.import.work-dir=" + dir);
        command.add("-Dapicurio.storage.snapshot.location=" + dir);
        if (!isShared) {
            command.add(
                    "-Dapicurio.datasource.url=jdbc:h2:file:"
                            + dir.resolve("data").resolve("registry"));
        }
        command.add("-jar");
        command.add(home.resolve(RUNNER_JAR).toString());
        return command;
    }

    private void awaitReady() {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        tls.ifPresent(t -> builder.sslContext(probeContext(t)));
        HttpClient http = builder.build();
        HttpRequest probe =
                HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                        .header("User-Agent", PROBE_AGENT)
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "schema registry on port "
                                + port
                                + " exited with code "
                                + process.exitValue()
                                + " before it served requests; end of "
                                + logFile()
                                + ":\n"
                                + tail());
            }
            try {
                HttpResponse<Void> r = http.send(probe, HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                LOG.trace("schema registry not ready yet: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopProcess();
                throw new IllegalStateException("interrupted while starting the registry", e);
            }
            if (System.nanoTime() > deadline) {
                stopProcess();
                throw new IllegalStateException(
                        "schema registry did not answer "
                                + url()
                                + "/subjects within "
                                + START_TIMEOUT
                                + "; end of "
                                + logFile()
                                + ":\n"
                                + tail());
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /**
     * Trusts the certificates of {@code tls}'s store, so the probe verifies the server it started.
     */
    private static SSLContext probeContext(Tls tls) {
        try {
            KeyStore keys =
                    KeyStore.getInstance(tls.keyStore().toFile(), tls.password().toCharArray());
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            for (String alias : Collections.list(keys.aliases())) {
                Certificate[] chain = keys.getCertificateChain(alias);
                for (int i = 0; chain != null && i < chain.length; i++) {
                    trust.setCertificateEntry(alias + "-" + i, chain[i]);
                }
            }
            if (trust.size() == 0) {
                throw new IllegalArgumentException(
                        "key store " + tls.keyStore() + " has no key entry with a certificate");
            }
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot read the registry's TLS key store " + tls.keyStore() + ": " + e, e);
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join(
                    "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    static Path defaultHome() {
        String property = System.getProperty(HOME_PROPERTY);
        return property != null && !property.isBlank()
                ? Path.of(property)
                : Path.of("target", "apicurio-registry-" + VERSION);
    }

    private static Path checkHome(Path home) {
        Objects.requireNonNull(home, "home");
        Path h = home.toAbsolutePath();
        if (!Files.isRegularFile(h.resolve(RUNNER_JAR)) && home.equals(defaultHome())) {
            RegistryDistribution.ensure(VERSION, h, RUNNER_JAR);
        }
        if (!Files.isRegularFile(h.resolve(RUNNER_JAR))) {
            throw new IllegalStateException(
                    "no Apicurio Registry "
                            + VERSION
                            + " in "
                            + h
                            + " (expected "
                            + RUNNER_JAR
                            + " and lib/). Unpack"
                            + " io.apicurio:apicurio-registry-app:"
                            + VERSION
                            + ":zip:all there and set -D"
                            + HOME_PROPERTY
                            + "=<dir>");
        }
        return h;
    }

    private static Path workRoot() {
        String property = System.getProperty(WORK_DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath();
        }
        Path target = Path.of("target");
        return Files.isDirectory(target)
                ? target.resolve("schema-registry").toAbsolutePath()
                : Path.of(System.getProperty("java.io.tmpdir"), "weir-schema-registry");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the registry", e);
        }
    }
}
