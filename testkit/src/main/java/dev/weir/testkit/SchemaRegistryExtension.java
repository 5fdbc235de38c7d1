package dev.weir.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the JVM's {@linkplain SchemaRegistryServer#shared() shared schema
 * registry} into test constructors, test methods and lifecycle methods:
 *
 * <pre>{@code
 * @ExtendWith(SchemaRegistryExtension.class)
 * class MyTest {
 *     @Test
 *     void registers(SchemaRegistryServer registry) {
 *         Map<String, String> config = registry.clientConfig(); // schema.registry.url
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>The registry starts (a few seconds) when the first parameter asks for it, not when the class
 * loads, and outlives the test; tests share it, so each should use its own subject names. A test
 * that stops the registry (an outage) starts its own with {@link
 * SchemaRegistryServer#startPrivate()} instead.
 *
 * <p>Stateless and thread-safe; JUnit may use one instance for parallel tests.
 */
public final class SchemaRegistryExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SchemaRegistryServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return SchemaRegistryServer.shared();
    }
}
