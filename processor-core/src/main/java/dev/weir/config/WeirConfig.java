package dev.weir.config;

import dev.weir.WeirException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Immutable key-value configuration of a job. Values are parsed by the {@link ConfigOption} that
 * declares them. Keys under a pass-through prefix (for example {@code kafka.consumer.}) go to a
 * client unchanged.
 */
public final class WeirConfig {
    /** Prefixes whose keys are handed to Kafka clients as they are. */
    public static final List<String> PASS_THROUGH_PREFIXES =
            List.of("kafka.consumer.", "kafka.producer.", "kafka.admin.", "kafka.common.");

    private final Map<String, String> values;

    private WeirConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static WeirConfig empty() {
        return new WeirConfig(Map.of());
    }

    public static WeirConfig of(Map<String, String> values) {
        return new WeirConfig(values);
    }

    /** Reads a Java properties file. */
    public static WeirConfig fromFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new WeirException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return new WeirConfig(m);
    }

    /**
     * Keys from environment variables: {@code WEIR_CHECKPOINT_INTERVAL_MS=500} sets {@code
     * checkpoint.interval.ms} when that key is among {@code known}. Underscores map to dots or
     * hyphens as the known key has them. An empty variable sets nothing.
     */
    public static WeirConfig fromEnvironment(
            Map<String, String> env, Collection<ConfigOption<?>> known) {
        Map<String, String> m = new LinkedHashMap<>();
        for (ConfigOption<?> o : known) {
            String var = environmentVariable(o);
            // Empty counts as unset: compose files and charts pass optional keys as ${X:-}.
            if (env.containsKey(var) && !env.get(var).isEmpty()) {
                m.put(o.key(), env.get(var));
            }
        }
        return new WeirConfig(m);
    }

    /**
     * The environment variable that sets {@code option}: {@code WEIR_} and its key in upper case,
     * dots and hyphens as underscores.
     */
    public static String environmentVariable(ConfigOption<?> option) {
        return "WEIR_" + option.key().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public WeirConfig with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.put(key, value);
        return new WeirConfig(m);
    }

    public <T> WeirConfig with(ConfigOption<T> option, T value) {
        String raw = value instanceof Enum<?> e ? ConfigOption.enumName(e) : String.valueOf(value);
        option.parse(raw);
        return with(option.key(), raw);
    }

    /** This configuration overlaid with {@code other}'s values. */
    public WeirConfig merge(WeirConfig other) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.putAll(other.values);
        return new WeirConfig(m);
    }

    /** The option's value, or its default; fails naming the key if it is required and unset. */
    public <T> T get(ConfigOption<T> option) {
        String raw = values.get(option.key());
        if (raw != null) {
            return option.parse(raw);
        }
        return option.defaultValue()
                .orElseThrow(
                        () ->
                                new WeirException(
                                        "config key '"
                                                + option.key()
                                                + "' is required: "
                                                + option.doc()
                                                + " ("
                                                + option.allowedValues()
                                                + ")"));
    }

    public <T> Optional<T> getOptional(ConfigOption<T> option) {
        String raw = values.get(option.key());
        return raw == null ? option.defaultValue() : Optional.of(option.parse(raw));
    }

    public boolean contains(ConfigOption<?> option) {
        return values.containsKey(option.key());
    }

    /** Keys under {@code prefix}, with the prefix removed. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach(
                (k, v) -> {
                    if (k.startsWith(prefix)) {
                        m.put(k.substring(prefix.length()), v);
                    }
                });
        return m;
    }

    public Map<String, String> asMap() {
        return values;
    }

    /**
     * Fails at startup on a key nobody declared (a typo would otherwise be ignored silently) and on
     * any declared key whose value is not allowed.
     */
    public void validate(Collection<ConfigOption<?>> known) {
        Map<String, ConfigOption<?>> byKey = new TreeMap<>();
        known.forEach(o -> byKey.put(o.key(), o));
        for (Map.Entry<String, String> e : values.entrySet()) {
            ConfigOption<?> o = byKey.get(e.getKey());
            if (o != null) {
                o.parse(e.getValue());
            } else if (PASS_THROUGH_PREFIXES.stream().noneMatch(e.getKey()::startsWith)) {
                throw new WeirException(
                        "unknown config key '"
                                + e.getKey()
                                + "'; known keys: "
                                + new TreeSet<>(byKey.keySet())
                                + ", or a Kafka client property under one of "
                                + PASS_THROUGH_PREFIXES);
            }
        }
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
