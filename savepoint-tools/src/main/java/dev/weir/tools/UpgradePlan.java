package dev.weir.tools;

import dev.weir.Job;
import dev.weir.StateSerializer;
import dev.weir.config.JobOptions;
import dev.weir.config.SavepointOptions;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.StateInfo;
import dev.weir.format.StateKeys;
import dev.weir.state.ListStateDescriptor;
import dev.weir.state.MapStateDescriptor;
import dev.weir.state.StateDescriptor;
import dev.weir.state.ValueStateDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What would happen if a new version of a job resumed from a savepoint, decided from the job's
 * graph and state declarations ({@link Job#describe()}) and the savepoint's metadata alone —
 * without running the job: per operator uid and state a {@link Verdict}, and overall whether the
 * resume works as is, needs a flag, or cannot work.
 */
public record UpgradePlan(List<Row> rows, int exitCode) {

    /** The outcome for one uid (state empty) or one state of a uid. */
    public enum Verdict {
        /** In both, same kind and schemas. */
        MATCHED,
        /** Only in the job: starts empty. */
        NEW,
        /** Only in the savepoint, with state: the resume needs --allow-non-restored-state. */
        MISSING,
        /** A state the job declares that the savepoint lacks: starts empty. */
        STATE_ADDED,
        /** A state in the savepoint the job no longer declares: not restored. */
        STATE_DROPPED,
        /** The schema changed and the job's serde migrates the old bytes. */
        SCHEMA_COMPATIBLE,
        /** The resume would fail; the reason says why. */
        SCHEMA_INCOMPATIBLE
    }

    /** One line of the plan. */
    public record Row(String uid, String state, Verdict verdict, String detail) {}

    /** Exit codes of {@code plan}. */
    public static final int COMPATIBLE = 0;

    public static final int NEEDS_FLAG = 3;
    public static final int INCOMPATIBLE = 4;

    public static UpgradePlan of(CheckpointMetadata savepoint, Job job, WeirConfig config) {
        List<Row> rows = new ArrayList<>();
        boolean incompatible = false;
        boolean needsFlag = false;
        int m = config.get(JobOptions.MAX_PARALLELISM);
        if (m != savepoint.maxParallelism()) {
            rows.add(
                    new Row(
                            "*",
                            "",
                            Verdict.SCHEMA_INCOMPATIBLE,
                            "the job's max-parallelism is "
                                    + m
                                    + ", the savepoint's "
                                    + savepoint.maxParallelism()
                                    + ": set max-parallelism="
                                    + savepoint.maxParallelism()
                                    + ", or rescale the savepoint with --max-parallelism "
                                    + m));
            incompatible = true;
        }
        Set<String> jobUids = new HashSet<>();
        for (Job.Operator op : job.describe()) {
            jobUids.add(op.uid());
            Optional<OperatorSnapshot> old = savepoint.operator(op.uid());
            if (old.isEmpty()) {
                rows.add(new Row(op.uid(), "", Verdict.NEW, op.role() + ", starts empty"));
                continue;
            }
            rows.add(new Row(op.uid(), "", Verdict.MATCHED, op.role().toString()));
            Map<String, StateInfo> stored = new HashMap<>();
            old.get().states().forEach(s -> stored.put(s.name(), s));
            for (StateDescriptor d : op.states()) {
                StateInfo s = stored.remove(d.name());
                Row r = compare(op.uid(), d, s);
                incompatible |= r.verdict() == Verdict.SCHEMA_INCOMPATIBLE;
                rows.add(r);
            }
            // Timers belong to every keyed operator: the new version keeps them as they are.
            for (String timers :
                    List.of(StateKeys.TIMERS_EVENT_TIME, StateKeys.TIMERS_PROCESSING_TIME)) {
                if (stored.remove(timers) != null) {
                    rows.add(new Row(op.uid(), timers, Verdict.MATCHED, "timers, kept"));
                }
            }
            stored.keySet()
                    .forEach(
                            name ->
                                    rows.add(
                                            new Row(
                                                    op.uid(),
                                                    name,
                                                    Verdict.STATE_DROPPED,
                                                    "declared no more; not restored")));
        }
        boolean allowed =
                config.get(SavepointOptions.ALLOW_NON_RESTORED_STATE) == SavepointOptions.Flag.TRUE;
        for (OperatorSnapshot op : savepoint.operators()) {
            boolean hasState =
                    op.subtasks().stream()
                            .anyMatch(s -> !s.files().isEmpty() || !s.positions().isEmpty());
            if (!jobUids.contains(op.uid()) && hasState) {
                rows.add(
                        new Row(
                                op.uid(),
                                "",
                                Verdict.MISSING,
                                allowed
                                        ? "not in the job; its state is dropped"
                                                + " (savepoint.allow-non-restored-state=true)"
                                        : "not in the job; resuming needs"
                                                + " --allow-non-restored-state to drop its state"));
                needsFlag |= !allowed;
            }
        }
        int code = incompatible ? INCOMPATIBLE : needsFlag ? NEEDS_FLAG : COMPATIBLE;
        return new UpgradePlan(List.copyOf(rows), code);
    }

    private static Row compare(String uid, StateDescriptor d, StateInfo s) {
        if (s == null) {
            return new Row(uid, d.name(), Verdict.STATE_ADDED, d.kind() + ", starts empty");
        }
        if (!s.kind().equals(d.kind())) {
            return new Row(
                    uid,
                    d.name(),
                    Verdict.SCHEMA_INCOMPATIBLE,
                    "declared as " + d.kind() + " state, stored as " + s.kind());
        }
        if (d.keySchema().isPresent()
                && s.keySchema().isPresent()
                && !d.keySchema().get().equals(s.keySchema().get())) {
            return new Row(
                    uid,
                    d.name(),
                    Verdict.SCHEMA_INCOMPATIBLE,
                    "the map keys' schema changed from '"
                            + s.keySchema().get()
                            + "' to '"
                            + d.keySchema().get()
                            + "'; map keys cannot be migrated");
        }
        if (d.valueSchema().equals(s.valueSchema())) {
            return new Row(uid, d.name(), Verdict.MATCHED, d.kind() + " " + d.valueSchema());
        }
        StateSerializer<?> serde = valueSerde(d);
        if (serde.migrationFrom(s.valueSchema()).isPresent()) {
            return new Row(
                    uid,
                    d.name(),
                    Verdict.SCHEMA_COMPATIBLE,
                    "values migrate from '" + s.valueSchema() + "' to '" + d.valueSchema() + "'");
        }
        return new Row(
                uid,
                d.name(),
                Verdict.SCHEMA_INCOMPATIBLE,
                "the value schema changed from '"
                        + s.valueSchema()
                        + "' to '"
                        + d.valueSchema()
                        + "' and the serde cannot read the old values (StateSerializer.migrationFrom)");
    }

    private static StateSerializer<?> valueSerde(StateDescriptor d) {
        if (d instanceof ValueStateDescriptor<?> v) {
            return v.serializer();
        } else if (d instanceof ListStateDescriptor<?> l) {
            return l.elementSerializer();
        }
        return ((MapStateDescriptor<?, ?>) d).valueSerializer();
    }
}
