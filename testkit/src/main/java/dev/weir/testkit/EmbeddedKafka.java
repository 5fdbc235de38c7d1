package dev.weir.testkit;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real KRaft Kafka node (broker and controller combined) running inside this JVM, built on
 * Kafka's own test kit. This is the only class in Weir that touches that internal Kafka API.
 *
 * <p>The broker is configured for a single node: replication factors and the transaction log's min
 * ISR are 1, the internal topics have one partition, consumer groups rebalance without initial
 * delay and topics are never created automatically (tests create them with {@link
 * KafkaTestClient#createTopic(String, int)}). It runs at the release's production metadata version
 * and default feature levels (transaction version 2), like a freshly formatted {@link
 * KafkaBrokerProcess}, not at the test kit's default unstable metadata version.
 *
 * <p>Lifecycle: {@link #shared()} starts one broker lazily, the first time it is called in a JVM,
 * and every later call returns the same instance; a JVM shutdown hook stops it, and {@link
 * #close()} on it does nothing so that one test cannot take the broker away from the others. {@link
 * #start(Map)} starts a private broker that the caller must {@link #close()}. Starting takes from
 * about one second to ten, depending on how warm the JVM and the machine are.
 *
 * <p>Tests that can run against a container as well ask {@link KafkaBrokers} (or {@link
 * KafkaExtension}) for their broker: it returns this one unless {@code WEIR_TEST_KAFKA} selects a
 * container.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
public final class EmbeddedKafka implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final Object SHARED_LOCK = new Object();
    private static EmbeddedKafka shared;
    private static RuntimeException sharedFailure;

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;
    private final boolean isShared;
    private boolean closed;

    private EmbeddedKafka(KafkaClusterTestKit cluster, boolean isShared) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
        this.isShared = isShared;
    }

    /**
     * Returns the broker shared by every test of this JVM, starting it on the first call. If the
     * first start failed, every later call fails at once with the same cause instead of trying
     * again.
     *
     * @throws IllegalStateException if the broker could not be started
     */
    /**
     * Stops the shared broker while the JVM exits. The JVM's exit status is already decided: the
     * broker's fatal-error handling must not change it with {@code Exit.halt}/{@code Exit.exit} (a
     * test JVM would end non-zero after every test passed), so those only log here.
     */
    private static void shutdownAtExit(EmbeddedKafka broker) {
        Exit.Procedure logOnly =
                (code, message) ->
                        LOG.warn(
                                "the shared Kafka broker asked to end the JVM with status {} while"
                                        + " it was exiting: {}",
                                code,
                                message);
        Exit.setExitProcedure(logOnly);
        Exit.setHaltProcedure(logOnly);
        broker.shutdown();
    }

    public static EmbeddedKafka shared() {
        synchronized (SHARED_LOCK) {
            if (shared != null) {
                return shared;
            }
            if (sharedFailure != null) {
                throw new IllegalStateException(
                        "the shared embedded Kafka broker failed to start earlier in this JVM",
                        sharedFailure);
            }
            try {
                EmbeddedKafka broker = launch(Map.of(), true);
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () -> shutdownAtExit(broker),
                                        "weir-embedded-kafka-shutdown"));
                shared = broker;
                return broker;
            } catch (RuntimeException e) {
                sharedFailure = e;
                throw e;
            }
        }
    }

    /**
     * Starts a private broker with the standard single-node settings overridden or extended by
     * {@code extraProps} (for example {@code transaction.max.timeout.ms}). The caller owns it and
     * must {@link #close()} it.
     *
     * @throws IllegalStateException if the broker could not be started
     */
    public static EmbeddedKafka start(Map<String, String> extraProps) {
        Objects.requireNonNull(extraProps, "extraProps");
        return launch(extraProps, false);
    }

    private static EmbeddedKafka launch(Map<String, String> extraProps, boolean isShared) {
        Map<String, String> props = new LinkedHashMap<>(defaultBrokerProperties());
        props.putAll(extraProps);
        long startNanos = System.nanoTime();
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes =
                    new TestKitNodes.Builder(productionBootstrapMetadata())
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            props.forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(cluster, e);
            throw new IllegalStateException(
                    "could not start an embedded Kafka broker with properties " + props, e);
        }
        EmbeddedKafka broker = new EmbeddedKafka(cluster, isShared);
        LOG.info(
                "Started {} embedded Kafka broker at {} in {} ms",
                isShared ? "the shared" : "a private",
                broker.bootstrapServers,
                (System.nanoTime() - startNanos) / 1_000_000);
        return broker;
    }

    /**
     * Returns what {@code kafka-storage format} writes by default: the latest production metadata
     * version and every production feature at its default level for it. The test kit's own default
     * is the unstable testing version, and its {@code setBootstrapMetadataVersion} drops every
     * feature record after {@code metadata.version} (Kafka 4.3.1), which would leave the broker at
     * transaction version 0.
     */
    private static BootstrapMetadata productionBootstrapMetadata() {
        MetadataVersion version = MetadataVersion.latestProduction();
        Map<String, Short> features = new HashMap<>();
        for (Feature feature : Feature.PRODUCTION_FEATURES) {
            features.put(feature.featureName(), feature.defaultLevel(version));
        }
        return BootstrapMetadata.fromVersions(version, features, "weir-embedded-kafka");
    }

    /** The broker settings every Weir test broker uses: one node, no automatic topics. */
    static Map<String, String> defaultBrokerProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        return props;
    }

    private static void closeQuietly(KafkaClusterTestKit cluster, Exception cause) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Stops a private broker and deletes its data. On the {@linkplain #shared() shared} broker this
     * does nothing: that one is stopped when the JVM exits.
     */
    @Override
    public void close() {
        if (isShared) {
            LOG.debug("Ignoring close() of the shared embedded Kafka broker");
            return;
        }
        shutdown();
    }

    private synchronized void shutdown() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cluster.close();
            LOG.info("Stopped embedded Kafka broker at {}", bootstrapServers);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Failed to stop embedded Kafka broker at {} cleanly", bootstrapServers, e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers + (isShared ? ", shared]" : "]");
    }
}
