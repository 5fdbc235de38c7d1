package dev.weir.internal.rest;

import dev.weir.config.CheckpointOptions;
import dev.weir.config.ConfigOption;
import dev.weir.config.JobOptions;
import dev.weir.config.RestOptions;
import dev.weir.config.RestartOptions;
import dev.weir.config.SavepointOptions;
import dev.weir.config.WeirConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The job's effective configuration as {@code GET /config} shows it: every key that was set, and
 * the defaults of the core's own keys, with secrets replaced by {@value #REDACTED}. A value is
 * secret when its option says so ({@link ConfigOption#secret}), or when its key looks like one —
 * the connectors' options and the Kafka client properties passed through are not known here, and a
 * {@code sasl.jaas.config} or {@code ssl.key.password} must not leak.
 */
final class ConfigView {
    static final String REDACTED = "<redacted>";

    /** Parts of a key that mark its value as secret, lower case. */
    private static final List<String> SECRET_WORDS =
            List.of("password", "secret", "token", "credential", "user.info", "jaas", "key");

    private ConfigView() {}

    static List<ConfigOption<?>> coreOptions() {
        List<ConfigOption<?>> all = new ArrayList<>();
        all.addAll(JobOptions.all());
        all.addAll(CheckpointOptions.all());
        all.addAll(RestartOptions.all());
        all.addAll(SavepointOptions.all());
        all.addAll(RestOptions.all());
        return all;
    }

    /** The key-value pairs, sorted by key, redacted. */
    static Map<String, String> effective(WeirConfig config, List<ConfigOption<?>> known) {
        Map<String, String> shown = new TreeMap<>();
        Set<String> secret = new HashSet<>();
        for (ConfigOption<?> o : known) {
            if (o.secret()) {
                secret.add(o.key());
            }
            o.defaultValue().ifPresent(d -> shown.put(o.key(), text(d)));
        }
        shown.putAll(config.asMap());
        shown.replaceAll(
                (key, value) -> secret.contains(key) || looksSecret(key) ? REDACTED : value);
        return shown;
    }

    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(k::contains);
    }

    private static String text(Object value) {
        return value instanceof Enum<?> e ? ConfigOption.enumName(e) : String.valueOf(value);
    }

    static String json(String job, WeirConfig config) {
        StringBuilder sb = new StringBuilder("{\"job\":").append(Json.quote(job));
        sb.append(",\"config\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : effective(config, coreOptions()).entrySet()) {
            sb.append(first ? "" : ",")
                    .append(Json.quote(e.getKey()))
                    .append(':')
                    .append(Json.quote(e.getValue()));
            first = false;
        }
        return sb.append("}}").toString();
    }
}
