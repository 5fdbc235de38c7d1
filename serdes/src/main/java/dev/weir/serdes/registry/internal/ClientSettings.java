package dev.weir.serdes.registry.internal;

import static dev.weir.serdes.registry.SchemaRegistryOptions.BASIC_AUTH_CREDENTIALS_SOURCE;
import static dev.weir.serdes.registry.SchemaRegistryOptions.BASIC_AUTH_USER_INFO;
import static dev.weir.serdes.registry.SchemaRegistryOptions.BEARER_AUTH_CREDENTIALS_SOURCE;
import static dev.weir.serdes.registry.SchemaRegistryOptions.BEARER_AUTH_TOKEN;
import static dev.weir.serdes.registry.SchemaRegistryOptions.HTTP_CONNECT_TIMEOUT_MS;
import static dev.weir.serdes.registry.SchemaRegistryOptions.HTTP_READ_TIMEOUT_MS;
import static dev.weir.serdes.registry.SchemaRegistryOptions.LATEST_CACHE_SIZE;
import static dev.weir.serdes.registry.SchemaRegistryOptions.LATEST_CACHE_TTL_SEC;
import static dev.weir.serdes.registry.SchemaRegistryOptions.LEGACY_BASIC_AUTH_USER_INFO;
import static dev.weir.serdes.registry.SchemaRegistryOptions.MAX_RETRIES;
import static dev.weir.serdes.registry.SchemaRegistryOptions.MAX_SCHEMAS_PER_SUBJECT;
import static dev.weir.serdes.registry.SchemaRegistryOptions.MISSING_CACHE_SIZE;
import static dev.weir.serdes.registry.SchemaRegistryOptions.MISSING_ID_CACHE_TTL_SEC;
import static dev.weir.serdes.registry.SchemaRegistryOptions.MISSING_SCHEMA_CACHE_TTL_SEC;
import static dev.weir.serdes.registry.SchemaRegistryOptions.OWNED_PREFIXES;
import static dev.weir.serdes.registry.SchemaRegistryOptions.PROXY_HOST;
import static dev.weir.serdes.registry.SchemaRegistryOptions.PROXY_PORT;
import static dev.weir.serdes.registry.SchemaRegistryOptions.REQUEST_HEADER_PREFIX;
import static dev.weir.serdes.registry.SchemaRegistryOptions.RETRIES_BUDGET_MS;
import static dev.weir.serdes.registry.SchemaRegistryOptions.RETRIES_MAX_WAIT_MS;
import static dev.weir.serdes.registry.SchemaRegistryOptions.RETRIES_WAIT_MS;
import static dev.weir.serdes.registry.SchemaRegistryOptions.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM;
import static dev.weir.serdes.registry.SchemaRegistryOptions.URL;

import dev.weir.WeirException;
import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import dev.weir.serdes.registry.SchemaRegistryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * The client's configuration, parsed and checked once from a Confluent-style map. Its {@link
 * #toString()} shows no credentials.
 */
