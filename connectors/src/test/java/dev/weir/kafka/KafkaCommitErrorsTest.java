package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.spi.CommitOutcome;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

/**
 * Every commit ends as committed, retry or failed-with-reason (STYLE, Contracts): how what Kafka
 * throws while committing a checkpoint's transaction maps to those outcomes, and that the reasons
 * name the checkpoint, the transactional id and the configuration to change.
 */
class KafkaCommitErrorsTest {
    private static final long CHECKPOINT = 42;
    private static final String TXN_ID = "orders-job-1";
    private static final long TIMEOUT_MS = 61_000;

    @Test
    void aFencedProducerFailsTheCommitPointingAtASecondRunWithTheSameJobName() {
        ProducerFencedException e = new ProducerFencedException("fenced by epoch 7");

        CommitOutcome.Failed f = failed(outcome(e));

        assertThat(f.cause()).isSameAs(e);
        assertThat(f.reason()).contains("job.name").contains("fenced");
        assertNamesCheckpointAndTransaction(f.reason());
    }

    @Test
    void anInvalidProducerEpochFailsTheCommitLikeAFence() {
        InvalidProducerEpochException e = new InvalidProducerEpochException("epoch 3 < 4");

        CommitOutcome.Failed f = failed(outcome(e));

        assertThat(f.cause()).isSameAs(e);
        assertThat(f.reason()).contains("job.name");
        assertNamesCheckpointAndTransaction(f.reason());
    }

    @Test
    void aTransactionTheBrokerAbortedFailsTheCommitNamingTheTransactionTimeoutKey() {
        InvalidTxnStateException e = new InvalidTxnStateException("not in Ongoing state");

        CommitOutcome.Failed f = failed(outcome(e));

        assertThat(f.cause()).isSameAs(e);
        assertThat(f.reason())
                .contains("kafka.producer.transaction.timeout.ms")
                .contains("transaction.timeout.ms=" + TIMEOUT_MS);
        assertNamesCheckpointAndTransaction(f.reason());
    }

    @Test
    void aTransactionAbortedExceptionFailsTheCommitNamingTheTransactionTimeoutKey() {
        CommitOutcome.Failed f = failed(outcome(new TransactionAbortedException("aborted")));

        assertThat(f.reason()).contains("kafka.producer.transaction.timeout.ms");
        assertNamesCheckpointAndTransaction(f.reason());
    }

    @Test
    void aTimeoutIsRetriedBecauseNothingIsDecidedYet() {
        CommitOutcome outcome =
                outcome(new TimeoutException("Timeout expired after 60000ms while awaiting"));

        assertThat(outcome).isInstanceOf(CommitOutcome.Retry.class);
        String reason = ((CommitOutcome.Retry) outcome).reason();
        assertThat(reason).contains("Timeout expired");
        assertNamesCheckpointAndTransaction(reason);
    }

    @Test
    void anotherRetriableErrorIsRetried() {
        CommitOutcome outcome = outcome(new CoordinatorNotAvailableException("coordinator moved"));

        assertThat(outcome).isInstanceOf(CommitOutcome.Retry.class);
        assertNamesCheckpointAndTransaction(((CommitOutcome.Retry) outcome).reason());
    }

    @Test
    void aMissingWriteOnTheTransactionalIdFailsTheCommitSayingWhichAclIsNeeded() {
        TransactionalIdAuthorizationException e =
                new TransactionalIdAuthorizationException("Transactional Id authorization failed");

        CommitOutcome.Failed f = failed(outcome(e));

        assertThat(f.cause()).isSameAs(e);
        assertThat(f.reason()).contains("not authorized").contains("transactional ids");
        assertNamesCheckpointAndTransaction(f.reason());
    }

    @Test
    void aMissingReadOnTheConsumerGroupFailsTheCommit() {
        CommitOutcome.Failed f =
                failed(outcome(new GroupAuthorizationException("Not authorized", "orders-job")));

        assertThat(f.reason()).contains("not authorized").contains("consumer group");
        assertNamesCheckpointAndTransaction(f.reason());
    }

    @Test
    void anyOtherKafkaExceptionFailsTheCommitWithItsMessage() {
        KafkaException e = new KafkaException("unexpected broker answer");

        CommitOutcome.Failed f = failed(outcome(e));

        assertThat(f.cause()).isSameAs(e);
        assertThat(f.reason()).contains("unexpected broker answer");
        assertNamesCheckpointAndTransaction(f.reason());
    }

    @Test
    void aProducerInAnErrorStateFailsTheCommitEvenWhenTheUnderlyingCauseWasATimeout() {
        // What commitTransaction throws once an earlier send of the transaction failed: the
        // transaction can only be aborted now, so retrying the commit cannot help.
        KafkaException e =
                new KafkaException(
                        "Cannot execute transactional method because we are in an error state",
                        new TimeoutException("Expiring 3 record(s)"));

        assertThat(outcome(e)).isInstanceOf(CommitOutcome.Failed.class);
    }

    @Test
    void aNonKafkaExceptionFailsTheCommit() {
        IllegalStateException e = new IllegalStateException("producer closed");

        CommitOutcome.Failed f = failed(outcome(e));

        assertThat(f.cause()).isSameAs(e);
        assertNamesCheckpointAndTransaction(f.reason());
    }

    private static CommitOutcome outcome(Exception e) {
        return KafkaCommitErrors.outcome(e, CHECKPOINT, TXN_ID, TIMEOUT_MS);
    }

    private static CommitOutcome.Failed failed(CommitOutcome outcome) {
        assertThat(outcome).isInstanceOf(CommitOutcome.Failed.class);
        return (CommitOutcome.Failed) outcome;
    }

    private static void assertNamesCheckpointAndTransaction(String reason) {
        assertThat(reason).contains("checkpoint " + CHECKPOINT).contains(TXN_ID);
    }
}
