package dev.weir.tools;

import dev.weir.format.CheckpointMetadata;
import dev.weir.format.CheckpointPaths;
import dev.weir.format.FileRef;
import dev.weir.format.MetadataFormatException;
import dev.weir.format.MetadataSerializer;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.StoredFile;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code gc}: the files under a job's checkpoint directory ({@code <checkpoint.dir>/<job>}) that no
 * retained checkpoint references — shared SST files, files of checkpoints that failed or crashed
 * before their {@code _metadata} ({@code chk-<n>} without it), another attempt's private files in a
 * retained {@code chk-<n>} — and, on request, their deletion.
 *
 * <p>A retained checkpoint is a {@code chk-<n>} with {@code _metadata}; every file it references
 * and the {@code _metadata} itself are kept. Only {@code shared/} and {@code chk-<n>/} are looked
 * at: anything else in the directory, and any directory below them that holds a {@code _metadata}
 * of its own (a savepoint someone put there), is never touched. Files modified less than the window
 * ago are never listed, so a running job's uploads of a checkpoint in flight are safe as long as
 * the window is longer than {@code checkpoint.timeout.ms}. A {@code _metadata} that cannot be read
 * stops the command: what it references is unknown.
 */
public final class CheckpointGc {
    private CheckpointGc() {}

    /** An unreferenced file, and why it is garbage. */
    public record Garbage(String path, long bytes, Instant lastModified, String reason) {}

    /** What {@link #find} found (and, once {@link #delete}d, what was deleted). */
    public record Report(
            String apiVersion,
            String location,
            String olderThan,
            Instant cutoff,
            List<Long> retainedCheckpoints,
            boolean executed,
            List<Garbage> files,
            long totalBytes,
            int youngerFilesLeft) {
        Report asExecuted() {
            return new Report(
                    apiVersion,
                    location,
                    olderThan,
                    cutoff,
                    retainedCheckpoints,
                    true,
                    files,
                    totalBytes,
                    youngerFilesLeft);
        }
    }

    /**
     * The garbage under {@code storage}'s root, a job's checkpoint directory, older than {@code
     * olderThan}. Reads only; deletes nothing.
     *
     * @throws ToolException refused if the root is a savepoint or checkpoint, or not a job's
     *     checkpoint directory; a problem if a retained checkpoint's {@code _metadata} is damaged
     */
    public static Report find(CheckpointStorage storage, Duration olderThan, InstantSource clock) {
        String root = storage.describe("");
        if (storage.read(CheckpointMetadata.FILE_NAME).isPresent()) {
            throw ToolException.refused(
                    root
                            + " holds a _metadata: it is a savepoint or a checkpoint, not a job's"
                            + " checkpoint directory (<checkpoint.dir>/<job.name>); gc never"
                            + " touches a savepoint");
        }
        List<String> top = storage.list("");
        Map<Long, String> checkpoints = new TreeMap<>();
        for (String name : top) {
            OptionalLong id = CheckpointPaths.parseCheckpointDir(name);
            id.ifPresent(n -> checkpoints.put(n, name));
        }
        if (checkpoints.isEmpty() && !top.contains(CheckpointPaths.SHARED)) {
            throw ToolException.refused(
                    root
                            + " is not a job's checkpoint directory: it has no chk-<n> and no "
                            + CheckpointPaths.SHARED
                            + "/ (give <checkpoint.dir>/<job.name>)");
        }
        Set<String> keep = new HashSet<>();
        Set<String> retainedDirs = new HashSet<>();
        List<Long> retained = new ArrayList<>();
        for (Map.Entry<Long, String> c : checkpoints.entrySet()) {
            String metadataPath = c.getValue() + "/" + CheckpointMetadata.FILE_NAME;
            Optional<byte[]> bytes = storage.read(metadataPath);
            if (bytes.isEmpty()) {
                continue;
            }
            CheckpointMetadata m;
            try {
                m = MetadataSerializer.deserialize(bytes.get());
            } catch (MetadataFormatException e) {
                throw ToolException.problem(
                        storage.describe(metadataPath)
                                + " cannot be read ("
                                + e.getMessage()
                                + "): gc cannot tell which files it references and deletes"
                                + " nothing",
                        e);
            }
            retained.add(c.getKey());
            retainedDirs.add(c.getValue());
            keep.add(metadataPath);
            for (FileRef f : m.allFiles()) {
                try {
                    keep.add(CheckpointPaths.resolve(c.getValue(), f.path()));
                } catch (IllegalArgumentException e) {
                    throw ToolException.problem(
                            storage.describe(metadataPath) + ": " + e.getMessage(), e);
                }
            }
        }
        List<StoredFile> files = storage.listFilesWithTimes("");
        Set<String> foreign = directoriesWithOwnMetadata(files);
        Instant cutoff = clock.instant().minus(olderThan);
        List<Garbage> garbage = new ArrayList<>();
        long bytes = 0;
        int younger = 0;
        for (StoredFile f : files) {
            String first = f.path().substring(0, Math.max(0, f.path().indexOf('/')));
            boolean weirs =
                    first.equals(CheckpointPaths.SHARED)
                            || CheckpointPaths.parseCheckpointDir(first).isPresent();
            if (!weirs || keep.contains(f.path()) || under(f.path(), foreign)) {
                continue;
            }
            if (f.lastModified().isAfter(cutoff)) {
                younger++;
                continue;
            }
            String reason =
                    first.equals(CheckpointPaths.SHARED)
                            ? "shared file no retained checkpoint references"
                            : retainedDirs.contains(first)
                                    ? "not referenced by " + first + "/_metadata"
                                    : first + " has no _metadata: a failed or crashed checkpoint";
            garbage.add(new Garbage(f.path(), f.size(), f.lastModified(), reason));
            bytes += f.size();
        }
        return new Report(
                Inspection.API_VERSION,
                root,
                olderThan.toString(),
                cutoff,
                retained,
                false,
                garbage,
                bytes,
                younger);
    }

