package dev.weir.internal.rest;

import dev.weir.config.RestOptions;
import dev.weir.config.SavepointOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a REST request may put a savepoint: a {@code dir=} must lie under {@code savepoint.dir} —
 * same scheme, same authority (the S3 bucket), and its path segments a continuation of that
 * directory's — unless {@code rest.savepoint.allow-any-dir=true}. Either way a {@code dir=} must be
 * an absolute URI (or absolute path) without {@code .} or {@code ..} segments, query or fragment,
 * so what is checked is what gets written. (A symbolic link under {@code savepoint.dir} is followed
 * like any directory: whoever can create one there can write there anyway.)
 */
final class SavepointDirs {
    private final Optional<Location> base;
    private final String baseText;
    private final boolean allowAny;

    SavepointDirs(String savepointDir, boolean allowAny) {
        this.baseText = savepointDir;
        this.allowAny = allowAny;
        Optional<Location> b;
        try {
            b =
                    savepointDir.isBlank()
                            ? Optional.empty()
                            : Optional.of(Location.parse(savepointDir));
        } catch (IllegalArgumentException e) {
            // Not a URI the endpoint understands: nothing lies under it.
            b = Optional.empty();
        }
        this.base = b;
    }

    /**
     * @param dir the request's {@code dir=}, null or blank for {@code savepoint.dir}
     * @return the directory to pass to the job, null for {@code savepoint.dir}
     * @throws HttpError 400 for a malformed or relative {@code dir=}, 403 for one outside {@code
     *     savepoint.dir}, 400 when neither is given
     */
    String check(String dir) {
        if (dir == null || dir.isBlank()) {
            if (baseText.isBlank()) {
                throw new HttpError(
                        400,
                        "no savepoint directory: pass dir= or set config key '"
                                + SavepointOptions.DIR.key()
                                + "'");
            }
            return null;
        }
        Location wanted;
        try {
            wanted = Location.parse(dir.strip());
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "dir=" + dir + " is refused: " + e.getMessage());
        }
        if (allowAny) {
            return wanted.uri().toString();
        }
        String allowKey = RestOptions.SAVEPOINT_ALLOW_ANY_DIR.key() + "=true";
        if (base.isEmpty()) {
            throw new HttpError(
                    403,
                    "dir="
                            + dir
                            + " is refused: REST requests write savepoints only under config key '"
                            + SavepointOptions.DIR.key()
                            + "', which is not set to a URI here (set it, or "
                            + allowKey
                            + " to allow any directory)");
        }
        if (!wanted.isUnder(base.get())) {
            throw new HttpError(
                    403,
                    "dir="
                            + dir
                            + " is refused: it is not under "
                            + SavepointOptions.DIR.key()
                            + "="
                            + baseText
                            + " (set "
                            + allowKey
                            + " to allow any directory)");
        }
        return wanted.uri().toString();
    }

    /** A directory URI taken apart: scheme and authority as they compare, and its path segments. */
    private record Location(URI uri, String scheme, String authority, List<String> segments) {
        static Location parse(String text) {
            URI u;
            try {
                u = text.contains(":") ? new URI(text) : null;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a URI: " + e.getReason());
            }
            if (u == null || u.getScheme() == null) {
                if (!text.startsWith("/")) {
                    throw new IllegalArgumentException(
                            "use an absolute URI (file:///…, s3://bucket/…) or an absolute path");
                }
                checkSegments(List.of(text.split("/")));
                u = Path.of(text).toUri();
            }
            if (u.isOpaque() || u.getRawPath() == null) {
                throw new IllegalArgumentException("not a hierarchical URI");
            }
            if (u.getRawQuery() != null || u.getRawFragment() != null) {
                throw new IllegalArgumentException("a directory has no query or fragment");
            }
            List<String> segments = new ArrayList<>();
            for (String s : u.getPath().split("/")) {
                if (!s.isEmpty()) {
                    segments.add(s);
                }
            }
            checkSegments(segments);
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            String authority = u.getAuthority();
            if (scheme.equals("file") && (authority == null || authority.equals("localhost"))) {
                authority = "";
            }
            return new Location(u, scheme, authority == null ? "" : authority, segments);
        }

        private static void checkSegments(List<String> segments) {
            for (String s : segments) {
                if (s.equals("..") || s.equals(".")) {
                    throw new IllegalArgumentException("'.' and '..' segments are not allowed");
                }
            }
        }

        boolean isUnder(Location base) {
            return scheme.equals(base.scheme)
                    && Objects.equals(authority, base.authority)
                    && segments.size() >= base.segments.size()
                    && segments.subList(0, base.segments.size()).equals(base.segments);
        }
    }
}
