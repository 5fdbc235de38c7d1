package dev.weir;

import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import java.util.List;

/**
 * Builds a job from configuration; what {@code ./weir run <class>} loads. Implementations need a
 * public no-argument constructor.
 */
public interface JobFactory {
    /**
     * The job's own configuration keys (besides Weir's and its connectors'), validated at startup.
     */
    List<ConfigOption<?>> options();

    Job create(WeirConfig config);
}