record ClientSettings(
        List<RegistryUrl> urls,
        Auth auth,
        Map<String, String> headers,
        Duration connectTimeout,
        Duration readTimeout,
        int maxRetries,
        Duration retryWait,
        Duration retryMaxWait,
        Duration retryBudget,
        int schemaCacheSize,
        int latestCacheSize,
        Optional<Duration> latestTtl,
        int missingCacheSize,
        Duration missingIdTtl,
        Duration missingSchemaTtl,
        Optional<java.net.InetSocketAddress> proxy,
        Optional<SSLContext> sslContext) {

    /** How requests authenticate: the header value per URL, computed once. */
    sealed interface Auth {
        /** The {@code Authorization} header for {@code url}, if any. */
        Optional<String> header(RegistryUrl url);

        String describe();
    }

    record NoAuth() implements Auth {
        @Override
        public Optional<String> header(RegistryUrl url) {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "none";
        }
    }

    /** Basic auth from each URL's own user info ({@code basic.auth.credentials.source=URL}). */
    record UrlBasicAuth() implements Auth {
        @Override
        public Optional<String> header(RegistryUrl url) {
            return url.userInfo().map(ClientSettings::basic);
        }

        @Override
        public String describe() {
            return "basic (from URL)";
        }
    }

    record StaticAuth(String headerValue, String kind) implements Auth {
        @Override
        public Optional<String> header(RegistryUrl url) {
            return Optional.of(headerValue);
        }

        @Override
        public String describe() {
            return kind;
        }

        @Override
        public String toString() {
            return "StaticAuth[" + kind + "]";
        }
    }

    static ClientSettings parse(Map<String, ?> raw) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> headers = new LinkedHashMap<>();
        raw.forEach(
                (key, value) -> {
                    if (value == null) {
                        return;
                    }
                    String text =
                            value instanceof Collection<?> c
                                    ? c.stream()
                                            .map(String::valueOf)
                                            .collect(Collectors.joining(","))
                                    : String.valueOf(value);
                    if (key.startsWith(REQUEST_HEADER_PREFIX)) {
                        headers.put(key.substring(REQUEST_HEADER_PREFIX.length()), text);
                    } else if (!text.isBlank()) {
                        values.put(key, text);
                    }
                });
        rejectUnknownOwnedKeys(values.keySet());
        WeirConfig config = WeirConfig.of(values);

        List<RegistryUrl> urls = new ArrayList<>();
        String[] entries = config.get(URL).split(",");
        for (int i = 0; i < entries.length; i++) {
            if (!entries[i].isBlank()) {
                urls.add(RegistryUrl.parse(entries[i], i));
            }
        }
        if (urls.isEmpty()) {
            throw new WeirException("config key 'schema.registry.url' has no URL");
        }
        Optional<java.net.InetSocketAddress> proxy = Optional.empty();
        if (config.contains(PROXY_HOST)) {
            int port = config.get(PROXY_PORT);
            if (port <= 0) {
                throw new WeirException(
                        "config key 'proxy.port' must be set (1-65535) when proxy.host is");
            }
            proxy =
                    Optional.of(
                            java.net.InetSocketAddress.createUnresolved(
                                    config.get(PROXY_HOST), port));
        }
        String endpointId = config.get(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM);
        if (!endpointId.equalsIgnoreCase("https")) {
            throw new WeirException(
                    "invalid value '"
                            + endpointId
                            + "' for config key '"
                            + SSL_ENDPOINT_IDENTIFICATION_ALGORITHM.key()
                            + "': only https is supported (host names are always verified)");
        }
        return new ClientSettings(
                List.copyOf(urls),
                auth(config, urls),
                Map.copyOf(headers),
                Duration.ofMillis(config.get(HTTP_CONNECT_TIMEOUT_MS)),
                Duration.ofMillis(config.get(HTTP_READ_TIMEOUT_MS)),
                config.get(MAX_RETRIES),
                Duration.ofMillis(config.get(RETRIES_WAIT_MS)),
                Duration.ofMillis(config.get(RETRIES_MAX_WAIT_MS)),
                Duration.ofMillis(config.get(RETRIES_BUDGET_MS)),
                config.get(MAX_SCHEMAS_PER_SUBJECT),
                config.get(LATEST_CACHE_SIZE),
                config.get(LATEST_CACHE_TTL_SEC) < 0
                        ? Optional.empty()
                        : Optional.of(Duration.ofSeconds(config.get(LATEST_CACHE_TTL_SEC))),
                config.get(MISSING_CACHE_SIZE),
                Duration.ofSeconds(config.get(MISSING_ID_CACHE_TTL_SEC)),
                Duration.ofSeconds(config.get(MISSING_SCHEMA_CACHE_TTL_SEC)),
                proxy,
                SslContexts.fromConfig(config));
    }

    private static void rejectUnknownOwnedKeys(Set<String> keys) {
        Set<String> known = new TreeSet<>();
        for (ConfigOption<?> o : SchemaRegistryOptions.ALL) {
            known.add(o.key());
        }
        for (String key : keys) {
            boolean owned = OWNED_PREFIXES.stream().anyMatch(key::startsWith);
            if (owned && !known.contains(key)) {
                throw new WeirException(
                        "unknown config key '"
                                + key
                                + "' for the schema registry client; its keys under "
                                + OWNED_PREFIXES
                                + " are "
                                + known.stream()
                                        .filter(
                                                k ->
                                                        OWNED_PREFIXES.stream()
                                                                .anyMatch(k::startsWith))
                                        .toList());
            }
        }
    }

    private static Auth auth(WeirConfig config, List<RegistryUrl> urls) {
        boolean bearer =
                config.contains(BEARER_AUTH_TOKEN)
                        || config.contains(BEARER_AUTH_CREDENTIALS_SOURCE);
        String basicSource = config.get(BASIC_AUTH_CREDENTIALS_SOURCE).toUpperCase(Locale.ROOT);
        if (!basicSource.equals("URL") && !basicSource.equals("USER_INFO")) {
            throw new WeirException(
                    "invalid value '"
                            + basicSource
                            + "' for config key '"
                            + BASIC_AUTH_CREDENTIALS_SOURCE.key()
                            + "': must be URL or USER_INFO");
        }
        if (bearer) {
            String source = config.get(BEARER_AUTH_CREDENTIALS_SOURCE).toUpperCase(Locale.ROOT);
            if (!source.equals("STATIC_TOKEN")) {
                throw new WeirException(
                        "invalid value '"
                                + source
                                + "' for config key '"
                                + BEARER_AUTH_CREDENTIALS_SOURCE.key()
                                + "': must be STATIC_TOKEN");
            }
            if (!config.contains(BEARER_AUTH_TOKEN)) {
                throw new WeirException(
                        "config key '"
                                + BEARER_AUTH_TOKEN.key()
                                + "' is required with bearer.auth.credentials.source=STATIC_TOKEN");
            }
            if (config.contains(BASIC_AUTH_CREDENTIALS_SOURCE)
                    || urls.stream().anyMatch(u -> u.userInfo().isPresent())) {
                throw new WeirException(
                        "both bearer auth (bearer.auth.token) and basic auth"
                                + " (basic.auth.credentials.source or user info in"
                                + " schema.registry.url) are configured; keep one");
            }
            return new StaticAuth("Bearer " + config.get(BEARER_AUTH_TOKEN), "bearer");
        }
        if (basicSource.equals("USER_INFO")) {
            Optional<String> userInfo =
                    config.getOptional(BASIC_AUTH_USER_INFO).filter(s -> !s.isEmpty());
            if (userInfo.isEmpty()) {
                userInfo =
                        config.getOptional(LEGACY_BASIC_AUTH_USER_INFO).filter(s -> !s.isEmpty());
            }
            String info =
                    userInfo.orElseThrow(
                            () ->
                                    new WeirException(
                                            "config key '"
                                                    + BASIC_AUTH_USER_INFO.key()
                                                    + "' (user:password) is required with"
                                                    + " basic.auth.credentials.source=USER_INFO"));
            if (info.indexOf(':') < 0) {
                throw new WeirException(
                        "invalid value (not shown) for config key '"
                                + BASIC_AUTH_USER_INFO.key()
                                + "': must be user:password");
            }
            return new StaticAuth(basic(info), "basic (user info)");
        }
        return urls.stream().anyMatch(u -> u.userInfo().isPresent())
                ? new UrlBasicAuth()
                : new NoAuth();
    }

    static String basic(String userInfo) {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString(userInfo.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "urls="
                + urls
                + ", auth="
                + auth.describe()
                + ", headers="
                + headers.keySet()
                + ", tls="
                + (sslContext.isPresent() ? "custom" : "default");
    }
}
