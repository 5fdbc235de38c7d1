package dev.weir.tools;

import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.FileRef;
import dev.weir.format.KeyGroups;
import dev.weir.format.MetadataSerializer;
import dev.weir.format.OperatorSnapshot;
import dev.weir.kafka.KafkaSplits;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CheckpointStorages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code offsets reset}: a new savepoint whose Kafka source positions are moved, with the scenarios
 * of {@code kafka-consumer-groups --reset-offsets}. A plan is computed first (nothing is written);
 * {@link #write} then writes it to a new directory: a savepoint's files are copied as they are, a
 * retained checkpoint's are rewritten into a savepoint (as {@code rescale} does, at the same
 * parallelism), and the new {@code _metadata} — the source's with the new positions — comes last.
 * The source is never modified.
 *
 * <p>Offsets are the next offset to read, as the job records them. To the earliest, to the latest,
 * to a time and by a duration ask the cluster; to an offset, shift by and from a file do not,
 * unless a cluster is given, and then every new offset is kept within the partition's earliest and
 * latest offsets, as Kafka's tool does.
 */
public final class OffsetReset {
    private OffsetReset() {}

    /** How the new offsets are found: one of Kafka's reset scenarios. */
    public sealed interface Scenario
            permits ToEarliest, ToLatest, ToOffset, ToDatetime, ByDuration, ShiftBy, FromFile {
        /** True if the new offsets come from the cluster. */
        default boolean needsCluster() {
            return false;
        }

        /** The scenario as the command line spells it, for output. */
        String describe();
    }

    /** The earliest offset still in the log. */
    public record ToEarliest() implements Scenario {
        @Override
        public boolean needsCluster() {
            return true;
        }

        @Override
        public String describe() {
            return "--to-earliest";
        }
    }

    /** The log end offset: skip everything written so far. */
    public record ToLatest() implements Scenario {
        @Override
        public boolean needsCluster() {
            return true;
        }

        @Override
        public String describe() {
            return "--to-latest";
        }
    }

    /** One offset for every selected partition. */
    public record ToOffset(long offset) implements Scenario {
        public ToOffset {
            if (offset < 0) {
                throw ToolException.refused("--to-offset must be >= 0, got " + offset);
            }
        }

        @Override
        public String describe() {
            return "--to-offset " + offset;
        }
    }

    /** The first record at or after a time; the log end where there is none. */
    public record ToDatetime(Instant at) implements Scenario {
        @Override
        public boolean needsCluster() {
            return true;
        }

        @Override
        public String describe() {
            return "--to-datetime " + at;
        }
    }

    /** The first record at or after now minus a duration; the log end where there is none. */
    public record ByDuration(Duration duration) implements Scenario {
        public ByDuration {
            if (duration.isNegative()) {
                throw ToolException.refused("--by-duration must not be negative, got " + duration);
            }
        }

        @Override
        public boolean needsCluster() {
            return true;
        }

        @Override
        public String describe() {
            return "--by-duration " + duration;
        }
    }

    /** The current offset moved by {@code delta} (negative: back), not below 0. */
    public record ShiftBy(long delta) implements Scenario {
        @Override
        public String describe() {
            return "--shift-by " + delta;
        }
    }

    /** The offsets of a CSV file of {@code topic,partition,offset} lines. */
    public record FromFile(Map<TopicPartition, Long> offsets) implements Scenario {
        public FromFile {
            offsets = Map.copyOf(offsets);
        }

        @Override
        public String describe() {
            return "--from-file";
        }
    }

    /**
     * Which partitions to reset: every one the source has ({@code allTopics}), or per topic the
     * partitions named (an empty set: every partition of the topic the source has). Ignored by
     * {@link FromFile}, whose file names the partitions.
     */
    public record Selection(boolean allTopics, Map<String, Set<Integer>> topics) {
        public Selection {
            topics = Map.copyOf(topics);
        }
    }

    /** One partition's move; {@code note} says why the new offset is not the one asked for. */
    public record Change(String topic, int partition, long current, long newOffset, String note) {}

    /** What {@link #write} wrote. */
    public record Result(String location, int partitionsChanged, long bytes, long millis) {}

