package dev.weir.serdes.registry;

import dev.weir.config.ConfigOption;
import java.util.List;

/**
 * The schema registry client's configuration keys: Confluent's names, defaults and meanings ({@code
 * AbstractKafkaSchemaSerDeConfig}, {@code SchemaRegistryClientConfig}), so a Confluent serializer's
 * configuration works unchanged; where Weir differs the doc text says so. Passwords, tokens and
 * user info are never logged or shown in messages.
 *
 * <p>Keys under {@code schema.registry.}, {@code basic.auth.} and {@code bearer.auth.} that are not
 * declared here are refused (a typo in a TLS or credential key must not pass silently); other keys
 * are left to the serializers that share the configuration. Headers to add to every request go
 * under {@value #REQUEST_HEADER_PREFIX} (Confluent's {@code request.header.}).
 */
public final class SchemaRegistryOptions {
    private SchemaRegistryOptions() {}

    /** Keys under this prefix are request headers: {@code request.header.X-Tenant=blue}. */
    public static final String REQUEST_HEADER_PREFIX = "request.header.";

    public static final ConfigOption<String> URL =
            ConfigOption.string(
                    "schema.registry.url",
                    null,
                    "Comma-separated base URLs of the registry's Confluent API (for Apicurio:"
                            + " http://host:port/apis/ccompat/v7). A connection error, timeout or"
                            + " 5xx on one fails over to the next; later calls stay on the one that"
                            + " answered. User info in a URL (http://user:pass@host) is used with"
                            + " basic.auth.credentials.source=URL and never shown");

    public static final ConfigOption<String> BASIC_AUTH_CREDENTIALS_SOURCE =
            ConfigOption.string(
                    "basic.auth.credentials.source",
                    "URL",
                    "Where HTTP Basic credentials come from: URL (the user info of each URL, none"
                            + " if it has none) or USER_INFO (basic.auth.user.info)."
                            + " SASL_INHERIT is not supported");

    public static final ConfigOption<String> BASIC_AUTH_USER_INFO =
            ConfigOption.string(
                    "basic.auth.user.info",
                    "",
                    "user:password for basic.auth.credentials.source=USER_INFO (secret; Confluent's"
                            + " older schema.registry.basic.auth.user.info is read too)");

    /** Confluent's deprecated spelling of {@link #BASIC_AUTH_USER_INFO}, still accepted. */
    public static final ConfigOption<String> LEGACY_BASIC_AUTH_USER_INFO =
            ConfigOption.string(
                    "schema.registry.basic.auth.user.info",
                    "",
                    "Deprecated spelling of basic.auth.user.info (secret)");

    public static final ConfigOption<String> BEARER_AUTH_CREDENTIALS_SOURCE =
            ConfigOption.string(
                    "bearer.auth.credentials.source",
                    "STATIC_TOKEN",
                    "Where the bearer token comes from: STATIC_TOKEN (bearer.auth.token). OAuth"
                            + " client credentials (OAUTHBEARER) are not supported yet");

    public static final ConfigOption<String> BEARER_AUTH_TOKEN =
            ConfigOption.secret(
                    "bearer.auth.token",
                    "",
                    "Token sent as Authorization: Bearer <token> (secret); excludes basic auth");

    public static final ConfigOption<Integer> HTTP_CONNECT_TIMEOUT_MS =
            ConfigOption.integer(
                    "http.connect.timeout.ms",
                    60_000,
                    1,
                    Integer.MAX_VALUE,
                    "Timeout for opening a connection to one registry URL");

    public static final ConfigOption<Integer> HTTP_READ_TIMEOUT_MS =
            ConfigOption.integer(
                    "http.read.timeout.ms",
                    60_000,
                    1,
                    Integer.MAX_VALUE,
                    "Timeout for one request's answer; also capped by what is left of"
                            + " retries.budget.ms");

