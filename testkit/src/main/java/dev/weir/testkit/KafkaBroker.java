package dev.weir.testkit;

/**
 * A running Kafka broker that tests and tools connect to through {@link #bootstrapServers()}.
 *
 * <p>Implementations are {@link EmbeddedKafka} (a KRaft node inside this JVM), {@link
 * KafkaBrokerProcess} (a KRaft node in a child JVM) and a Kafka container that {@link KafkaBrokers}
 * starts when {@code WEIR_TEST_KAFKA=testcontainers}. All are thread-safe: any thread may read the
 * bootstrap address while another closes the broker.
 *
 * <p>Lifecycle: a broker is running when its factory method returns and stays running until {@link
 * #close()}. Closing is idempotent. After close, clients that still point at {@link
 * #bootstrapServers()} fail to connect.
 */
public interface KafkaBroker extends AutoCloseable {

    /**
     * Returns the {@code host:port} list for the {@code bootstrap.servers} client setting. The
     * value does not change for the life of the broker, including across restarts of a {@link
     * KafkaBrokerProcess}.
     */
    String bootstrapServers();

    /** Stops the broker and releases its resources; calling it again has no effect. */
    @Override
    void close();
}
