package dev.weir.serdes.registry.internal;

import dev.weir.WeirException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One registry base URL with its user info split off: {@link #base()} and {@link #toString()} never
 * contain credentials, so the URL can go into requests, logs and messages.
 */
record RegistryUrl(URI base, Optional<String> userInfo) {

    /**
     * Parses one entry of {@code schema.registry.url}. A malformed entry fails with a message that
     * names the key and its position, not its text (it may hold a password).
     */
    static RegistryUrl parse(String raw, int position) {
        String trimmed = raw.strip();
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw invalid(position, "it is not a URI");
        }
        String scheme = uri.getScheme();
        if (scheme == null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw invalid(position, "it must be http://host[:port][/path] or https://…");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw invalid(position, "it must have no query or fragment");
        }
        Optional<String> userInfo =
                Optional.ofNullable(uri.getRawUserInfo())
                        .map(u -> URLDecoder.decode(u, StandardCharsets.UTF_8));
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        try {
            URI base =
                    new URI(
                            scheme.toLowerCase(java.util.Locale.ROOT),
                            null,
                            uri.getHost(),
                            uri.getPort(),
                            null,
                            null,
                            null);
            return new RegistryUrl(URI.create(base + path), userInfo);
        } catch (URISyntaxException e) {
            throw invalid(position, "it is not a URI");
        }
    }

    private static WeirException invalid(int position, String why) {
        return new WeirException(
                "invalid value for config key 'schema.registry.url': entry "
                        + (position + 1)
                        + " (not shown) is not a registry URL: "
                        + why);
    }

    /** The request URI for {@code path} (which starts with {@code /}). */
    URI resolve(String path) {
        return URI.create(base + path);
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
