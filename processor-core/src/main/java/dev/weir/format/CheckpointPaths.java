package dev.weir.format;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Names inside a job's checkpoint directory (docs/architecture.md §3.3). */
public final class CheckpointPaths {
    private static final Pattern CHECKPOINT_DIR = Pattern.compile("chk-(\\d+)");

    /** Directory of RocksDB SST files shared by incremental checkpoints. */
    public static final String SHARED = "shared";

    private CheckpointPaths() {}

    public static String checkpointDir(long id) {
        return "chk-" + id;
    }

    /**
     * The files of checkpoint {@code id} that one attempt of the job wrote (RocksDB's MANIFEST,
     * OPTIONS, CURRENT): under the attempt's incarnation, so two processes that both take id n — a
     * paused one and its successor — never write or delete each other's files.
     */
    public static String privateDir(long id, String incarnation) {
        return checkpointDir(id) + "/" + incarnation;
    }

    /**
     * The storage-root path of a file a checkpoint's {@code _metadata} references in {@code
     * shared/} ({@code ../shared/op/0/u/7.sst} → {@code shared/op/0/u/7.sst}); empty for the
     * checkpoint's own files.
     */
    public static java.util.Optional<String> sharedFile(String metadataPath) {
        return metadataPath.startsWith("../" + SHARED + "/")
                ? java.util.Optional.of(metadataPath.substring(3))
                : java.util.Optional.empty();
    }

    /** How a checkpoint's {@code _metadata} references {@code shared/…} file {@code rootPath}. */
    public static String sharedReference(String rootPath) {
        return "../" + rootPath;
    }

    public static String metadata(long id) {
        return checkpointDir(id) + "/_metadata";
    }

    /**
     * A file path of a {@code _metadata} in {@code dir} (relative to that directory, like {@code
     * ../shared/op/0/u/7.sst}) as a path relative to the storage root ({@code
     * shared/op/0/u/7.sst}), with {@code .} and {@code ..} resolved.
     *
     * @throws IllegalArgumentException if the path leaves the storage root
     */
    public static String resolve(String dir, String relativePath) {
        java.util.Deque<String> parts = new java.util.ArrayDeque<>();
        for (String p : (dir + "/" + relativePath).split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.pollLast() == null) {
                    throw new IllegalArgumentException(
                            "path '" + relativePath + "' in '" + dir + "' leaves the storage root");
                }
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }

    public static OptionalLong parseCheckpointDir(String name) {
        Matcher m = CHECKPOINT_DIR.matcher(name);
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }
}
