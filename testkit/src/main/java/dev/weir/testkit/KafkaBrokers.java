package dev.weir.testkit;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * Chooses where the tests' Kafka broker runs, from the environment variable {@value #KAFKA_ENV}:
 *
 * <ul>
 *   <li>unset, empty or {@code embedded}: an {@link EmbeddedKafka} node inside the test JVM (the
 *       default, and what a machine without containers runs);
 *   <li>{@code testcontainers}: a Kafka container started through Testcontainers from the image
 *       named by {@value #IMAGE_ENV} (default {@code apache/kafka:<the Kafka version of the
 *       clients>}). A locally built image, such as {@code localhost/weir/kafka:<version>} from
 *       {@code docker/images/build.sh}, is accepted as a substitute for {@code apache/kafka}.
 *       Testcontainers finds the container engine through its own settings ({@code DOCKER_HOST},
 *       {@code TESTCONTAINERS_RYUK_DISABLED}, {@code TESTCONTAINERS_HOST_OVERRIDE}); see
 *       docs/testing.md.
 * </ul>
 *
 * <p>Any other value fails the first call with a message naming the variable. Testcontainers'
 * classes are only loaded when the variable selects them, so the embedded default works without a
 * container engine and whatever Testcontainers would need from one.
 *
 * <p>Both kinds of broker get the same single-node settings (replication factors 1, one partition
 * for the internal topics, no initial rebalance delay, no automatic topic creation).
 *
 * <p>Thread-safe: any thread may call any method.
 */
public final class KafkaBrokers {

    /** Environment variable that selects the kind of test broker. */
    public static final String KAFKA_ENV = "WEIR_TEST_KAFKA";

    /** Environment variable naming the container image when {@value #KAFKA_ENV} selects one. */
    public static final String IMAGE_ENV = "WEIR_TEST_KAFKA_IMAGE";

    /** Where a test broker runs. */
    enum Kind {
        EMBEDDED,
        TESTCONTAINERS;

        /**
         * Reads {@value #KAFKA_ENV} through {@code env} (a lookup such as {@code System::getenv}).
         */
        static Kind fromEnvironment(UnaryOperator<String> env) {
            String value = env.apply(KAFKA_ENV);
            if (value == null || value.isBlank()) {
                return EMBEDDED;
            }
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "embedded":
                    return EMBEDDED;
                case "testcontainers":
                    return TESTCONTAINERS;
                default:
                    throw new IllegalStateException(
                            KAFKA_ENV
                                    + " must be 'embedded' (the default) or 'testcontainers', got '"
                                    + value
                                    + "'");
            }
        }
    }

    private KafkaBrokers() {}

    /**
     * Returns the broker shared by every test of this JVM, of the kind {@value #KAFKA_ENV} selects,
     * starting it on the first call; it stops when the JVM exits and its {@link
     * KafkaBroker#close()} does nothing. If the first start failed, every later call fails at once
     * with the same cause.
     *
     * @throws IllegalStateException if {@value #KAFKA_ENV} has an unknown value or the broker could
     *     not be started
     */
    public static KafkaBroker shared() {
        if (selected() == Kind.TESTCONTAINERS) {
            return KafkaContainerBroker.shared(image());
        }
        return EmbeddedKafka.shared();
    }

    /**
     * Starts a private broker of the kind {@value #KAFKA_ENV} selects, with the standard
     * single-node settings overridden or extended by {@code extraProps} (broker properties such as
     * {@code transaction.max.timeout.ms}; a container receives them as {@code KAFKA_*} environment
     * variables). The caller owns it and must {@link KafkaBroker#close()} it. A container takes
     * tens of seconds to start: share one where the tests allow it.
     *
     * @throws IllegalStateException if {@value #KAFKA_ENV} has an unknown value or the broker could
     *     not be started
     */
    public static KafkaBroker start(Map<String, String> extraProps) {
        Objects.requireNonNull(extraProps, "extraProps");
        if (selected() == Kind.TESTCONTAINERS) {
            return KafkaContainerBroker.start(image(), extraProps);
        }
        return EmbeddedKafka.start(extraProps);
    }

    /** The kind of broker {@value #KAFKA_ENV} selects in this JVM. */
    static Kind selected() {
        return Kind.fromEnvironment(System::getenv);
    }

    static String image() {
        return imageFrom(System::getenv);
    }

    /** {@value #IMAGE_ENV}, or {@code apache/kafka} at the version of the Kafka clients. */
    static String imageFrom(UnaryOperator<String> env) {
        String image = env.apply(IMAGE_ENV);
        if (image == null || image.isBlank()) {
            return "apache/kafka:" + AppInfoParser.getVersion();
        }
        return image.trim();
    }
}
