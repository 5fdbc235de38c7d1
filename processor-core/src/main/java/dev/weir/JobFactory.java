package dev.weir;

import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import java.util.List;

/**
 * Builds a job from configuration; what {@code weir run} loads. Implementations need a public
 * no-argument constructor. Registered as a service ({@code META-INF/services/dev.weir.JobFactory}),
 * a factory is known to {@code weir run} by its {@link #name()}; otherwise by its class name, or
 * through {@code --jar FILE} (docs/operations.md#jobs).
 */
public interface JobFactory {
    /**
     * The name {@code weir run NAME} knows this job by when it is registered as a service; by
     * default its class name.
     */
    default String name() {
        return getClass().getName();
    }

    /**
     * The job's own configuration keys (besides Weir's and its connectors'), validated at startup.
     */
    List<ConfigOption<?>> options();

    Job create(WeirConfig config);
}
