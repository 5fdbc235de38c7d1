package dev.weir.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the JVM's {@linkplain S3Server#shared() shared S3 server} into
 * test constructors, test methods and lifecycle methods; combine it with {@link KafkaExtension} for
 * jobs that read Kafka and checkpoint to S3:
 *
 * <pre>{@code
 * @ExtendWith({KafkaExtension.class, S3Extension.class})
 * class MyTest {
 *     @Test
 *     void checkpointsToS3(KafkaBroker broker, S3Server s3) {
 *         s3.createBucket("checkpoints");
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>The shared server starts on first use and outlives the test; tests share it, so each should
 * use its own bucket or key prefix. A test that stops the server (an outage) starts its own with
 * {@link S3Server#startPrivate()} instead.
 *
 * <p>Stateless and thread-safe; JUnit may use one instance for parallel tests.
 */
public final class S3Extension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == S3Server.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return S3Server.shared();
    }
}
