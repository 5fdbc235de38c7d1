package dev.weir.tools;

import dev.weir.format.CheckpointMetadata;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.SubtaskSnapshot;
import dev.weir.kafka.KafkaSplits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * The source positions a checkpoint or savepoint records — per operator and subtask, split id to
 * the next offset to read ({@link KafkaSplits}: {@code topic:partition} for Kafka) — read and
 * replaced without touching anything else in the metadata.
 */
public final class SourcePositions {
    private SourcePositions() {}

    /**
     * One recorded position. {@code topic} and {@code partition} are null for a split id that is
     * not a Kafka partition.
     */
    public record Position(
            String operator,
            int subtask,
            String split,
            String topic,
            Integer partition,
            long offset) {}

    /** Every position, in the metadata's order (operator, subtask), splits sorted. */
    public static List<Position> of(CheckpointMetadata m) {
        List<Position> out = new ArrayList<>();
        for (OperatorSnapshot op : m.operators()) {
            for (SubtaskSnapshot s : op.subtasks()) {
                s.positions().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .forEach(
                                e -> {
                                    Optional<TopicPartition> tp = KafkaSplits.parse(e.getKey());
                                    out.add(
                                            new Position(
                                                    op.uid(),
                                                    s.subtask(),
                                                    e.getKey(),
                                                    tp.map(TopicPartition::topic).orElse(null),
                                                    tp.map(TopicPartition::partition).orElse(null),
                                                    e.getValue()));
                                });
            }
        }
        return out;
    }

    /**
     * The Kafka partitions the metadata has a position for, with that position. A partition
     * recorded by two subtasks with different offsets is a damaged input.
     *
     * @throws ToolException if one partition has two different positions
     */
    public static Map<TopicPartition, Long> kafka(CheckpointMetadata m) {
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        for (Position p : of(m)) {
            if (p.topic() == null) {
                continue;
            }
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            Long before = out.put(tp, p.offset());
            if (before != null && before != p.offset()) {
                throw ToolException.problem(
                        "the metadata records two positions for "
                                + p.split()
                                + ": "
                                + before
                                + " and "
                                + p.offset(),
                        null);
            }
        }
        return out;
    }

    /**
     * {@code m} with the positions of the splits in {@code replaced} (split id to next offset) set
     * to the given offsets, wherever they are recorded; everything else unchanged.
     */
    public static CheckpointMetadata replace(CheckpointMetadata m, Map<String, Long> replaced) {
        List<OperatorSnapshot> ops = new ArrayList<>();
        for (OperatorSnapshot op : m.operators()) {
            ops.add(replace(op, replaced));
        }
        return new CheckpointMetadata(
                m.jobName(),
                m.checkpointId(),
                m.timestampMillis(),
                m.maxParallelism(),
                m.kind(),
                ops,
                m.incarnation());
    }

    /** {@code op} with the positions of the splits in {@code replaced} replaced. */
    static OperatorSnapshot replace(OperatorSnapshot op, Map<String, Long> replaced) {
        List<SubtaskSnapshot> subtasks = new ArrayList<>();
        for (SubtaskSnapshot s : op.subtasks()) {
            Map<String, Long> positions = new HashMap<>(s.positions());
            positions.replaceAll((split, offset) -> replaced.getOrDefault(split, offset));
            subtasks.add(new SubtaskSnapshot(s.subtask(), s.keyGroups(), s.files(), positions));
        }
        return new OperatorSnapshot(op.uid(), op.parallelism(), op.states(), subtasks);
    }
}
