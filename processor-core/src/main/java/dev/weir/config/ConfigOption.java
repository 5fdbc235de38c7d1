package dev.weir.config;

import dev.weir.WeirException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A configuration key, declared once with its type, default, allowed values and documentation.
 * Parsing a value that is not allowed fails with a message naming the key and what it accepts.
 */
public final class ConfigOption<T> {
    private final String key;
    private final Function<String, T> parser;
    private final T defaultValue;
    private final String allowed;
    private final String doc;
    private final boolean secret;

    private ConfigOption(
            String key,
            Function<String, T> parser,
            T defaultValue,
            String allowed,
            String doc,
            boolean secret) {
        this.key = key;
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.allowed = allowed;
        this.doc = doc;
        this.secret = secret;
    }

    private ConfigOption(
            String key, Function<String, T> parser, T defaultValue, String allowed, String doc) {
        this(key, parser, defaultValue, allowed, doc, false);
    }

    public static ConfigOption<Integer> integer(
            String key, Integer defaultValue, int min, int max, String doc) {
        return ranged(key, Integer::valueOf, defaultValue, min, max, "an integer", doc);
    }

    public static ConfigOption<Long> longValue(
            String key, Long defaultValue, long min, long max, String doc) {
        return ranged(key, Long::valueOf, defaultValue, min, max, "an integer", doc);
    }

    public static ConfigOption<Double> doubleValue(
            String key, Double defaultValue, double min, double max, String doc) {
        return ranged(key, Double::valueOf, defaultValue, min, max, "a number", doc);
    }

    /** A number within {@code [min, max]} (a NaN compares above every bound). */
    private static <T extends Comparable<T>> ConfigOption<T> ranged(
            String key,
            Function<String, T> parse,
            T defaultValue,
            T min,
            T max,
            String what,
            String doc) {
        return new ConfigOption<>(
                key,
                s -> {
                    T v = parse.apply(s.trim());
                    if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
                        throw new IllegalArgumentException();
                    }
                    return v;
                },
                defaultValue,
                what + " in [" + min + ", " + max + "]",
                doc);
    }

    /** A string option; a null default makes the key required. */
    public static ConfigOption<String> string(String key, String defaultValue, String doc) {
        return new ConfigOption<>(
                key,
                s -> {
                    if (s.isBlank()) {
                        throw new IllegalArgumentException();
                    }
                    return s.trim();
                },
                defaultValue,
                "a non-empty string",
                doc);
    }

    /**
     * A string that must not be shown: a failed parse names the key but not the value. The value
     * itself must not contain whitespace or control characters (a token or a password).
     */
    public static ConfigOption<String> secret(String key, String defaultValue, String doc) {
        return new ConfigOption<>(
                key,
                s -> {
                    String v = s.strip();
                    if (v.isEmpty() || !v.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                        throw new IllegalArgumentException();
                    }
                    return v;
                },
                defaultValue,
                "a non-empty string of printable ASCII without spaces",
                doc,
                true);
    }

    /** {@code true} or {@code false}, in any case. */
    public static ConfigOption<Boolean> bool(String key, boolean defaultValue, String doc) {
        return new ConfigOption<>(
                key,
                s -> {
                    String v = s.trim().toLowerCase(Locale.ROOT);
                    if (!v.equals("true") && !v.equals("false")) {
                        throw new IllegalArgumentException();
                    }
                    return Boolean.valueOf(v);
                },
                defaultValue,
                "true or false",
                doc);
    }

    /**
     * An option whose values are the constants of {@code type}, written in lower case with hyphens:
     * {@code EXPONENTIAL_BACKOFF} is {@code exponential-backoff}.
     */
    public static <E extends Enum<E>> ConfigOption<E> enumeration(
            String key, Class<E> type, E defaultValue, String doc) {
        String allowed =
                "one of "
                        + Arrays.stream(type.getEnumConstants())
                                .map(ConfigOption::enumName)
                                .collect(Collectors.joining(", "));
        return new ConfigOption<>(
                key,
                s -> {
                    for (E e : type.getEnumConstants()) {
                        if (enumName(e).equals(s.trim().toLowerCase(Locale.ROOT))) {
                            return e;
                        }
                    }
                    throw new IllegalArgumentException();
                },
                defaultValue,
                allowed,
                doc);
    }

    public static String enumName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * This option under another key, with the same type, default, allowed values and doc: for a key
     * a connector also reads under its prefix, e.g. {@code URL.withKey("sink." + URL.key())}.
     */
    public ConfigOption<T> withKey(String otherKey) {
        if (otherKey == null || otherKey.isBlank()) {
            throw new IllegalArgumentException("key must be non-empty, got '" + otherKey + "'");
        }
        return new ConfigOption<>(otherKey, parser, defaultValue, allowed, doc, secret);
    }

    public String key() {
        return key;
    }

    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String allowedValues() {
        return allowed;
    }

    public String doc() {
        return doc;
    }

    /**
     * Whether the value must never be shown: not in an error message, not in {@code GET /config} (a
     * token, a password).
     */
    public boolean secret() {
        return secret;
    }

    T parse(String raw) {
        try {
            return parser.apply(raw);
        } catch (RuntimeException e) {
            String shown = secret ? "(not shown)" : "'" + raw + "'";
            throw new WeirException(
                    "invalid value " + shown + " for config key '" + key + "': must be " + allowed);
        }
    }

    @Override
    public String toString() {
        return key;
    }
}
