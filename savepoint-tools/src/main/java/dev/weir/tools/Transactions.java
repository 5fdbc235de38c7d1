package dev.weir.tools;

import dev.weir.kafka.KafkaJobNames;
import dev.weir.kafka.KafkaSplits;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * {@code txn list|abort}: the transactions of a job's exactly-once producer pool ({@code
 * <prefix>-<slot>}, {@link KafkaJobNames}) as the cluster's transaction coordinators report them,
 * and aborting the ongoing ones — which read_committed consumers of the job's output wait behind
 * after a crash until the job starts again or {@code transaction.timeout.ms} passes.
 *
 * <p>Aborting uses Kafka's public API only: {@code Admin.fenceProducers} bumps the producer epoch
 * of each id, which makes its coordinator abort the ongoing transaction and fences the process that
 * opened it. A live job would fail its next commit and restart (nothing is lost or repeated: the
 * aborted epoch is replayed), so the command refuses while the job's lock group has a member,
 * unless forced.
 */
public final class Transactions {
    private Transactions() {}

    /** One transactional id of the pool and its transaction. {@code ageMillis} -1: none open. */
    public record Txn(
            String transactionalId,
            String state,
            long producerId,
            int producerEpoch,
            long timeoutMs,
            long ageMillis,
            List<String> partitions) {
        /** True if a transaction is open and can be aborted. */
        public boolean ongoing() {
            return state.equals(TransactionState.ONGOING.toString());
        }

        /** True if the coordinator is completing a commit or abort on its own. */
        public boolean completing() {
            return state.equals(TransactionState.PREPARE_COMMIT.toString())
                    || state.equals(TransactionState.PREPARE_ABORT.toString())
                    || state.equals(TransactionState.PREPARE_EPOCH_FENCE.toString());
        }
    }

    /** A member of the job's lock group: the process that holds (or is about to hold) the lock. */
    public record LockMember(String clientId, String host) {}

    /** One aborted transaction: its state before and after, and how long the abort took. */
    public record Aborted(String transactionalId, String before, String after, long millis) {}

    /**
     * The pool's transactional ids known to the cluster ({@code <prefix>-<digits>} exactly, so
     * {@code <prefix>x-0} is another job's), with their transactions, sorted by id.
     */
    public static List<Txn> list(KafkaCluster cluster, String prefix, InstantSource clock) {
        Collection<TransactionListing> all =
                cluster.get(cluster.admin().listTransactions().all(), "the transactions");
        List<String> ids =
                all.stream()
                        .map(TransactionListing::transactionalId)
                        .filter(id -> KafkaJobNames.isPoolId(prefix, id))
                        .distinct()
                        .sorted(Comparator.comparing(Transactions::slotOrder))
                        .toList();
        return describe(cluster, ids, clock);
    }

    private static String slotOrder(String id) {
        String slot = id.substring(id.lastIndexOf('-') + 1);
        return "0".repeat(Math.max(0, 12 - slot.length())) + slot;
    }

    private static List<Txn> describe(KafkaCluster cluster, List<String> ids, InstantSource clock) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<String, TransactionDescription> described =
                cluster.get(
                        cluster.admin().describeTransactions(ids).all(), "the transactions " + ids);
        long now = clock.millis();
        List<Txn> out = new ArrayList<>();
        for (String id : ids) {
            TransactionDescription d = described.get(id);
            List<String> partitions =
                    d.topicPartitions().stream().map(KafkaSplits::id).sorted().toList();
            long age =
                    d.transactionStartTimeMs().isPresent() && d.state() == TransactionState.ONGOING
                            ? Math.max(0, now - d.transactionStartTimeMs().getAsLong())
                            : -1;
            out.add(
                    new Txn(
                            id,
                            d.state().toString(),
                            d.producerId(),
                            d.producerEpoch(),
                            d.transactionTimeoutMs(),
                            age,
                            partitions));
        }
        return out;
    }

    /** The members of the job's lock group; empty if no process of the job is live. */
    public static List<LockMember> lockMembers(KafkaCluster cluster, String jobName) {
        String group = KafkaJobNames.lockGroup(jobName);
        ConsumerGroupDescription d;
        try {
            d =
                    cluster.admin()
                            .describeConsumerGroups(List.of(group))
                            .describedGroups()
                            .get(group)
                            .get(KafkaCluster.CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw ToolException.problem(
                    "cannot describe the job lock group " + group + ": " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw ToolException.problem("no answer describing the job lock group " + group, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ToolException.problem("interrupted", e);
        }
        List<LockMember> members = new ArrayList<>();
        for (MemberDescription m : d.members()) {
            members.add(new LockMember(m.clientId(), m.host()));
        }
        return members;
    }

    /**
     * Aborts the ongoing transactions among {@code txns} and waits, up to {@code wait}, until their
     * coordinators report each one complete.
     *
     * @throws ToolException a problem if fencing fails or a transaction is still not complete after
     *     {@code wait}
     */
    public static List<Aborted> abort(
            KafkaCluster cluster, List<Txn> txns, Duration wait, InstantSource clock) {
        List<Txn> ongoing = txns.stream().filter(Txn::ongoing).toList();
        if (ongoing.isEmpty()) {
            return List.of();
        }
        List<String> ids = ongoing.stream().map(Txn::transactionalId).toList();
        long start = clock.millis();
        cluster.get(cluster.admin().fenceProducers(ids).all(), "fencing the producers " + ids);
        long deadline = start + wait.toMillis();
        while (true) {
            List<Txn> now = describe(cluster, ids, clock);
            List<Txn> open = now.stream().filter(t -> t.ongoing() || t.completing()).toList();
            if (open.isEmpty()) {
                long millis = clock.millis() - start;
                List<Aborted> out = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    out.add(
                            new Aborted(
                                    ids.get(i),
                                    ongoing.get(i).state(),
                                    now.get(i).state(),
                                    millis));
                }
                return out;
            }
            if (clock.millis() > deadline) {
                throw ToolException.problem(
                        "the producers "
                                + ids
                                + " are fenced, but after "
                                + wait
                                + " "
                                + open.stream()
                                        .map(t -> t.transactionalId() + " is " + t.state())
                                        .toList()
                                + "; its coordinator completes it on its own, run txn list"
                                + " again later",
                        null);
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /** Pause between two polls of the coordinators. */
    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ToolException.problem("interrupted while waiting for the aborts", e);
        }
    }
}
