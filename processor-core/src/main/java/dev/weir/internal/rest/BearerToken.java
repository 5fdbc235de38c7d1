package dev.weir.internal.rest;

import dev.weir.WeirException;
import dev.weir.config.RestOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The secret that mutating REST requests must present as {@code Authorization: Bearer <token>}.
 * Kept as its SHA-256 digest and compared in constant time; {@link #toString} never shows it, and
 * no message built here contains it.
 */
final class BearerToken {
    private final byte[] digest;

    private BearerToken(String token) {
        this.digest = sha256(token);
    }

    /** From the value of {@code rest.auth.token}, already checked by its option. */
    static BearerToken of(String token) {
        return new BearerToken(token);
    }

    /** Reads {@code rest.auth.token-file}: its content without surrounding whitespace. */
    static BearerToken readFile(Path file) {
        String key = RestOptions.AUTH_TOKEN_FILE.key();
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new WeirException(
                    "cannot read the REST token file "
                            + file
                            + " (config key '"
                            + key
                            + "'): "
                            + e.getClass().getSimpleName());
        }
        if (content.isEmpty()) {
            throw new WeirException(
                    "the REST token file " + file + " (config key '" + key + "') is empty");
        }
        if (!content.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new WeirException(
                    "the REST token file "
                            + file
                            + " (config key '"
                            + key
                            + "') must hold one token of printable ASCII without spaces");
        }
        return new BearerToken(content);
    }

    /** True if {@code authorization} (the header's value, may be null) carries this token. */
    boolean acceptedIn(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(authorization.substring(7).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken(not shown)";
    }
}
