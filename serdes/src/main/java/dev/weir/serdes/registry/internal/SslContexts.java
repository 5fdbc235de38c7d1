package dev.weir.serdes.registry.internal;

import static dev.weir.serdes.registry.SchemaRegistryOptions.SSL_KEYSTORE_LOCATION;
import static dev.weir.serdes.registry.SchemaRegistryOptions.SSL_KEYSTORE_PASSWORD;
import static dev.weir.serdes.registry.SchemaRegistryOptions.SSL_KEYSTORE_TYPE;
import static dev.weir.serdes.registry.SchemaRegistryOptions.SSL_KEY_PASSWORD;
import static dev.weir.serdes.registry.SchemaRegistryOptions.SSL_PROTOCOL;
import static dev.weir.serdes.registry.SchemaRegistryOptions.SSL_TRUSTSTORE_LOCATION;
import static dev.weir.serdes.registry.SchemaRegistryOptions.SSL_TRUSTSTORE_PASSWORD;
import static dev.weir.serdes.registry.SchemaRegistryOptions.SSL_TRUSTSTORE_TYPE;

import dev.weir.WeirException;
import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds the {@link SSLContext} of {@code schema.registry.ssl.*}; none when no store is set. */
final class SslContexts {
    private SslContexts() {}

    static Optional<SSLContext> fromConfig(WeirConfig config) {
        boolean trust = config.contains(SSL_TRUSTSTORE_LOCATION);
        boolean keys = config.contains(SSL_KEYSTORE_LOCATION);
        if (!trust && !keys && !config.contains(SSL_PROTOCOL)) {
            return Optional.empty();
        }
        try {
            TrustManagerFactory tmf = null;
            if (trust) {
                KeyStore store =
                        load(
                                config,
                                SSL_TRUSTSTORE_LOCATION,
                                SSL_TRUSTSTORE_TYPE,
                                SSL_TRUSTSTORE_PASSWORD);
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
            }
            KeyManagerFactory kmf = null;
            if (keys) {
                KeyStore store =
                        load(
                                config,
                                SSL_KEYSTORE_LOCATION,
                                SSL_KEYSTORE_TYPE,
                                SSL_KEYSTORE_PASSWORD);
                String keyPassword =
                        config.contains(SSL_KEY_PASSWORD)
                                ? config.get(SSL_KEY_PASSWORD)
                                : config.get(SSL_KEYSTORE_PASSWORD);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, keyPassword.toCharArray());
            }
            SSLContext context = SSLContext.getInstance(config.get(SSL_PROTOCOL));
            context.init(
                    kmf == null ? null : kmf.getKeyManagers(),
                    tmf == null ? null : tmf.getTrustManagers(),
                    null);
            return Optional.of(context);
        } catch (GeneralSecurityException e) {
            // The provider's message names algorithms and store types, never passwords.
            throw new WeirException(
                    "cannot set up TLS for the schema registry from schema.registry.ssl.*: "
                            + e.getMessage(),
                    e);
        }
    }

    private static KeyStore load(
            WeirConfig config,
            ConfigOption<String> location,
            ConfigOption<String> type,
            ConfigOption<String> password)
            throws GeneralSecurityException {
        Path path = Path.of(config.get(location));
        KeyStore store;
        try {
            store = KeyStore.getInstance(config.get(type));
        } catch (GeneralSecurityException e) {
            throw new WeirException(
                    "invalid value '" + config.get(type) + "' for config key '" + type.key() + "'",
                    e);
        }
        char[] secret = config.contains(password) ? config.get(password).toCharArray() : null;
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, secret);
            return store;
        } catch (IOException e) {
            // A wrong password surfaces as an IOException too; its message has no password.
            throw new WeirException(
                    "cannot read "
                            + config.get(type)
                            + " store "
                            + path
                            + " of config key '"
                            + location.key()
                            + "' (check it and '"
                            + password.key()
                            + "'): "
                            + e.getMessage(),
                    e);
        }
    }
}
