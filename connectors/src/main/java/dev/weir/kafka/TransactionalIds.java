package dev.weir.kafka;

import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional ids of a job: the pool of this configuration, {@code <prefix>-<slot>} for slots
 * {@code 0 .. sink.producer-pool-size - 1}, and the ids an earlier configuration of the same job
 * may have left behind — more slots of a larger pool, or {@code <job>-<slot>} from before {@code
 * sink.transactional-id-prefix} was set. The pool is initialized by {@link KafkaTransactions}; the
 * others are {@linkplain #fenceLeftovers fenced} at recovery, so a transaction one of them left
 * open neither holds back read_committed consumers until the broker's timeout nor can be committed
 * by a zombie.
 *
 * <p>An id belongs to the job only if it is exactly {@code <prefix>-<digits>} or {@code
 * <job>-<digits>}: a job {@code orders-eu} has ids {@code orders-eu-0…}, which are not those of job
 * {@code orders}. A prefix that was changed from one custom value to another is not found: nothing
 * in Kafka remembers the old one (its open transactions end at their timeout).
 *
 * <p>Immutable and thread-safe.
 */
final class TransactionalIds {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalIds.class);

    /** States in which a transaction is not complete: fencing aborts it (or waits for its end). */
    private static final List<TransactionState> UNFINISHED =
            List.of(
                    TransactionState.ONGOING,
                    TransactionState.PREPARE_ABORT,
                    TransactionState.PREPARE_COMMIT,
                    TransactionState.PREPARE_EPOCH_FENCE);

    /** How long a broker may take to list its transactions before it is skipped. */
    static final int LIST_TIMEOUT_MS = 15_000;

    private final String jobName;
    private final String prefix;
    private final List<String> pool;
    private final List<String> jobPrefixes;

    private TransactionalIds(String jobName, String prefix, int poolSize) {
        this.jobName = jobName;
        this.prefix = prefix;
        List<String> ids = new ArrayList<>(poolSize);
        for (int slot = 0; slot < poolSize; slot++) {
            ids.add(KafkaJobNames.transactionalId(prefix, slot));
        }
        this.pool = List.copyOf(ids);
        this.jobPrefixes = prefix.equals(jobName) ? List.of(prefix) : List.of(prefix, jobName);
    }

    static TransactionalIds of(String jobName, WeirConfig config) {
        return new TransactionalIds(
                jobName,
                KafkaJobNames.transactionalIdPrefix(config, jobName),
                config.get(KafkaOptions.PRODUCER_POOL_SIZE));
    }

    String prefix() {
        return prefix;
    }

    /** The ids of this configuration's pool, slot by slot. */
    List<String> pool() {
        return pool;
    }

    /** True for an id this job may have used, in this configuration or an earlier one. */
    boolean isJobs(String transactionalId) {
        return jobPrefixes.stream().anyMatch(p -> KafkaJobNames.isPoolId(p, transactionalId));
    }

    /**
     * Fences every id of the job outside the pool whose transaction is unfinished ({@code
     * Admin.listTransactions}, then {@code Admin.fenceProducers}: the broker bumps the producer
     * epoch and aborts the open transaction). Call it while holding the job lock, so no live run of
     * this job uses those ids. Ids whose transaction is complete are left alone: they hold nothing
     * back, and fencing them would keep them from expiring ({@code
     * transactional.id.expiration.ms}).
     *
     * <p>Asynchronous: runs alongside the initialization of the pool. The future completes with the
     * ids fenced, or exceptionally with a {@link WeirException} if the cluster could not be asked
     * or fencing failed. A broker that cannot list its transactions within {@link #LIST_TIMEOUT_MS}
     * (down, or older than Kafka 3.0) and an id the job may not write are logged and skipped: the
     * start does not depend on them, and the broker still aborts those transactions at their {@code
     * transaction.timeout.ms}.
     */
    CompletableFuture<List<String>> fenceLeftovers(Admin admin) {
        ListTransactionsOptions unfinished =
                new ListTransactionsOptions().filterStates(UNFINISHED).timeoutMs(LIST_TIMEOUT_MS);
        return admin.listTransactions(unfinished)
                .byBrokerId()
                .toCompletionStage()
                .toCompletableFuture()
                .handle(
                        (byBroker, error) -> {
                            if (error != null) {
                                Throwable cause = unwrap(error);
                                throw new WeirException(
                                        "job "
                                                + jobName
                                                + ": cannot list the open transactions: "
                                                + cause,
                                        cause);
                            }
                            return byBroker;
                        })
                .thenCompose(this::leftovers)
                .thenCompose(
                        ids ->
                                ids.isEmpty()
                                        ? CompletableFuture.completedFuture(ids)
                                        : fence(admin, ids));
    }

    /** The job's ids outside the pool among what the brokers that answered listed. */
    private CompletableFuture<List<String>> leftovers(
            Map<Integer, KafkaFuture<Collection<TransactionListing>>> byBroker) {
        List<CompletableFuture<List<String>>> each = new ArrayList<>();
        byBroker.forEach(
                (broker, listed) ->
                        each.add(
                                listed.toCompletionStage()
                                        .toCompletableFuture()
                                        .handle(
                                                (listings, error) ->
                                                        error == null
                                                                ? leftovers(listings)
                                                                : unlisted(broker, error))));
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(
                        v ->
                                each.stream()
                                        .flatMap(f -> f.join().stream())
                                        .distinct()
                                        .sorted()
                                        .toList());
    }

    private List<String> leftovers(Collection<TransactionListing> listings) {
        return listings.stream()
                .map(TransactionListing::transactionalId)
                .filter(this::isJobs)
                .filter(id -> !pool.contains(id))
                .toList();
    }

    private List<String> unlisted(int broker, Throwable error) {
        Throwable cause = unwrap(error);
        LOG.warn(
                "job {}: broker {} cannot list its transactions ({}), so transactional ids of an"
                        + " earlier pool size or prefix that it coordinates are not fenced; their"
                        + " open transactions end at their transaction.timeout.ms",
                jobName,
                broker,
                cause instanceof UnsupportedVersionException
                        ? "it is older than Kafka 3.0: " + cause.getMessage()
                        : cause.toString());
        return List.of();
    }

    private CompletableFuture<List<String>> fence(Admin admin, List<String> ids) {
        Map<String, KafkaFuture<Void>> fenced = admin.fenceProducers(ids).fencedProducers();
        List<CompletableFuture<String>> each = new ArrayList<>();
        fenced.forEach(
                (id, future) ->
                        each.add(
                                future.toCompletionStage()
                                        .toCompletableFuture()
                                        .handle((v, error) -> fenced(id, error))));
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(
                        v ->
                                each.stream()
                                        .map(CompletableFuture::join)
                                        .filter(id -> !id.isEmpty())
                                        .sorted()
                                        .toList());
    }

    /** The id once fenced, "" if it could not be for lack of rights; throws on other errors. */
    private String fenced(String id, Throwable error) {
        if (error == null) {
            LOG.info(
                    "job {}: fenced transactional id {}, outside the pool {}-0..{} and left with an"
                            + " open transaction by an earlier run (another sink.producer-pool-size"
                            + " or sink.transactional-id-prefix); that transaction is aborted",
                    jobName,
                    id,
                    prefix,
                    pool.size() - 1);
            return id;
        }
        Throwable cause = unwrap(error);
        if (cause instanceof AuthorizationException) {
            LOG.warn(
                    "job {}: cannot fence transactional id {}, left open by an earlier run ({});"
                            + " read_committed consumers of its partitions wait until its"
                            + " transaction.timeout.ms passes. Grant the job Write on it to have it"
                            + " fenced at start",
                    jobName,
                    id,
                    cause.toString());
            return "";
        }
        throw new WeirException(
                "job " + jobName + ": fencing transactional id " + id + " failed: " + cause, cause);
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
