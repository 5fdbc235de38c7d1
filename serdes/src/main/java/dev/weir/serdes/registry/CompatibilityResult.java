package dev.weir.serdes.registry;

import java.util.List;

/**
 * The registry's verdict on a schema against a subject's latest version under the subject's
 * compatibility level, with its reasons when it gives any (Confluent does when asked verbosely;
 * Apicurio 3.0 gives none).
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }
}
