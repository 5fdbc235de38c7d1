package dev.weir.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.JobStatus;
import dev.weir.Weir;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Savepoint requests of a real job (no Kafka: {@link TestJob}) that arrive while no attempt runs,
 * or whose attempt fails: they are carried out once the job runs, or refused at once with the
 * reason.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JobRunnerSavepointTest {
    @TempDir Path dir;

    private final TestJob test = new TestJob();

    private JobRunner start(String name) {
        return (JobRunner) Weir.start(test.job(), TestJob.config(dir, name));
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void assertIsSavepoint(String location) {
        assertThat(Path.of(URI.create(location)).resolve("_metadata")).exists();
    }

    @Test
    void aSavepointAskedWhileTheJobRestartsIsTakenOnceItRuns() throws Exception {
        test.failingRecoveries = 1;
        test.recover.close();
        try (JobRunner job = start("restarting")) {
            // The first attempt failed; the second waits in recover(), like a job lock.
            test.recover.awaitHeld(Duration.ofSeconds(30));
            assertThat(job.status()).isEqualTo(JobStatus.RESTARTING);

            SavepointRequest request = job.requestSavepoint(null, false);
            CompletableFuture<String> viaApi = job.triggerSavepoint(null);
            Thread.sleep(300);
            assertThat(request.phase()).isEqualTo(SavepointRequest.Phase.PENDING);
            assertThat(viaApi).isNotDone();

            test.recover.open();
            String location = request.result().get(30, TimeUnit.SECONDS);
            assertIsSavepoint(location);
            assertIsSavepoint(viaApi.get(30, TimeUnit.SECONDS));
            assertThat(request.phase()).isEqualTo(SavepointRequest.Phase.COMPLETED);
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        } finally {
            test.recover.open();
        }
    }

    @Test
    void aSavepointWhoseAttemptFailsBeforeItCompletesIsTakenByTheNextAttempt() throws Exception {
        try (JobRunner job = start("carried-over")) {
            test.commit.close();
            SavepointRequest request = job.requestSavepoint(null, false);
            test.commit.awaitHeld(Duration.ofSeconds(30));
            assertThat(request.phase()).isEqualTo(SavepointRequest.Phase.IN_PROGRESS);

            test.failWrites = true;
            await(
                    () -> request.phase() == SavepointRequest.Phase.PENDING,
                    "the request waits again after its attempt failed");
            assertThat(request.detail()).contains("attempt 1 ended").contains("the sink failed");
            test.failWrites = false;
            test.commit.open();

            assertIsSavepoint(request.result().get(30, TimeUnit.SECONDS));
            assertThat(job.restarts()).isEqualTo(1);
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        } finally {
            test.commit.open();
        }
    }

    @Test
    void aStopWithSavepointRefusesLaterRequestsAndTheStoppedJobRefusesAll() throws Exception {
        JobRunner job = start("stopping");
        test.commit.close();
        SavepointRequest stop = job.requestSavepoint(null, true);
        assertThatThrownBy(() -> job.requestSavepoint(null, false))
                .isInstanceOf(SavepointRequest.Refused.class)
                .hasMessageContaining("already stopping with savepoint request " + stop.id());
        test.commit.open();

        assertIsSavepoint(stop.result().get(30, TimeUnit.SECONDS));
        assertThat(job.status()).isEqualTo(JobStatus.STOPPED);
        assertThatThrownBy(() -> job.requestSavepoint(null, false))
                .isInstanceOf(SavepointRequest.Refused.class)
                .hasMessageContaining("stopped");
        assertThatThrownBy(() -> job.triggerSavepoint(null).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("stopped");
    }

    @Test
    void aRequestWaitingForTheJobFailsWithTheReasonWhenTheJobIsStopped() throws Exception {
        test.failingRecoveries = 1;
        test.recover.close();
        JobRunner job = start("stopped-while-waiting");
        test.recover.awaitHeld(Duration.ofSeconds(30));
        SavepointRequest request = job.requestSavepoint(null, false);
        Thread stopper = new Thread(job::stop);
        stopper.start();
        try {
            await(() -> request.phase() == SavepointRequest.Phase.FAILED, "the request failed");
            assertThat(request.failure())
                    .hasValueSatisfying(f -> assertThat(f).contains("stopping"));
        } finally {
            test.recover.open();
            stopper.join(60_000);
        }
        assertThat(job.status()).isEqualTo(JobStatus.STOPPED);
    }

    @Test
    void aWaitingRequestCanBeCancelledAndIsThenNeverTaken() throws Exception {
        test.failingRecoveries = 1;
        test.recover.close();
        try (JobRunner job = start("cancelled")) {
            test.recover.awaitHeld(Duration.ofSeconds(30));
            SavepointRequest request = job.requestSavepoint(null, false);

            assertThat(job.cancelSavepoint(request)).isTrue();
            test.recover.open();
            await(() -> job.status() == JobStatus.RUNNING, "the job runs");

            assertThat(request.phase()).isEqualTo(SavepointRequest.Phase.FAILED);
            assertThat(request.failure())
                    .hasValueSatisfying(f -> assertThat(f).contains("cancelled"));
            assertThat(job.cancelSavepoint(request)).isFalse();
            assertThat(job.checkpoints()).isEmpty();
        } finally {
            test.recover.open();
        }
    }
}