    public static final ConfigOption<Integer> MAX_RETRIES =
            ConfigOption.integer(
                    "max.retries",
                    3,
                    0,
                    1000,
                    "Rounds of retries after the first round over all URLs fails transiently"
                            + " (timeouts, refused connections, 408, 429, 5xx)");

    public static final ConfigOption<Long> RETRIES_WAIT_MS =
            ConfigOption.longValue(
                    "retries.wait.ms",
                    1000L,
                    0,
                    Long.MAX_VALUE,
                    "Base of the exponential backoff: before retry round n (from 0) the client"
                            + " waits a random time in [0, min(retries.max.wait.ms, this * 2^n))"
                            + " (full jitter), at least what a 429's Retry-After asks for");

    public static final ConfigOption<Long> RETRIES_MAX_WAIT_MS =
            ConfigOption.longValue(
                    "retries.max.wait.ms",
                    20_000L,
                    0,
                    Long.MAX_VALUE,
                    "Cap of one backoff wait (and of a Retry-After that is honoured)");

    public static final ConfigOption<Long> RETRIES_BUDGET_MS =
            ConfigOption.longValue(
                    "retries.budget.ms",
                    60_000L,
                    1,
                    Long.MAX_VALUE,
                    "Weir only: the longest one call may take over all its requests and waits;"
                            + " when it is spent the call fails with TransientRegistryException,"
                            + " so the job can wait and try again instead of blocking");

    public static final ConfigOption<Integer> MAX_SCHEMAS_PER_SUBJECT =
            ConfigOption.integer(
                    "max.schemas.per.subject",
                    1000,
                    1,
                    Integer.MAX_VALUE,
                    "Bound of each schema cache (schemas by id, ids by subject and schema, parsed"
                            + " Avro schemas); as in Confluent's client, despite the name, it"
                            + " bounds each cache as a whole, least recently used evicted first");

    public static final ConfigOption<Integer> LATEST_CACHE_SIZE =
            ConfigOption.integer(
                    "latest.cache.size",
                    1000,
                    1,
                    Integer.MAX_VALUE,
                    "Bound of the cache of subjects' latest versions");

    public static final ConfigOption<Long> LATEST_CACHE_TTL_SEC =
            ConfigOption.longValue(
                    "latest.cache.ttl.sec",
                    -1L,
                    -1,
                    Long.MAX_VALUE / 1_000_000_000L,
                    "How long a subject's latest version is reused before asking again; -1: until"
                            + " evicted (Confluent's default: a new version is seen after a"
                            + " restart)");

    public static final ConfigOption<Integer> MISSING_CACHE_SIZE =
            ConfigOption.integer(
                    "missing.cache.size",
                    10_000,
                    1,
                    Integer.MAX_VALUE,
                    "Bound of each cache of answers 'not found'");

    public static final ConfigOption<Long> MISSING_ID_CACHE_TTL_SEC =
            ConfigOption.longValue(
                    "missing.id.cache.ttl.sec",
                    10L,
                    0,
                    Long.MAX_VALUE / 1_000_000_000L,
                    "How long an id the registry did not find is answered 'not found' without"
                            + " asking again; 0: always ask. Weir's default is 10 (Confluent's is"
                            + " 0), so a burst of poison records naming one unknown id costs one"
                            + " request per 10 s rather than one per record");

    public static final ConfigOption<Long> MISSING_SCHEMA_CACHE_TTL_SEC =
            ConfigOption.longValue(
                    "missing.schema.cache.ttl.sec",
                    0L,
                    0,
                    Long.MAX_VALUE / 1_000_000_000L,
                    "How long a schema not found under a subject (a lookup without registering)"
                            + " is answered 'not found' without asking again; 0: always ask."
                            + " Registering it clears the entry");

    public static final ConfigOption<String> PROXY_HOST =
            ConfigOption.string(
                    "proxy.host", "", "HTTP proxy for all registry requests (with proxy.port)");

