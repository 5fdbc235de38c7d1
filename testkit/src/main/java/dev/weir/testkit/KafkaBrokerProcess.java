package dev.weir.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (broker and controller combined) running in a child JVM,
 * for demos, crash tests and benchmarks: unlike {@link EmbeddedKafka} it can be killed with {@code
 * kill -9} and restarted on the same data, and its work does not share this JVM's heap.
 *
 * <p>The child runs {@code kafka.Kafka} from this JVM's own class path (so the Kafka broker jars
 * must be on it, as they are for any module that depends on the testkit) with {@code -Xmx512m}. Its
 * stdout and stderr go to {@code broker.log} in the data directory. Both listeners bind to {@code
 * 127.0.0.1} on free ports picked at the first start; later starts on the same data directory (a
 * {@link #restart()}, or a new {@link #start} of the same directory) reuse them if they are still
 * free.
 *
 * <p>Broker settings are those of {@link EmbeddedKafka} plus a 4 s broker session ({@code
 * broker.session.timeout.ms}, 1 s heartbeats), so that a node restarted after {@link #kill()}
 * re-registers within about 5 s instead of waiting out the default 9 s; {@code extraProps} override
 * any of them.
 *
 * <p>Lifecycle: {@link #start} returns once the broker logged that it started. {@link #stop()}
 * shuts it down gracefully (SIGTERM), {@link #kill()} destroys it at once (SIGKILL), and {@link
 * #restart()} starts it again on the same data directory and ports. {@link #close()} is {@link
 * #stop()}. The data directory belongs to the caller and is never deleted. A JVM shutdown hook
 * stops brokers still running when this JVM exits normally; if this JVM itself is killed with
 * SIGKILL the child keeps running.
 *
 * <p>Thread-safety: all methods may be called from any thread; lifecycle methods are serialized.
 */
public final class KafkaBrokerProcess implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);

    private static final String STARTED_MESSAGE = "Kafka Server started";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 60;
    private static final String LOG4J_RESOURCE = "broker-log4j2.xml";

    private static final Set<KafkaBrokerProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                KafkaBrokerProcess::stopAllRunning,
                                "weir-broker-process-shutdown"));
    }

    private final Path dataDir;
    private final Path configFile;
    private final Path log4jConfigFile;
    private final Path logFile;
    private final int brokerPort;
    private final String classpath;
    private Process process;

    private KafkaBrokerProcess(Path dataDir, int brokerPort) {
        this.dataDir = dataDir;
        this.configFile = dataDir.resolve("server.properties");
        this.log4jConfigFile = dataDir.resolve("log4j2.xml");
        this.logFile = dataDir.resolve("broker.log");
        this.brokerPort = brokerPort;
        this.classpath = ChildClasspath.ofThisJvm();
    }

    /**
     * Starts a broker on {@code dataDir} (created if missing), formatting its storage first unless
     * the directory already holds a formatted log directory, and waits up to 90 s until it serves
     * clients.
     *
     * @param extraProps broker properties that override or extend the single-node defaults
     * @throws IllegalStateException if the broker did not start; the message holds the tail of its
     *     log
     * @throws UncheckedIOException if the data directory or its files cannot be written
     */
    public static KafkaBrokerProcess start(Path dataDir, Map<String, String> extraProps) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(extraProps, "extraProps");
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
            int[] ports = choosePorts(dir);
            KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, ports[0]);
            broker.writeConfig(ports[1], extraProps);
            broker.formatIfNeeded();
            broker.launch();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka data directory " + dir, e);
        }
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Returns the file that receives the broker's stdout and stderr, across restarts. */
    public Path logFile() {
        return logFile;
    }

    /** Returns whether the child process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Stops the broker gracefully with SIGTERM and waits up to 60 s for it to exit, then kills it.
     * Does nothing if it is not running.
     */
    public synchronized void stop() {
        RUNNING.remove(this);
        if (!isRunning()) {
            return;
        }
        LOG.info("Stopping Kafka broker process {} at {}", process.pid(), bootstrapServers());
        process.destroy();
        if (!waitFor(process, STOP_TIMEOUT)) {
            LOG.warn(
                    "Kafka broker process {} did not stop within {}; killing it",
                    process.pid(),
                    STOP_TIMEOUT);
            process.destroyForcibly();
            waitFor(process, KILL_TIMEOUT);
        }
    }

    /** Kills the broker at once (SIGKILL), like a machine crash, and waits until it is gone. */
    public synchronized void kill() {
        RUNNING.remove(this);
        if (!isRunning()) {
            return;
        }
        LOG.info("Killing Kafka broker process {} at {}", process.pid(), bootstrapServers());
        process.destroyForcibly();
        if (!waitFor(process, KILL_TIMEOUT)) {
            throw new IllegalStateException(
                    "Kafka broker process "
                            + process.pid()
                            + " survived SIGKILL for "
                            + KILL_TIMEOUT);
        }
    }

    /**
     * Starts the broker again on the same data directory and ports, stopping it gracefully first if
     * it is running, and waits until it serves clients.
     *
     * @throws IllegalStateException if it did not start within 90 s
     */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "KafkaBrokerProcess[" + bootstrapServers() + ", " + dataDir + "]";
    }

    /**
     * Starts a broker on the data directory {@code args[0]}, with optional {@code key=value} broker
     * properties in the following arguments, prints {@code bootstrap.servers=host:port} and runs
     * until this JVM is terminated, which stops the broker.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: KafkaBrokerProcess <data-dir> [broker.property=value ...]");
            System.exit(2);
        }
        Map<String, String> extraProps = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("expected broker.property=value, got '" + args[i] + "'");
                System.exit(2);
            }
            extraProps.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        KafkaBrokerProcess broker = start(Path.of(args[0]), extraProps);
        System.out.println("bootstrap.servers=" + broker.bootstrapServers());
        System.out.flush();
        Process child;
        synchronized (broker) {
            child = broker.process;
        }
        int exitCode = child.waitFor();
        if (!RUNNING.contains(broker)) {
            return; // stopped by the shutdown hook
        }
        LOG.error(
                "Kafka broker process exited on its own with code {}; see {}",
                exitCode,
                broker.logFile);
        System.exit(1);
    }

    private static void stopAllRunning() {
        for (KafkaBrokerProcess broker : List.copyOf(RUNNING)) {
            broker.stop();
        }
    }

    /** Returns {brokerPort, controllerPort}: the ones recorded in {@code dir} if still free. */
    private static int[] choosePorts(Path dir) throws IOException {
        Path portsFile = dir.resolve("ports.properties");
        if (Files.exists(portsFile)) {
            Properties recorded = new Properties();
            try (InputStream in = Files.newInputStream(portsFile)) {
                recorded.load(in);
            }
            int broker = Integer.parseInt(recorded.getProperty("broker"));
            int controller = Integer.parseInt(recorded.getProperty("controller"));
            if (isFree(broker) && isFree(controller)) {
                return new int[] {broker, controller};
            }
            LOG.warn(
                    "Ports {} and {} recorded in {} are taken; picking new ones",
                    broker,
                    controller,
                    portsFile);
        }
        int[] ports = {freePort(), freePort()};
        while (ports[1] == ports[0]) {
            ports[1] = freePort();
        }
        String text = "broker=" + ports[0] + "\ncontroller=" + ports[1] + "\n";
        Files.writeString(portsFile, text, StandardCharsets.UTF_8);
        return ports;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            LOG.debug("Port {} is not free: {}", port, e.toString());
            return false;
        }
    }

    private void writeConfig(int controllerPort, Map<String, String> extraProps)
            throws IOException {
        String host = "127.0.0.1";
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", host + ":" + controllerPort);
        props.put(
                "listeners",
                "PLAINTEXT://"
                        + host
                        + ":"
                        + brokerPort
                        + ",CONTROLLER://"
                        + host
                        + ":"
                        + controllerPort);
        props.put(
                "advertised.listeners",
                "PLAINTEXT://"
                        + host
                        + ":"
                        + brokerPort
                        + ",CONTROLLER://"
                        + host
                        + ":"
                        + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        props.put("log.dirs", dataDir.resolve("kafka-logs").toString());
        props.putAll(EmbeddedKafka.defaultBrokerProperties());
        // After a kill the restarted node cannot register until the session of its previous
        // incarnation expires (default 9 s); a shorter session makes crash tests restart faster.
        props.put("broker.heartbeat.interval.ms", "1000");
        props.put("broker.session.timeout.ms", "4000");
        props.putAll(extraProps);
        StringBuilder text = new StringBuilder("# Written by Weir's KafkaBrokerProcess\n");
        props.forEach(
                (key, value) -> text.append(key).append('=').append(escape(value)).append('\n'));
        Files.writeString(configFile, text, StandardCharsets.UTF_8);
        try (InputStream in = KafkaBrokerProcess.class.getResourceAsStream(LOG4J_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + LOG4J_RESOURCE + " is missing");
            }
            Files.copy(in, log4jConfigFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }

    private void formatIfNeeded() throws IOException {
        if (Files.exists(dataDir.resolve("kafka-logs").resolve("meta.properties"))) {
            LOG.info("Kafka data directory {} is already formatted", dataDir);
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        Path formatLog = dataDir.resolve("format.log");
        Process format =
                new ProcessBuilder(
                                javaCommand(
                                        "kafka.tools.StorageTool",
                                        "format",
                                        "-t",
                                        clusterId,
                                        "-c",
                                        configFile.toString(),
                                        "--standalone"))
                        .redirectErrorStream(true)
                        .redirectOutput(formatLog.toFile())
                        .start();
        if (!waitFor(format, FORMAT_TIMEOUT)) {
            format.destroyForcibly();
            throw new IllegalStateException(
                    "formatting "
                            + dataDir
                            + " took longer than "
                            + FORMAT_TIMEOUT
                            + ":\n"
                            + tail(formatLog, 0));
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException(
                    "formatting "
                            + dataDir
                            + " failed with exit code "
                            + format.exitValue()
                            + ":\n"
                            + tail(formatLog, 0));
        }
        LOG.info("Formatted Kafka data directory {} with cluster id {}", dataDir, clusterId);
    }

    private synchronized void launch() {
        long startNanos = System.nanoTime();
        long logOffset;
        List<String> command = javaCommand("kafka.Kafka", configFile.toString());
        LOG.debug("Launching Kafka broker process: {}", command);
        try {
            logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
            process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                            .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch a Kafka broker process on " + dataDir, e);
        }
        RUNNING.add(this);
        awaitStarted(logOffset);
        LOG.info(
                "Kafka broker process {} started at {} on {} in {} ms",
                process.pid(),
                bootstrapServers(),
                dataDir,
                (System.nanoTime() - startNanos) / 1_000_000);
    }

    private void awaitStarted(long logOffset) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        StringBuilder output = new StringBuilder();
        long offset = logOffset;
        while (true) {
            offset = readNew(offset, output);
            if (output.indexOf(STARTED_MESSAGE) >= 0) {
                return;
            }
            if (!process.isAlive()) {
                RUNNING.remove(this);
                throw new IllegalStateException(
                        "Kafka broker process on "
                                + dataDir
                                + " exited with code "
                                + process.exitValue()
                                + " before it started; end of "
                                + logFile
                                + ":\n"
                                + tail(logFile, logOffset));
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException(
                        "Kafka broker process on "
                                + dataDir
                                + " did not log '"
                                + STARTED_MESSAGE
                                + "' within "
                                + START_TIMEOUT
                                + "; end of "
                                + logFile
                                + ":\n"
                                + tail(logFile, logOffset));
            }
            sleep(Duration.ofMillis(100));
        }
    }

    private long readNew(long offset, StringBuilder output) {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            if (length <= offset) {
                return offset;
            }
            byte[] bytes = new byte[(int) (length - offset)];
            file.seek(offset);
            file.readFully(bytes);
            output.append(new String(bytes, StandardCharsets.UTF_8));
            return length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Kafka broker log " + logFile, e);
        }
    }

    private List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-Dlog4j2.configurationFile=" + log4jConfigFile);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    private static String tail(Path file, long fromOffset) {
        if (!Files.exists(file)) {
            return "(no output)";
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
        int from = (int) Math.min(fromOffset, bytes.length);
        String text = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        int first = Math.max(0, lines.size() - LOG_TAIL_LINES);
        return String.join("\n", lines.subList(first, lines.size()));
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for process " + p.pid(), e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
        }
    }
}
