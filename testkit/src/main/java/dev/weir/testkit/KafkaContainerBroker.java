package dev.weir.testkit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node Kafka running in a container through Testcontainers' {@link KafkaContainer}, for
 * {@link KafkaBrokers} when {@code WEIR_TEST_KAFKA=testcontainers}. This is the only class in Weir
 * that touches Testcontainers: nothing else refers to it, so its classes load only when a container
 * is selected.
 *
 * <p>The broker properties of {@link EmbeddedKafka#defaultBrokerProperties()} and any extra ones
 * reach the container as {@code KAFKA_*} environment variables, which the {@code apache/kafka}
 * image (and Weir's compatible {@code localhost/weir/kafka} image) turn into {@code
 * server.properties}.
 *
 * <p>Lifecycle as {@link EmbeddedKafka}: {@link #shared(String)} starts one container per JVM,
 * stopped by a shutdown hook (Testcontainers' reaper container is usually disabled with podman, so
 * nothing else would), and its {@link #close()} does nothing; {@link #start(String, Map)} starts a
 * private one that the caller closes.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
final class KafkaContainerBroker implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaContainerBroker.class);

    /** The image {@link KafkaContainer} accepts; a local build declares itself a substitute. */
    private static final DockerImageName APACHE_KAFKA = DockerImageName.parse("apache/kafka");

    /** Pulling aside, a start takes ~30 s on a shared two-core machine; leave room. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private static final Object SHARED_LOCK = new Object();
    private static KafkaContainerBroker shared;
    private static RuntimeException sharedFailure;

    private final KafkaContainer container;
    private final String bootstrapServers;
    private final boolean isShared;
    private boolean closed;

    private KafkaContainerBroker(KafkaContainer container, boolean isShared) {
        this.container = container;
        this.bootstrapServers = container.getBootstrapServers();
        this.isShared = isShared;
    }

    /**
     * Returns the container shared by this JVM's tests, starting it from {@code image} on the first
     * call; later calls return it whatever image they name. A failed first start fails every later
     * call with the same cause.
     */
    static KafkaContainerBroker shared(String image) {
        synchronized (SHARED_LOCK) {
            if (shared != null) {
                return shared;
            }
            if (sharedFailure != null) {
                throw new IllegalStateException(
                        "the shared Kafka container failed to start earlier in this JVM",
                        sharedFailure);
            }
            try {
                KafkaContainerBroker broker = launch(image, Map.of(), true);
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(broker::shutdown, "weir-kafka-container-shutdown"));
                shared = broker;
                return broker;
            } catch (RuntimeException e) {
                sharedFailure = e;
                throw e;
            }
        }
    }

    /** Starts a private container with the standard settings plus {@code extraProps}. */
    static KafkaContainerBroker start(String image, Map<String, String> extraProps) {
        return launch(image, extraProps, false);
    }

    private static KafkaContainerBroker launch(
            String image, Map<String, String> extraProps, boolean isShared) {
        Map<String, String> props = new LinkedHashMap<>(EmbeddedKafka.defaultBrokerProperties());
        props.putAll(extraProps);
        long startNanos = System.nanoTime();
        KafkaContainer container = new KafkaContainer(imageName(image));
        props.forEach((key, value) -> container.withEnv(environmentName(key), value));
        container.withStartupTimeout(START_TIMEOUT);
        try {
            container.start();
        } catch (RuntimeException e) {
            stopAfterFailure(container, e);
            throw new IllegalStateException(
                    "could not start a Kafka container from image "
                            + image
                            + " (selected by "
                            + KafkaBrokers.KAFKA_ENV
                            + "=testcontainers, image from "
                            + KafkaBrokers.IMAGE_ENV
                            + "); Testcontainers needs DOCKER_HOST pointing at a running Docker"
                            + " API, e.g. unix:///run/podman/podman.sock served by"
                            + " docker/images/build.sh, and with podman"
                            + " TESTCONTAINERS_RYUK_DISABLED=true and"
                            + " TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1",
                    e);
        }
        KafkaContainerBroker broker = new KafkaContainerBroker(container, isShared);
        LOG.info(
                "Started {} Kafka container {} ({}) at {} in {} ms",
                isShared ? "the shared" : "a private",
                container.getContainerId().substring(0, 12),
                image,
                broker.bootstrapServers,
                (System.nanoTime() - startNanos) / 1_000_000);
        return broker;
    }

    private static void stopAfterFailure(KafkaContainer container, RuntimeException cause) {
        try {
            container.stop();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * {@code image} as Testcontainers should see it: {@code apache/kafka[:tag]} as is, any other
     * name (a local build, a mirror) declared compatible with it.
     */
    static DockerImageName imageName(String image) {
        DockerImageName name = DockerImageName.parse(image);
        if (name.getUnversionedPart().equals(APACHE_KAFKA.getUnversionedPart())) {
            return name;
        }
        return name.asCompatibleSubstituteFor(APACHE_KAFKA);
    }

    /**
     * The {@code KAFKA_*} variable that apache/kafka's image maps to broker property {@code
     * property}: upper case, {@code '.'} as {@code '_'}, {@code '_'} as {@code "__"} and {@code
     * '-'} as {@code "___"} ({@code log.dirs} → {@code KAFKA_LOG_DIRS}).
     */
    static String environmentName(String property) {
        return "KAFKA_"
                + property.replace("_", "__")
                        .replace("-", "___")
                        .replace('.', '_')
                        .toUpperCase(Locale.ROOT);
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Stops and removes a private container; on the shared one this does nothing. */
    @Override
    public void close() {
        if (isShared) {
            LOG.debug("Ignoring close() of the shared Kafka container");
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
            container.stop();
            LOG.info("Stopped Kafka container at {}", bootstrapServers);
        } catch (RuntimeException e) {
            LOG.warn(
                    "Failed to stop Kafka container {} at {}; remove it with podman/docker rm -f",
                    container.getContainerId(),
                    bootstrapServers,
                    e);
        }
    }

    @Override
    public String toString() {
        return "KafkaContainerBroker["
                + container.getDockerImageName()
                + ", "
                + bootstrapServers
                + (isShared ? ", shared]" : "]");
    }
}
