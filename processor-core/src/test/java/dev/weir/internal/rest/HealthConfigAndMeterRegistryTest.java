package dev.weir.internal.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.JobStatus;
import dev.weir.RunningJob;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.internal.TestJob;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/live}, {@code /health/ready} and {@code /config} over real HTTP in front of a real
 * job ({@link TestJob}, no Kafka), and the job's meters in a registry of the embedding application.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HealthConfigAndMeterRegistryTest {
    private static final String TOKEN = "weir-test-token-5d1e8b";

    @TempDir Path dir;

    private final TestJob test = new TestJob();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int port;
    private RunningJob job;

    @AfterEach
    void stopJob() {
        test.recover.open();
        test.failWrites = false;
        if (job != null) {
            job.stop();
        }
    }

    private WeirConfig config(String name) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return TestJob.config(dir, name).with("rest.port", String.valueOf(port));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void awaitStatus(JobStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (job.status() != status) {
            assertThat(System.nanoTime()).as("job never %s", status).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void readyIs503WhileRestoringAndRestartingAnd200WhileRunningLiveStays200() throws Exception {
        WeirConfig config = config("ready");
        test.recover.close();
        CompletableFuture<RunningJob> starting =
                CompletableFuture.supplyAsync(() -> Weir.start(test.job(), config));
        test.recover.awaitHeld(Duration.ofSeconds(30));

        // Restoring: the committer's recover() is held, as by a predecessor's job lock.
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
        assertThat(ready.body())
                .contains("\"status\":\"DOWN\"", "\"jobStatus\":\"STARTING\"", "restoring");
        assertThat(ready.headers().firstValue("Content-Type")).hasValue("application/json");
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);

        test.recover.open();
        job = starting.get(30, TimeUnit.SECONDS);
        awaitStatus(JobStatus.RUNNING);
        ready = get("/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"UP\"", "\"jobStatus\":\"RUNNING\"");

        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (sourceOut() < 50) {
            assertThat(System.nanoTime()).as("the source read too little").isLessThan(until);
            Thread.sleep(20);
        }
        double readBefore = sourceOut();

        // A failing sink: the attempt fails, and the next one is held restoring.
        test.recover.close();
        test.failWrites = true;
        test.recover.awaitHeld(Duration.ofSeconds(30));
        test.failWrites = false;
        ready = get("/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
        assertThat(ready.body()).contains("\"jobStatus\":\"RESTARTING\"", "restart 1");
        live = get("/health/live");
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        assertThat(live.body()).contains("\"status\":\"UP\"");

        test.recover.open();
        awaitStatus(JobStatus.RUNNING);
        ready = get("/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"restarts\":1");
        assertThat(job.meterRegistry().find("weir.job.restarts").functionCounter().count())
                .isEqualTo(1.0);
        // The subtask's meters outlive the attempt: the count goes on from where it was (a new
        // count would have restarted from 0 a few records ago).
        double afterRestart = sourceOut();
        assertThat(afterRestart).isGreaterThanOrEqualTo(readBefore);
        // …and counts the new attempt's records, not a closed one's.
        long grows = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (sourceOut() <= afterRestart) {
            assertThat(System.nanoTime()).as("the count is stuck").isLessThan(grows);
            Thread.sleep(20);
        }
        assertThat(job.meterRegistry().find("weir.operator.records.out").meters()).hasSize(1);
    }

    private double sourceOut() {
        return job.meterRegistry()
                .find("weir.operator.records.out")
                .tags("operator", "numbers", "subtask", "0")
                .functionCounter()
                .count();
    }

    @Test
    void liveFailsOnceTheJobFailedForGood() throws Exception {
        job =
                Weir.start(
                        test.job(),
                        config("dead")
                                .with("restart.strategy", "none")
                                .with("rest.auth.token", TOKEN));
        awaitStatus(JobStatus.RUNNING);
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).as("GET needs no token: " + live.body()).isEqualTo(200);

        test.failWrites = true;
        assertThat(job.awaitTermination(Duration.ofSeconds(30))).isTrue();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        // The endpoint closes with the job: a probe then fails to connect, which counts as down.
        boolean down;
        try {
            down = get("/health/live").statusCode() == 503;
        } catch (ConnectException e) {
            down = true;
        }
        assertThat(down).isTrue();
    }

    @Test
    void configShowsTheEffectiveValuesAndRedactsSecrets() throws Exception {
        String jaas =
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"weir\" password=\"hunter2-jaas\";";
        job =
                Weir.start(
                        test.job(),
                        config("config")
                                .with("rest.auth.token", TOKEN)
                                .with("kafka.common.sasl.jaas.config", jaas)
                                .with("kafka.consumer.ssl.truststore.password", "hunter2-trust")
                                .with("kafka.producer.basic.auth.user.info", "weir:hunter2-user")
                                .with("kafka.admin.request.timeout.ms", "31000"));
        HttpResponse<String> r = get("/config");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body())
                .doesNotContain(TOKEN, "hunter2")
                .contains(
                        "\"rest.auth.token\":\"<redacted>\"",
                        "\"kafka.common.sasl.jaas.config\":\"<redacted>\"",
                        "\"kafka.consumer.ssl.truststore.password\":\"<redacted>\"",
                        "\"kafka.producer.basic.auth.user.info\":\"<redacted>\"",
                        "\"kafka.admin.request.timeout.ms\":\"31000\"",
                        "\"job.name\":\"config\"",
                        // set by the test
                        "\"checkpoint.interval.ms\":\"86400000\"",
                        // a default nobody set
                        "\"checkpoint.retained\":\"3\"");
    }

    @Test
    void savepointsTakenThroughTheApiAreListedWithTheirLocation() throws Exception {
        job = Weir.start(test.job(), config("listed"));
        awaitStatus(JobStatus.RUNNING);
        String location = job.triggerSavepoint(null).get(30, TimeUnit.SECONDS);

        HttpResponse<String> r = get("/savepoints");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains(
                        "\"kind\":\"savepoint\"",
                        "\"status\":\"COMPLETED\"",
                        "\"location\":" + Json.quote(location));
    }

    @Test
    void theJobsMetersGoToTheApplicationsRegistryAndLeaveItWhenTheJobStops() throws Exception {
        SimpleMeterRegistry mine = new SimpleMeterRegistry();
        job = Weir.start(test.job(), config("embedded"), mine);

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        FunctionCounter sinkIn;
        do {
            assertThat(System.nanoTime()).as("no records counted").isLessThan(deadline);
            Thread.sleep(50);
            sinkIn =
                    mine.find("weir.operator.records.in")
                            .tags("job", "embedded", "operator", "out", "subtask", "0")
                            .functionCounter();
        } while (sinkIn == null || sinkIn.count() < 5);
        FunctionCounter sourceOut =
                mine.find("weir.operator.records.out")
                        .tags("operator", "numbers", "subtask", "0")
                        .functionCounter();
        assertThat(sourceOut).isNotNull();
        assertThat(sourceOut.count()).isGreaterThanOrEqualTo(5);
        assertThat(mine.find("weir.job.restarts").functionCounter().count()).isZero();
        assertThat(mine.find("weir.job.status").tag("status", "RUNNING").gauge().value())
                .isEqualTo(1.0);
        assertThat(mine.find("weir.subtask.busy").tag("operator", "numbers").functionCounter())
                .isNotNull();
        assertThat(job.meterRegistry().find("weir.job.records.in").functionCounter().count())
                .isPositive();
        job.triggerCheckpoint().get(30, TimeUnit.SECONDS);
        assertThat(mine.find("weir.checkpoints.completed").counter().count()).isEqualTo(1.0);
        assertThat(mine.find("weir.checkpoint.duration").timer().count()).isEqualTo(1);

        job.stop();
        assertThat(mine.getMeters().stream().map(Meter::getId).map(Meter.Id::getName))
                .as("meters left in the application's registry")
                .isEmpty();
    }
}