    public static final ConfigOption<Integer> PROXY_PORT =
            ConfigOption.integer("proxy.port", -1, -1, 65_535, "Port of proxy.host");

    public static final ConfigOption<String> SSL_TRUSTSTORE_LOCATION =
            ConfigOption.string(
                    "schema.registry.ssl.truststore.location",
                    "",
                    "Trust store for https URLs (empty: the JVM's default trust)");

    public static final ConfigOption<String> SSL_TRUSTSTORE_PASSWORD =
            ConfigOption.string(
                    "schema.registry.ssl.truststore.password", "", "Trust store password (secret)");

    public static final ConfigOption<String> SSL_TRUSTSTORE_TYPE =
            ConfigOption.string(
                    "schema.registry.ssl.truststore.type", "JKS", "Trust store type: JKS, PKCS12");

    public static final ConfigOption<String> SSL_KEYSTORE_LOCATION =
            ConfigOption.string(
                    "schema.registry.ssl.keystore.location",
                    "",
                    "Key store with the client certificate for mutual TLS (empty: none)");

    public static final ConfigOption<String> SSL_KEYSTORE_PASSWORD =
            ConfigOption.string(
                    "schema.registry.ssl.keystore.password", "", "Key store password (secret)");

    public static final ConfigOption<String> SSL_KEYSTORE_TYPE =
            ConfigOption.string(
                    "schema.registry.ssl.keystore.type", "JKS", "Key store type: JKS, PKCS12");

    public static final ConfigOption<String> SSL_KEY_PASSWORD =
            ConfigOption.string(
                    "schema.registry.ssl.key.password",
                    "",
                    "Password of the private key (secret; empty: the key store password)");

    public static final ConfigOption<String> SSL_PROTOCOL =
            ConfigOption.string(
                    "schema.registry.ssl.protocol",
                    "TLSv1.3",
                    "SSLContext protocol (TLSv1.3 also allows TLSv1.2)");

    public static final ConfigOption<String> SSL_ENDPOINT_IDENTIFICATION_ALGORITHM =
            ConfigOption.string(
                    "schema.registry.ssl.endpoint.identification.algorithm",
                    "https",
                    "Only https (host name verification): the JDK HTTP client cannot turn it off"
                            + " for one client");

    /** Every key of the client. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    URL,
                    BASIC_AUTH_CREDENTIALS_SOURCE,
                    BASIC_AUTH_USER_INFO,
                    LEGACY_BASIC_AUTH_USER_INFO,
                    BEARER_AUTH_CREDENTIALS_SOURCE,
                    BEARER_AUTH_TOKEN,
                    HTTP_CONNECT_TIMEOUT_MS,
                    HTTP_READ_TIMEOUT_MS,
                    MAX_RETRIES,
                    RETRIES_WAIT_MS,
                    RETRIES_MAX_WAIT_MS,
                    RETRIES_BUDGET_MS,
                    MAX_SCHEMAS_PER_SUBJECT,
                    LATEST_CACHE_SIZE,
                    LATEST_CACHE_TTL_SEC,
                    MISSING_CACHE_SIZE,
                    MISSING_ID_CACHE_TTL_SEC,
                    MISSING_SCHEMA_CACHE_TTL_SEC,
                    PROXY_HOST,
                    PROXY_PORT,
                    SSL_TRUSTSTORE_LOCATION,
                    SSL_TRUSTSTORE_PASSWORD,
                    SSL_TRUSTSTORE_TYPE,
                    SSL_KEYSTORE_LOCATION,
                    SSL_KEYSTORE_PASSWORD,
                    SSL_KEYSTORE_TYPE,
                    SSL_KEY_PASSWORD,
                    SSL_PROTOCOL,
                    SSL_ENDPOINT_IDENTIFICATION_ALGORITHM);

    /** The prefixes whose undeclared keys are refused. */
    public static final List<String> OWNED_PREFIXES =
            List.of("schema.registry.", "basic.auth.", "bearer.auth.");
}
