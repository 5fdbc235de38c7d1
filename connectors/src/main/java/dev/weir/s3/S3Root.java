package dev.weir.s3;

import dev.weir.WeirException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The root of a job's checkpoint storage in S3: a bucket and a key prefix, and the mapping from
 * root-relative paths ({@code chk-3/../shared/a.sst}) to object keys that never leaves the prefix.
 *
 * @param prefix the key prefix without leading or trailing {@code /}; empty for the whole bucket
 */
record S3Root(String bucket, String prefix) {
    S3Root {
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("bucket must not be empty");
        }
        if (prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new IllegalArgumentException(
                    "prefix must not start or end with '/', got '" + prefix + "'");
        }
    }

    /** The root of {@code s3://bucket/prefix}; fails naming the URI if it has no bucket. */
    static S3Root of(URI uri) {
        if (!"s3".equals(uri.getScheme()) || uri.getAuthority() == null) {
            throw new WeirException(
                    "invalid S3 location '" + uri + "': expected s3://bucket/prefix");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        return new S3Root(uri.getAuthority(), strip(path));
    }

    private static String strip(String path) {
        int from = 0;
        int to = path.length();
        while (from < to && path.charAt(from) == '/') {
            from++;
        }
        while (to > from && path.charAt(to - 1) == '/') {
            to--;
        }
        return path.substring(from, to);
    }

    /**
     * The object key of a root-relative path: {@code .} and empty segments are dropped and {@code
     * ..} goes up one directory. The empty path is the root itself.
     *
     * @throws WeirException naming the path if it is absolute or leaves the root
     */
    String key(String path) {
        String relative = normalize(path);
        if (prefix.isEmpty()) {
            return relative;
        }
        return relative.isEmpty() ? prefix : prefix + "/" + relative;
    }

    /** The key prefix of everything under {@code dir}: its key and a {@code /}, or empty. */
    String dirPrefix(String dir) {
        String key = key(dir);
        return key.isEmpty() ? "" : key + "/";
    }

    /** The root-relative path of a key under the root. */
    String relative(String key) {
        return prefix.isEmpty() ? key : key.substring(prefix.length() + 1);
    }

    /** {@code s3://bucket/key}, for messages. */
    String location(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /** The root-relative form of {@code path}, without {@code .}, {@code ..} or empty segments. */
    String normalize(String path) {
        if (path.startsWith("/") || path.contains("\\")) {
            throw leaves(path);
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String s : path.split("/", -1)) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (segments.isEmpty()) {
                    throw leaves(path);
                }
                segments.removeLast();
            } else {
                segments.addLast(s);
            }
        }
        return String.join("/", segments);
    }

    private WeirException leaves(String path) {
        return new WeirException(
                "path '" + path + "' leaves the checkpoint directory " + location(prefix));
    }

    @Override
    public String toString() {
        return location(prefix);
    }
}