    /**
     * The new offset of every selected partition; reads nothing but the metadata and, if the
     * scenario needs it or it is given, the cluster.
     *
     * @throws ToolException refused if a partition or topic is not in the source, or the scenario
     *     needs the cluster and none is given
     */
    public static List<Change> plan(
            CheckpointMetadata m,
            Selection selection,
            Scenario scenario,
            Optional<KafkaCluster> cluster,
            InstantSource clock) {
        Map<TopicPartition, Long> current = SourcePositions.kafka(m);
        if (current.isEmpty()) {
            throw ToolException.refused(
                    "the metadata of job "
                            + m.jobName()
                            + " records no Kafka source positions: nothing to reset");
        }
        if (scenario.needsCluster() && cluster.isEmpty()) {
            throw ToolException.refused(
                    scenario.describe().split(" ")[0]
                            + " reads the partitions' offsets from the cluster: pass"
                            + " --bootstrap-servers (and --command-config for its security"
                            + " settings)");
        }
        Set<TopicPartition> selected =
                scenario instanceof FromFile f
                        ? check(f.offsets().keySet(), current)
                        : select(selection, current);
        Map<TopicPartition, Long> earliest = Map.of();
        Map<TopicPartition, Long> latest = Map.of();
        Map<TopicPartition, Long> byTime = Map.of();
        if (cluster.isPresent()) {
            earliest = cluster.get().earliest(selected);
            latest = cluster.get().latest(selected);
            if (scenario instanceof ToDatetime t) {
                byTime = cluster.get().forTimestamp(selected, t.at().toEpochMilli());
            } else if (scenario instanceof ByDuration d) {
                byTime =
                        cluster.get()
                                .forTimestamp(
                                        selected,
                                        clock.instant().minus(d.duration()).toEpochMilli());
            }
        }
        List<Change> changes = new ArrayList<>();
        for (TopicPartition tp : selected) {
            long now = current.get(tp);
            String note = "";
            long wanted;
            if (scenario instanceof ToEarliest) {
                wanted = earliest.get(tp);
            } else if (scenario instanceof ToLatest) {
                wanted = latest.get(tp);
            } else if (scenario instanceof ToOffset o) {
                wanted = o.offset();
            } else if (scenario instanceof ShiftBy s) {
                wanted = Math.max(0, now + s.delta());
            } else if (scenario instanceof FromFile f) {
                wanted = f.offsets().get(tp);
            } else {
                // ToDatetime, ByDuration
                wanted = byTime.getOrDefault(tp, latest.get(tp));
            }
            if ((scenario instanceof ToDatetime || scenario instanceof ByDuration)
                    && !byTime.containsKey(tp)) {
                note = "no record at or after the time: the latest offset";
            }
            if (scenario instanceof ShiftBy s && now + s.delta() < 0) {
                note = "shifted below 0: set to 0";
            }
            if (cluster.isPresent()) {
                long lo = earliest.get(tp);
                long hi = latest.get(tp);
                if (wanted < lo) {
                    note = wanted + " is below the earliest offset: set to " + lo;
                    wanted = lo;
                } else if (wanted > hi) {
                    note = wanted + " is beyond the latest offset: set to " + hi;
                    wanted = hi;
                }
            }
            changes.add(new Change(tp.topic(), tp.partition(), now, wanted, note));
        }
        return changes;
    }

    private static Set<TopicPartition> select(
            Selection selection, Map<TopicPartition, Long> current) {
        Set<TopicPartition> out = new TreeSet<>(ORDER);
        if (selection.allTopics()) {
            out.addAll(current.keySet());
            return out;
        }
        if (selection.topics().isEmpty()) {
            throw ToolException.refused("name the partitions to reset: --topic or --all-topics");
        }
        Map<String, TreeSet<Integer>> has = byTopic(current.keySet());
        for (Map.Entry<String, Set<Integer>> t : selection.topics().entrySet()) {
            TreeSet<Integer> partitions = has.get(t.getKey());
            if (partitions == null) {
                throw ToolException.refused(
                        "the source has no position for topic '"
                                + t.getKey()
                                + "'; it has "
                                + describe(has));
            }
            Set<Integer> wanted = t.getValue().isEmpty() ? partitions : t.getValue();
            for (int p : wanted) {
                out.add(new TopicPartition(t.getKey(), p));
            }
        }
        return check(out, current);
    }

