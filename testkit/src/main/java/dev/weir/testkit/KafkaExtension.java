package dev.weir.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the JVM's {@linkplain EmbeddedKafka#shared() shared embedded
 * broker} into test constructors, test methods and lifecycle methods:
 *
 * <pre>{@code
 * @ExtendWith(KafkaExtension.class)
 * class MyTest {
 *     @Test
 *     void readsBack(KafkaBroker broker, KafkaTestClient kafka) { ... }
 * }
 * }</pre>
 *
 * <p>Parameters of type {@link KafkaBroker} or {@link EmbeddedKafka} receive the shared broker,
 * which starts on first use and outlives the test. A {@link KafkaTestClient} parameter receives a
 * client bound to it; JUnit closes that client when the scope that asked for it ends (the test
 * method, or the test class for constructor and {@code @BeforeAll} parameters). Tests share one
 * broker, so each should use its own topic names.
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
        EmbeddedKafka broker = EmbeddedKafka.shared();
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
