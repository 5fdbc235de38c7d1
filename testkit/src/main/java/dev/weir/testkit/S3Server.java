package dev.weir.testkit;

import java.net.URI;
import java.util.Map;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3-compatible server inside this JVM: S3Proxy over an in-memory blob store, bound to
 * {@code 127.0.0.1} on a free port, checking AWS signatures (V2 or V4) against fixed test
 * credentials. Multipart upload, ListObjectsV2 pagination and batch delete behave as on S3. Clients
 * must use path-style addressing; {@link #clientConfig()} gives Weir's {@code s3.*} keys for it.
 *
 * <p>Lifecycle: {@link #shared()} starts one server lazily, the first time it is called in a JVM,
 * and every later call returns the same instance; a JVM shutdown hook stops it, {@link #close()} on
 * it does nothing and {@link #stop()} refuses, so that one test cannot take it away from the
 * others. {@link #startPrivate()} starts a server that the caller owns and must {@link #close()};
 * its {@link #stop()} and {@link #start()} simulate an outage: objects survive, and the server
 * comes back on the same port. Starting takes about two seconds cold, milliseconds warm.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
public final class S3Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);
    private static final String HOST = "127.0.0.1";
    private static final String ACCESS_KEY = "weir-test-access-key";
    private static final String SECRET_KEY = "weir-test-secret-key";
    private static final String REGION = "us-east-1";
    private static final long START_TIMEOUT_MS = 30_000;

    private static S3Server shared;
    private static RuntimeException sharedFailure;

    private final BlobStore blobStore;
    private final boolean isShared;
    private int port;
    private S3Proxy proxy;
    private boolean closed;

    private S3Server(boolean isShared) {
        this.blobStore = new TransientNio2BlobStore();
        this.isShared = isShared;
    }

    /**
     * Returns the server shared by every test of this JVM, starting it on the first call. If the
     * first start failed, every later call fails at once with the same cause.
     *
     * @throws IllegalStateException if the server could not be started
     */
    public static synchronized S3Server shared() {
        if (sharedFailure != null) {
            throw new IllegalStateException("the shared S3 server failed to start", sharedFailure);
        }
        if (shared == null) {
            try {
                S3Server s = new S3Server(true);
                s.start();
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(s::shutDown, "weir-s3-server-shutdown"));
                shared = s;
            } catch (RuntimeException e) {
                sharedFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /**
     * Starts a private server with an empty store; the caller owns it and must {@link #close()} it.
     *
     * @throws IllegalStateException if the server could not be started
     */
    public static S3Server startPrivate() {
        S3Server s = new S3Server(false);
        s.start();
        return s;
    }

    /**
     * Starts the server, or starts it again after {@link #stop()} on the same port with the same
     * objects. Does nothing if it is running.
     *
     * @throws IllegalStateException if it was closed or could not be started (for example because
     *     another process took its port while it was stopped)
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("S3 server was closed");
        }
        if (proxy != null) {
            return;
        }
        S3Proxy p =
                S3Proxy.builder()
                        .blobStore(blobStore)
                        .endpoint(URI.create("http://" + HOST + ":" + port))
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                        .ignoreUnknownHeaders(true)
                        .jettyMaxThreads(32)
                        .stopTimeout(0)
                        .build();
        try {
            p.start();
            long deadline = System.nanoTime() + START_TIMEOUT_MS * 1_000_000;
            while (!"STARTED".equals(p.getState())) {
                if (System.nanoTime() > deadline || "FAILED".equals(p.getState())) {
                    throw new IllegalStateException("S3Proxy is " + p.getState());
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            stopQuietly(p);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(
                    "cannot start the S3 server on " + HOST + ":" + port + ": " + e, e);
        }
        port = p.getPort();
        proxy = p;
        LOG.info("S3 server (S3Proxy) listening on {}", endpoint());
    }

    /**
     * Stops a private server: clients get connection errors until {@link #start()}; the objects
     * stay. Does nothing if it is stopped.
     *
     * @throws IllegalStateException on the {@linkplain #shared() shared} server, which other tests
     *     use; stop a {@linkplain #startPrivate() private} one instead
     */
    public synchronized void stop() {
        if (isShared) {
            throw new IllegalStateException(
                    "the shared S3 server cannot be stopped; use S3Server.startPrivate() for an"
                            + " outage test");
        }
        stopServer();
    }

    private synchronized void stopServer() {
        if (proxy != null) {
            S3Proxy p = proxy;
            proxy = null;
            try {
                p.stop();
            } catch (Exception e) {
                if (!"STOPPED".equals(p.getState())) {
                    throw new IllegalStateException(
                            "cannot stop the S3 server on " + endpoint(), e);
                }
                LOG.debug("S3 server on {} stopped with: {}", endpoint(), e.toString());
            }
            LOG.info("S3 server on {} stopped", endpoint());
        }
    }

    private static void stopQuietly(S3Proxy p) {
        try {
            p.stop();
        } catch (Exception e) {
            LOG.debug("S3Proxy did not stop cleanly after a failed start: {}", e.toString());
        }
    }

    public synchronized boolean isRunning() {
        return proxy != null;
    }

    /** {@code http://127.0.0.1:<port>}; the same across {@link #stop()} and {@link #start()}. */
    public synchronized URI endpoint() {
        return URI.create("http://" + HOST + ":" + port);
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** The region clients sign requests for; the server accepts any. */
    public String region() {
        return REGION;
    }

    /** Creates a bucket if it does not exist yet, whether or not the server is running. */
    public void createBucket(String name) {
        if (!blobStore.containerExists(name)) {
            blobStore.createContainer(name);
        }
    }

    /**
     * The configuration that points Weir's S3 checkpoint storage ({@code weir-connectors}) at this
     * server: {@code s3.endpoint}, {@code s3.region}, {@code s3.path-style=true} and the test
     * credentials in {@code s3.access-key} / {@code s3.secret-key}.
     */
    public Map<String, String> clientConfig() {
        return Map.of(
                "s3.endpoint", endpoint().toString(),
                "s3.region", REGION,
                "s3.path-style", "true",
                "s3.access-key", ACCESS_KEY,
                "s3.secret-key", SECRET_KEY);
    }

    /**
     * Stops a private server for good and drops its objects. On the {@linkplain #shared() shared}
     * server this does nothing: that one is stopped when the JVM exits.
     */
    @Override
    public void close() {
        if (!isShared) {
            shutDown();
        }
    }

    private synchronized void shutDown() {
        if (!closed) {
            stopServer();
            closed = true;
            blobStore.close();
        }
    }

    @Override
    public String toString() {
        return "S3Server[" + endpoint() + (isRunning() ? "" : ", stopped") + "]";
    }
}