    private static Set<TopicPartition> check(
            Set<TopicPartition> wanted, Map<TopicPartition, Long> current) {
        Set<TopicPartition> missing = new TreeSet<>(ORDER);
        for (TopicPartition tp : wanted) {
            if (!current.containsKey(tp)) {
                missing.add(tp);
            }
        }
        if (!missing.isEmpty()) {
            throw ToolException.refused(
                    "the source has no position for "
                            + missing.stream()
                                    .map(KafkaSplits::id)
                                    .collect(Collectors.joining(", "))
                            + "; it has "
                            + describe(byTopic(current.keySet())));
        }
        Set<TopicPartition> out = new TreeSet<>(ORDER);
        out.addAll(wanted);
        return out;
    }

    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition);

    private static Map<String, TreeSet<Integer>> byTopic(Set<TopicPartition> partitions) {
        Map<String, TreeSet<Integer>> out = new TreeMap<>();
        partitions.forEach(
                tp -> out.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition()));
        return out;
    }

    private static String describe(Map<String, TreeSet<Integer>> has) {
        return has.entrySet().stream()
                .map(
                        e ->
                                e.getKey()
                                        + " partitions "
                                        + e.getValue().stream()
                                                .map(String::valueOf)
                                                .collect(Collectors.joining(",")))
                .collect(Collectors.joining("; "));
    }

    /**
     * Parses a {@code --from-file} CSV: one {@code topic,partition,offset} line per partition
     * (blank lines and lines starting with {@code #} ignored), as {@code kafka-consumer-groups
     * --export} writes it.
     *
     * @throws ToolException refused naming the line that is not such a line
     */
    public static FromFile parseCsv(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw ToolException.refused("--from-file " + file + " cannot be read: " + e);
        }
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",", -1);
            try {
                if (f.length != 3 || f[0].isBlank()) {
                    throw new NumberFormatException();
                }
                int partition = Integer.parseInt(f[1].strip());
                long offset = Long.parseLong(f[2].strip());
                if (partition < 0 || offset < 0) {
                    throw new NumberFormatException();
                }
                TopicPartition tp = new TopicPartition(f[0].strip(), partition);
                if (offsets.put(tp, offset) != null) {
                    throw ToolException.refused(
                            file + " line " + (i + 1) + ": " + KafkaSplits.id(tp) + " again");
                }
            } catch (NumberFormatException e) {
                throw ToolException.refused(
                        file
                                + " line "
                                + (i + 1)
                                + " is not topic,partition,offset (non-negative numbers): '"
                                + line
                                + "'");
            }
        }
        if (offsets.isEmpty()) {
            throw ToolException.refused("--from-file " + file + " names no partition");
        }
        return new FromFile(offsets);
    }

    /**
     * Writes a new savepoint at {@code dst}: {@code src} with the new offsets of {@code changes}.
     *
     * @throws ToolException refused if {@code dst} overlaps {@code src} or exists and {@code
     *     overwrite} is false; a problem if a file of {@code src} is missing or damaged (then
     *     {@code dst} is removed again: it held nothing else)
     */
    public static Result write(
            Snapshot src,
            String dst,
            WeirConfig config,
            List<Change> changes,
            boolean overwrite,
            Path workDir,
            Progress progress) {
        long start = System.nanoTime();
        Map<String, Long> replaced = new LinkedHashMap<>();
        for (Change c : changes) {
            replaced.put(
                    KafkaSplits.id(new TopicPartition(c.topic(), c.partition())), c.newOffset());
        }
        if (!src.isSavepoint()) {
            Rescaler.Result r =
                    Rescaler.rescale(
                            src,
                            dst,
                            config,
                            new Rescaler.Request(
                                    parallelismOf(src.metadata()),
                                    OptionalInt.empty(),
                                    overwrite,
                                    replaced),
                            workDir,
                            progress);
            return new Result(
                    r.location(),
                    changes.size(),
                    r.bytes(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        CheckpointStorage out = CheckpointStorages.open(dst, "", config, "DST");
        try {
            Rescaler.checkTarget(src, out, overwrite);
            if (overwrite) {
                out.deleteRecursively("");
            }
            long bytes = 0;
            try {
                for (FileRef f : src.metadata().allFiles()) {
                    bytes += copy(src, f, out, workDir);
                }
                out.writeAtomically(
                        CheckpointMetadata.FILE_NAME,
                        MetadataSerializer.serialize(
                                SourcePositions.replace(src.metadata(), replaced)));
            } catch (RuntimeException e) {
                out.deleteRecursively("");
                throw e;
            }
            return new Result(
                    out.describe(""),
                    changes.size(),
                    bytes,
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            out.close();
        }
    }

    /** The parallelism of a checkpoint's keyed operators (all stages run at one parallelism). */
    private static int parallelismOf(CheckpointMetadata m) {
        int p = 1;
        for (OperatorSnapshot op : m.operators()) {
            p = Math.max(p, op.parallelism());
        }
        return Math.min(p, Math.min(m.maxParallelism(), KeyGroups.MAX_MAX_PARALLELISM));
    }

    /** Copies one file of {@code src} to the same relative path in {@code out}, checked. */
    private static long copy(Snapshot src, FileRef f, CheckpointStorage out, Path workDir) {
        Path local = workDir.resolve("copy-" + System.nanoTime());
        try {
            src.fetch(f, local);
            FileRef stored = out.upload(local, f.path());
            if (stored.size() != f.size() || stored.crc32() != f.crc32()) {
                throw ToolException.problem(
                        out.describe(f.path())
                                + " was written with "
                                + stored.size()
                                + " bytes and CRC-32 "
                                + Integer.toHexString(stored.crc32())
                                + ", expected "
                                + f.size()
                                + " and "
                                + Integer.toHexString(f.crc32()),
                        null);
            }
            return stored.size();
        } finally {
            try {
                Files.deleteIfExists(local);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
