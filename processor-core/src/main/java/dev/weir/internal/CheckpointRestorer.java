package dev.weir.internal;

import dev.weir.UnrecoverableJobException;
import dev.weir.config.CheckpointOptions;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.CheckpointPaths;
import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
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
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds what a job restores and brings it to local disk: the newest usable completed checkpoint
 * (skipping damaged ones, with an error in the log), exactly the committed one (exactly-once), or a
 * savepoint. Keyed state of the same parallelism restores from RocksDB's own files; state of
 * another parallelism, and any savepoint, is re-ingested key group by key group. Nothing is
 * restored from a file that fails its size or CRC check.
 */
final class CheckpointRestorer {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointRestorer.class);

    private CheckpointRestorer() {}

    /** What the job expects of the state it restores. */
    record Rules(
            String jobName,
            int maxParallelism,
            Map<String, Integer> keyedParallelism,
            Set<String> jobUids,
            boolean allowNonRestoredState,
            boolean allowEmptyStart) {}

    /** State of an old subtask to re-ingest: a RocksDB directory or a canonical file. */
    record IngestSource(KeyGroupRange keyGroups, Path path, boolean canonical) {
        void forEach(KeyGroupRange wanted, CanonicalState.EntryConsumer consumer) {
            int start = Math.max(wanted.start(), keyGroups.start());
            int end = Math.min(wanted.end(), keyGroups.end());
            if (start > end) {
                return;
            }
            KeyGroupRange overlap = new KeyGroupRange(start, end);
            if (canonical) {
                CanonicalState.forEachCanonical(path, overlap, consumer);
            } else {
                CanonicalState.forEachNative(path, overlap, consumer);
            }
        }
    }

    /**
     * A checkpoint or savepoint ready to restore. {@code inJobStorage}: it is one of the job's own
     * checkpoints, so its files in {@code shared/} are the job's own too.
     */
    record Restored(
            CheckpointMetadata metadata,
            Map<String, Map<Integer, Path>> keyedStateDirs,
            Map<String, List<IngestSource>> ingestSources,
            Map<String, Long> sourcePositions,
            boolean inJobStorage) {
        /** A RocksDB directory that subtask {@code subtask} of {@code uid} can open as it is. */
        Optional<Path> stateDir(String uid, int subtask) {
            return Optional.ofNullable(keyedStateDirs.getOrDefault(uid, Map.of()).get(subtask));
        }

        /** Old subtasks' state that subtask {@code uid} re-ingests for its key groups. */
        List<IngestSource> ingest(String uid) {
            return ingestSources.getOrDefault(uid, List.of());
        }

        /**
         * The restored subtask's SST files in the job's {@code shared/}, by local file name: its
         * next checkpoint references them instead of uploading them again. Empty when the restore
         * came from elsewhere (another job's checkpoint, a copied directory): those files are not
         * in this job's storage, so its first checkpoint uploads them (docs/architecture.md §5).
         */
        Map<String, FileRef> sharedFiles(String uid, int subtask) {
            Map<String, FileRef> shared = new HashMap<>();
            if (!inJobStorage || !keyedStateDirs.getOrDefault(uid, Map.of()).containsKey(subtask)) {
                return shared;
            }
            metadata.operator(uid).stream()
                    .flatMap(op -> op.subtasks().stream())
                    .filter(s -> s.subtask() == subtask)
                    .flatMap(s -> s.files().stream())
                    .filter(f -> CheckpointPaths.sharedFile(f.path()).isPresent())
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

    /** The newest checkpoint that has its metadata, without reading it. */
    static OptionalLong newestCompleted(CheckpointStorage storage) {
        for (long id : checkpointIds(storage)) {
            if (storage.read(CheckpointPaths.metadata(id)).isPresent()) {
                return OptionalLong.of(id);
            }
        }
        return OptionalLong.empty();
    }

    /**
     * Restores the newest retained checkpoint that can be read, falling back to older ones. Empty
     * when the job has no completed checkpoint at all.
     *
     * @throws UnrecoverableJobException when completed checkpoints exist but none can be restored,
     *     listing each and why, unless {@link Rules#allowEmptyStart()}: starting with empty state
     *     from the source's start position would silently produce wrong results
     */
    static Optional<Restored> restoreLatest(CheckpointStorage storage, Rules rules, Path localDir) {
        List<String> rejected = new ArrayList<>();
        for (long id : checkpointIds(storage)) {
            Optional<byte[]> bytes = storage.read(CheckpointPaths.metadata(id));
            if (bytes.isEmpty()) {
                continue;
            }
            Path target = localDir.resolve("restore-chk-" + id);
            try {
                CheckpointMetadata m = MetadataSerializer.deserialize(bytes.get());
                check(m, rules);
                Restored r =
                        download(
                                storage, CheckpointPaths.checkpointDir(id), m, rules, target, true);
                LOG.info(
                        "job {}: restoring checkpoint {} ({})",
                        rules.jobName(),
                        id,
                        storage.describe(CheckpointPaths.metadata(id)));
                return Optional.of(r);
            } catch (CorruptCheckpointException | MetadataFormatException e) {
                LOG.error(
                        "job {}: checkpoint {} at {} cannot be restored: {}; falling back to an"
                                + " older retained checkpoint",
                        rules.jobName(),
                        id,
                        storage.describe(CheckpointPaths.checkpointDir(id)),
                        e.getMessage());
                rejected.add(
                        "checkpoint "
                                + id
                                + " at "
                                + storage.describe(CheckpointPaths.checkpointDir(id))
                                + ": "
                                + e.getMessage());
                LocalCheckpointStorage.deleteTree(target);
            }
        }
        if (rejected.isEmpty()) {
            return Optional.empty();
        }
        String list = String.join("; ", rejected);
        if (rules.allowEmptyStart()) {
            LOG.warn(
                    "job {}: no retained checkpoint can be restored ({}); starting with empty state"
                            + " because {}=true",
                    rules.jobName(),
                    list,
                    CheckpointOptions.ALLOW_EMPTY_START.key());
            return Optional.empty();
        }
        throw new UnrecoverableJobException(
                "job "
                        + rules.jobName()
                        + ": none of its "
                        + rejected.size()
                        + " retained checkpoints can be restored: "
                        + list
                        + ". Repair or restore them (or start from a savepoint with"
                        + " savepoint.path), or set "
                        + CheckpointOptions.ALLOW_EMPTY_START.key()
                        + "=true to start with empty state from the source's start position");
    }

    /**
     * Restores exactly checkpoint {@code id}, which an external system reports as committed. No
     * fallback: an older checkpoint would repeat output that is already committed.
     */
    static Restored restoreCommitted(
            CheckpointStorage storage, long id, Rules rules, Path localDir) {
        String location = storage.describe(CheckpointPaths.metadata(id));
        byte[] bytes =
                storage.read(CheckpointPaths.metadata(id))
                        .orElseThrow(
                                () ->
                                        new UnrecoverableJobException(
                                                "job "
                                                        + rules.jobName()
                                                        + ": checkpoint "
                                                        + id
                                                        + " is committed (its Kafka transaction"
                                                        + " committed) but "
                                                        + location
                                                        + " does not exist; is checkpoint.dir the"
                                                        + " one this job ran with? Restoring any"
                                                        + " other checkpoint would duplicate"
                                                        + " output"));
        return restoreExactly(
                storage,
                CheckpointPaths.checkpointDir(id),
                bytes,
                rules,
                localDir,
                location,
                "committed checkpoint",
                true);
    }

    /**
     * Restores the savepoint (or retained checkpoint) whose metadata is {@code bytes}, with files
     * relative to {@code baseDir} of {@code storage}; {@code inJobStorage} when {@code storage} is
     * the job's own checkpoint storage.
     */
    static Restored restoreExactly(
            CheckpointStorage storage,
            String baseDir,
            byte[] bytes,
            Rules rules,
            Path localDir,
            String location,
            String what,
            boolean inJobStorage) {
        Path target = localDir.resolve("restore-" + Math.abs(location.hashCode()));
        try {
            CheckpointMetadata m = MetadataSerializer.deserialize(bytes);
            check(m, rules);
            Restored r = download(storage, baseDir, m, rules, target, inJobStorage);
            LOG.info(
                    "job {}: restoring {} {} ({})",
                    rules.jobName(),
                    what,
                    m.checkpointId(),
                    location);
            return r;
        } catch (CorruptCheckpointException | MetadataFormatException e) {
            LocalCheckpointStorage.deleteTree(target);
            throw new UnrecoverableJobException(
                    "job "
                            + rules.jobName()
                            + ": "
                            + what
                            + " at "
                            + location
                            + " cannot be restored: "
                            + e.getMessage(),
                    e);
        }
    }

    private static void check(CheckpointMetadata m, Rules rules) {
        String what = m.kind() == CheckpointMetadata.Kind.SAVEPOINT ? "savepoint" : "checkpoint";
        if (m.maxParallelism() != rules.maxParallelism()) {
            throw new UnrecoverableJobException(
                    "job "
                            + rules.jobName()
                            + ": "
                            + what
                            + " "
                            + m.checkpointId()
                            + " has max-parallelism "
                            + m.maxParallelism()
                            + " but the job is configured with "
                            + rules.maxParallelism()
                            + "; set max-parallelism="
                            + m.maxParallelism()
                            + " (only the offline savepoint tool can change it)");
        }
        Set<String> gone = new TreeSet<>();
        for (OperatorSnapshot op : m.operators()) {
            boolean hasState =
                    op.subtasks().stream()
                            .anyMatch(s -> !s.files().isEmpty() || !s.positions().isEmpty());
            if (!rules.jobUids().contains(op.uid()) && hasState) {
                gone.add(op.uid());
            }
        }
        if (!gone.isEmpty()) {
            if (!rules.allowNonRestoredState()) {
                throw new UnrecoverableJobException(
                        "job "
                                + rules.jobName()
                                + ": "
                                + what
                                + " "
                                + m.checkpointId()
                                + " has state of operator uids "
                                + gone
                                + " that the job no longer has (its uids: "
                                + new TreeSet<>(rules.jobUids())
                                + "); set savepoint.allow-non-restored-state=true"
                                + " (--allow-non-restored-state) to drop that state");
            }
            LOG.warn(
                    "job {}: dropping the state of operator uids {} of {} {}, which the job no"
                            + " longer has",
                    rules.jobName(),
                    gone,
                    what,
                    m.checkpointId());
        }
    }

    private static Restored download(
            CheckpointStorage storage,
            String base,
            CheckpointMetadata m,
            Rules rules,
            Path target,
            boolean inJobStorage) {
        Map<String, Map<Integer, Path>> dirs = new HashMap<>();
        Map<String, List<IngestSource>> ingest = new HashMap<>();
        Map<String, Long> positions = new LinkedHashMap<>();
        for (OperatorSnapshot op : m.operators()) {
            Integer jobParallelism = rules.keyedParallelism().get(op.uid());
            boolean keyedOfJob = jobParallelism != null;
            boolean sameLayout =
                    m.kind() == CheckpointMetadata.Kind.CHECKPOINT
                            && keyedOfJob
                            && jobParallelism == op.parallelism();
            for (SubtaskSnapshot s : op.subtasks()) {
                positions.putAll(s.positions());
                if (s.keyGroups().isEmpty() || !keyedOfJob) {
                    continue;
                }
                Path dir = target.resolve(op.uid() + "-" + s.subtask());
                for (FileRef f : s.files()) {
                    String name = f.path().substring(f.path().lastIndexOf('/') + 1);
                    storage.download(base, f, dir.resolve(name));
                }
                if (sameLayout) {
                    dirs.computeIfAbsent(op.uid(), k -> new HashMap<>()).put(s.subtask(), dir);
                } else if (m.kind() == CheckpointMetadata.Kind.SAVEPOINT) {
                    for (FileRef f : s.files()) {
                        Path file = dir.resolve(f.path().substring(f.path().lastIndexOf('/') + 1));
                        ingest.computeIfAbsent(op.uid(), k -> new ArrayList<>())
                                .add(new IngestSource(s.keyGroups().get(), file, true));
                    }
                } else {
                    ingest.computeIfAbsent(op.uid(), k -> new ArrayList<>())
                            .add(new IngestSource(s.keyGroups().get(), dir, false));
                }
            }
        }
        return new Restored(m, dirs, ingest, positions, inJobStorage);
    }
}