    /**
     * Deletes the files of {@code report}, then each directory they leave empty that no later
     * upload can write to again: an upload's own directory under {@code shared/}, a checkpoint
     * directory without {@code _metadata}, another attempt's directory in a retained one.
     */
    public static Report delete(CheckpointStorage storage, Report report) {
        Set<String> units = new LinkedHashSet<>();
        Map<String, Boolean> retained = new HashMap<>();
        for (Garbage g : report.files()) {
            storage.deleteRecursively(g.path());
            unitOf(storage, g.path(), retained).ifPresent(units::add);
        }
        for (String dir : units) {
            if (storage.listFiles(dir).isEmpty()) {
                storage.deleteRecursively(dir);
            }
        }
        return report.asExecuted();
    }

    private static Optional<String> unitOf(
            CheckpointStorage storage, String path, Map<String, Boolean> retained) {
        String[] parts = path.split("/");
        if (parts[0].equals(CheckpointPaths.SHARED)) {
            // shared/<uid>/<subtask>/<upload-id>/<file>: the upload's directory, never reused.
            return parts.length >= 3
                    ? Optional.of(path.substring(0, path.lastIndexOf('/')))
                    : Optional.empty();
        }
        boolean hasMetadata =
                retained.computeIfAbsent(
                        parts[0],
                        d -> storage.read(d + "/" + CheckpointMetadata.FILE_NAME).isPresent());
        if (!hasMetadata) {
            return Optional.of(parts[0]);
        }
        return parts.length >= 3 ? Optional.of(parts[0] + "/" + parts[1]) : Optional.empty();
    }

    /**
     * Directories below {@code shared/} or a {@code chk-<n>} that hold a {@code _metadata} of their
     * own: not Weir's checkpoint files, left alone.
     */
    private static Set<String> directoriesWithOwnMetadata(List<StoredFile> files) {
        Set<String> dirs = new HashSet<>();
        for (StoredFile f : files) {
            String p = f.path();
            int slash = p.lastIndexOf('/');
            if (slash > 0
                    && p.substring(slash + 1).equals(CheckpointMetadata.FILE_NAME)
                    && p.indexOf('/') != slash) {
                dirs.add(p.substring(0, slash));
            }
        }
        return dirs;
    }

    private static boolean under(String path, Set<String> dirs) {
        for (String d : dirs) {
            if (path.startsWith(d + "/")) {
                return true;
            }
        }
        return false;
    }
}
