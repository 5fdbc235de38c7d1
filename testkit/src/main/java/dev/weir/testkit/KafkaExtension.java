package dev.weir.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the JVM's {@linkplain KafkaBrokers#shared() shared broker} into
 * test constructors, test methods and lifecycle methods:
 *
 * <pre>{@code
 * @ExtendWith(KafkaExtension.class)
 * class MyTest {
 *     @Test
 *     void readsBack(KafkaBroker broker, KafkaTestClient kafka) { ... }
 * }
 * }</pre>
 *
 * <p>Parameters of type {@link KafkaBroker} receive the shared broker, which starts on first use
 * and outlives the test: embedded in this JVM, or a container when {@code
 * WEIR_TEST_KAFKA=testcontainers} (see {@link KafkaBrokers}). A parameter of type {@link
 * EmbeddedKafka} always receives the shared embedded broker, for tests that need it in this JVM. A
 * {@link KafkaTestClient} parameter receives a client bound to the shared broker; JUnit closes that
 * client when the scope that asked for it ends (the test method, or the test class for constructor
 * and {@code @BeforeAll} parameters). Tests share one broker, so each should use its own topic
 * names.
 *
 * <p>Stateless and thread-safe; JUnit may use one instance for parallel tests.
 */
public final class KafkaExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KafkaBroker.class
                || type == EmbeddedKafka.class
                || type == KafkaTestClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == EmbeddedKafka.class) {
            return EmbeddedKafka.shared();
        }
        KafkaBroker broker = KafkaBrokers.shared();
        if (type == KafkaTestClient.class) {
            return context.getStore(NAMESPACE)
                    .getOrComputeIfAbsent(
                            KafkaTestClient.class,
                            key -> KafkaTestClient.forBroker(broker),
                            KafkaTestClient.class);
        }
        return broker;
    }
}
