package dev.weir.internal;

import dev.weir.UnrecoverableJobException;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.FileRef;
import dev.weir.format.MetadataFormatException;
import dev.weir.format.MetadataSerializer;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CorruptCheckpointException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the newest usable completed checkpoint of a job and brings its keyed state to local disk. A
 * checkpoint whose metadata or files are missing or damaged is skipped with an error in the log,
 * and the next older retained one is tried: nothing is restored from a file that fails its size or
 * CRC check.
 */
final class CheckpointRestorer {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointRestorer.class);

    private CheckpointRestorer() {}

    /** A checkpoint ready to restore: metadata plus local copies of every keyed subtask's files. */
    record Restored(
            CheckpointMetadata metadata,
            Map<String, Map<Integer, Path>> keyedStateDirs,
            Map<String, Long> sourcePositions) {
        Optional<Path> stateDir(String uid, int subtask) {
            return Optional.ofNullable(keyedStateDirs.getOrDefault(uid, Map.of()).get(subtask));
        }

        /** The restored subtask's SST files in {@code shared/}, by local file name. */
        Map<String, FileRef> sharedFiles(String uid, int subtask) {
            Map<String, FileRef> shared = new HashMap<>();
            metadata.operator(uid).stream()
                    .flatMap(op -> op.subtasks().stream())
                    .filter(s -> s.subtask() == subtask)
                    .flatMap(s -> s.files().stream())
                    .filter(f -> f.path().startsWith("../" + CheckpointPaths.SHARED + "/"))
                    .forEach(f -> shared.put(f.path().substring(f.path().lastIndexOf('/') + 1), f));
            return shared;
        }
    }

    /** Ids of all checkpoint directories, complete or not, newest first. */
    static List<Long> checkpointIds(CheckpointStorage storage) {
        List<Long> ids = new ArrayList<>();
        for (String name : storage.list("")) {
            CheckpointPaths.parseCheckpointDir(name).ifPresent(ids::add);
        }
        ids.sort(Comparator.reverseOrder());
        return ids;
    }

    static Optional<Restored> restoreLatest(
            CheckpointStorage storage,
            String jobName,
            int maxParallelism,
            Map<String, Integer> keyedParallelism,
            Set<String> jobUids,
            Path localDir) {
        for (long id : checkpointIds(storage)) {
            Optional<byte[]> bytes = storage.read(CheckpointPaths.metadata(id));
            if (bytes.isEmpty()) {
                continue;
            }
            Path target = localDir.resolve("restore-chk-" + id);
            try {
                CheckpointMetadata m = MetadataSerializer.deserialize(bytes.get());
                check(m, jobName, maxParallelism, keyedParallelism, jobUids);
                Restored r = download(storage, m, target);
                LOG.info(
                        "job {}: restoring checkpoint {} ({})",
                        jobName,
                        id,
                        storage.describe(CheckpointPaths.metadata(id)));
                return Optional.of(r);
            } catch (CorruptCheckpointException | MetadataFormatException e) {
                LOG.error(
                        "job {}: checkpoint {} at {} cannot be restored: {}; falling back to an older retained checkpoint",
                        jobName,
                        id,
                        storage.describe(CheckpointPaths.checkpointDir(id)),
                        e.getMessage());
                LocalCheckpointStorage.deleteTree(target);
            }
        }
        return Optional.empty();
    }

    /**
     * Restores exactly checkpoint {@code id}, which an external system reports as committed. No
     * fallback: an older checkpoint would repeat output that is already committed.
     */
    static Restored restoreCommitted(
            CheckpointStorage storage,
            long id,
            String jobName,
            int maxParallelism,
            Map<String, Integer> keyedParallelism,
            Set<String> jobUids,
            Path localDir) {
        String location = storage.describe(CheckpointPaths.metadata(id));
        byte[] bytes =
                storage.read(CheckpointPaths.metadata(id))
                        .orElseThrow(
                                () ->
                                        new UnrecoverableJobException(
                                                "job "
                                                        + jobName
                                                        + ": checkpoint "
                                                        + id
                                                        + " is committed (its Kafka transaction"
                                                        + " committed) but "
                                                        + location
                                                        + " does not exist; is checkpoint.dir the"
                                                        + " one this job ran with? Restoring any"
                                                        + " other checkpoint would duplicate"
                                                        + " output"));
        Path target = localDir.resolve("restore-chk-" + id);
        try {
            CheckpointMetadata m = MetadataSerializer.deserialize(bytes);
            check(m, jobName, maxParallelism, keyedParallelism, jobUids);
            Restored r = download(storage, m, target);
            LOG.info("job {}: restoring committed checkpoint {} ({})", jobName, id, location);
            return r;
        } catch (CorruptCheckpointException | MetadataFormatException e) {
            LocalCheckpointStorage.deleteTree(target);
            throw new UnrecoverableJobException(
                    "job "
                            + jobName
                            + ": committed checkpoint "
                            + id
                            + " cannot be restored: "
                            + e.getMessage()
                            + "; an older checkpoint would duplicate output already committed",
                    e);
        }
    }

    private static void check(
            CheckpointMetadata m,
            String jobName,
            int maxParallelism,
            Map<String, Integer> keyedParallelism,
            Set<String> jobUids) {
        if (m.maxParallelism() != maxParallelism) {
            throw new UnrecoverableJobException(
                    "job "
                            + jobName
                            + ": checkpoint "
                            + m.checkpointId()
                            + " has max-parallelism "
                            + m.maxParallelism()
                            + " but the job is configured with "
                            + maxParallelism
                            + "; set max-parallelism="
                            + m.maxParallelism()
                            + " (only the offline savepoint tool can change it)");
        }
        for (OperatorSnapshot op : m.operators()) {
            if (!jobUids.contains(op.uid())) {
                throw new UnrecoverableJobException(
                        "job "
                                + jobName
                                + ": checkpoint "
                                + m.checkpointId()
                                + " has state for operator uid '"
                                + op.uid()
                                + "', which the job no longer has (its uids: "
                                + jobUids
                                + ")");
            }
            Integer p = keyedParallelism.get(op.uid());
            if (p != null && p != op.parallelism()) {
                throw new UnrecoverableJobException(
                        "job "
                                + jobName
                                + ": checkpoint "
                                + m.checkpointId()
                                + " holds keyed state of '"
                                + op.uid()
                                + "' at parallelism "
                                + op.parallelism()
                                + " but the job runs at "
                                + p
                                + "; set parallelism="
                                + op.parallelism()
                                + " to resume from it");
            }
        }
    }

    private static Restored download(CheckpointStorage storage, CheckpointMetadata m, Path target) {
        String base = CheckpointPaths.checkpointDir(m.checkpointId());
        Map<String, Map<Integer, Path>> dirs = new HashMap<>();
        Map<String, Long> positions = new LinkedHashMap<>();
        for (OperatorSnapshot op : m.operators()) {
            for (SubtaskSnapshot s : op.subtasks()) {
                positions.putAll(s.positions());
                if (s.keyGroups().isEmpty()) {
                    continue;
                }
                Path dir = target.resolve(op.uid() + "-" + s.subtask());
                for (FileRef f : s.files()) {
                    String name = f.path().substring(f.path().lastIndexOf('/') + 1);
                    storage.download(base, f, dir.resolve(name));
                }
                dirs.computeIfAbsent(op.uid(), k -> new HashMap<>()).put(s.subtask(), dir);
            }
        }
        return new Restored(m, dirs, positions);
    }
}
