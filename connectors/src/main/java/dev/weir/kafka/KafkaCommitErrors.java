package dev.weir.kafka;

import dev.weir.spi.CommitOutcome;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortedException;

/**
 * Maps what Kafka throws while committing a checkpoint's transaction to an outcome: retry when
 * nothing is decided yet, otherwise failed — the job then restarts from the last committed
 * checkpoint and replays. Messages name the configuration to change.
 */
final class KafkaCommitErrors {
    private KafkaCommitErrors() {}

    static CommitOutcome outcome(
            Exception e, long checkpointId, String transactionalId, long transactionTimeoutMs) {
        return outcome(e, checkpointId, transactionalId, transactionTimeoutMs, -1);
    }

    /**
     * @param openMillis how long the transaction had been open, or -1 if unknown
     */
    static CommitOutcome outcome(
            Exception e,
            long checkpointId,
            String transactionalId,
            long transactionTimeoutMs,
            long openMillis) {
        String where = "transaction " + transactionalId + " of checkpoint " + checkpointId;
        if (e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException) {
            if (openMillis >= transactionTimeoutMs) {
                // With transaction version 2 the broker bumps the epoch when it aborts a
                // transaction for age, so a timed-out transaction surfaces as "fenced".
                return new CommitOutcome.Failed(
                        where
                                + " was aborted by the broker: it was open "
                                + openMillis
                                + " ms, longer than transaction.timeout.ms="
                                + transactionTimeoutMs
                                + "; raise kafka.producer.transaction.timeout.ms or lower"
                                + " checkpoint.interval.ms / checkpoint.timeout.ms",
                        e);
            }
            return new CommitOutcome.Failed(
                    where
                            + " was fenced: the broker aborted it (open longer than"
                            + " kafka.producer.transaction.timeout.ms="
                            + transactionTimeoutMs
                            + "?) or another producer initialized the same transactional id (a"
                            + " second run with the same job.name or sink.transactional-id-prefix)",
                    e);
        }
        if (e instanceof InvalidTxnStateException || e instanceof TransactionAbortedException) {
            return new CommitOutcome.Failed(
                    where
                            + " was aborted by the broker, most likely because it stayed open longer"
                            + " than transaction.timeout.ms="
                            + transactionTimeoutMs
                            + "; raise kafka.producer.transaction.timeout.ms or lower"
                            + " checkpoint.interval.ms / checkpoint.timeout.ms",
                    e);
        }
        if (e instanceof AuthorizationException) {
            return new CommitOutcome.Failed(
                    where
                            + " is not authorized: "
                            + e.getMessage()
                            + " (the job needs Write on its transactional ids and Read on its"
                            + " consumer group)",
                    e);
        }
        if (e instanceof TimeoutException || e instanceof RetriableException) {
            return new CommitOutcome.Retry(
                    where
                            + ": "
                            + e
                            + " (each try waits at most kafka.producer.max.block.ms; the"
                            + " transaction timeout is sized on it)");
        }
        return new CommitOutcome.Failed(where + " failed: " + e, e);
    }
}
