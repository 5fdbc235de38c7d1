package dev.weir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.config.WeirConfig;
import dev.weir.spi.Sink;
import dev.weir.spi.SinkWriter;
import dev.weir.spi.Source;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restarts of a job whose two source subtasks fail at the same moment, without Kafka. */
class JobRestartTest {
    @TempDir Path tmp;

    /**
     * The two readers of the first attempt fail together once both are reading; the readers of
     * later attempts read nothing.
     */
    static final class FailingTogether implements Source<String, String> {
        final AtomicInteger readers = new AtomicInteger();
        final CountDownLatch bothReading = new CountDownLatch(2);
        final List<Long> failedAtNanos = new CopyOnWriteArrayList<>();
        final AtomicLong restartedAtNanos = new AtomicLong();

        @Override
        public SourceReader<String, String> createReader(SourceContext context) {
            boolean firstAttempt = readers.incrementAndGet() <= 2;
            if (!firstAttempt) {
                restartedAtNanos.compareAndSet(0, System.nanoTime());
            }
            return new SourceReader<>() {
                @Override
                public List<Record<String, String>> poll(Duration timeout) {
                    if (firstAttempt) {
                        bothReading.countDown();
                        await(bothReading);
                        failedAtNanos.add(System.nanoTime());
                        throw new IllegalStateException(context.subtask() + " fails");
                    }
                    sleep(timeout);
                    return List.of();
                }

                @Override
                public Map<String, Long> snapshotPositions(long checkpointId) {
                    return Map.of();
                }

                @Override
                public void close() {}
            };
        }
    }

    private static final Sink<String, String> DISCARD =
            context ->
                    new SinkWriter<>() {
                        @Override
                        public void write(Record<String, String> record) {}

                        @Override
                        public void prepareCheckpoint(long checkpointId) {}

                        @Override
                        public void close() {}
                    };

    private RunningJob start(FailingTogether source, long restartDelayMillis) {
        JobBuilder b = Job.builder();
        b.source("src", source).sink("out", DISCARD);
        return Weir.start(
                b.build(),
                WeirConfig.of(
                        Map.of(
                                "job.name", "restarts",
                                "checkpoint.dir", tmp.resolve("checkpoints").toUri().toString(),
                                "checkpoint.interval.ms", "3600000",
                                "state.local-dir", tmp.resolve("local").toString(),
                                "parallelism", "2",
                                "restart.strategy", "fixed-delay",
                                "restart.fixed-delay.delay.ms", "" + restartDelayMillis)));
    }

    @Test
    void twoSubtasksFailingAtOnceRestartOnceAfterTheFullDelay() throws Exception {
        long delayMillis = 1_000;
        FailingTogether source = new FailingTogether();
        try (RunningJob job = start(source, delayMillis)) {
            awaitRestart(source);
            assertThat(source.failedAtNanos).hasSize(2);
            long lastFailure =
                    source.failedAtNanos.stream().mapToLong(Long::longValue).max().orElseThrow();
            assertThat(TimeUnit.NANOSECONDS.toMillis(source.restartedAtNanos.get() - lastFailure))
                    .as("pause before the second attempt, ms")
                    .isGreaterThanOrEqualTo(delayMillis - 20);
            assertThat(job.restarts()).isEqualTo(1);
            assertThat(source.readers).hasValue(4);
        }
    }

    @Test
    void aRestartLogsTheFailureOnceWithItsStackAtWarn() throws Exception {
        List<LogEvent> withStack = new CopyOnWriteArrayList<>();
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        Appender capture =
                new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        if (event.getThrown() != null) {
                            withStack.add(event.toImmutable());
                        }
                    }
                };
        capture.start();
        logs.getConfiguration().getLoggerConfig("dev.weir").addAppender(capture, Level.ALL, null);
        logs.updateLoggers();
        FailingTogether source = new FailingTogether();
        try (RunningJob job = start(source, 100)) {
            awaitRestart(source);
        } finally {
            logs.getConfiguration().getLoggerConfig("dev.weir").removeAppender("capture");
            logs.updateLoggers();
        }

        assertThat(withStack).hasSize(1);
        LogEvent e = withStack.get(0);
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getLoggerName()).endsWith("JobRunner");
        assertThat(e.getThrown())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith(" fails");
        assertThat(e.getMessage().getFormattedMessage()).contains("restarts").contains("restart 1");
    }

    @Test
    void aStopDuringThePauseEndsTheJobWithoutAnotherAttempt() throws Exception {
        FailingTogether source = new FailingTogether();
        try (RunningJob job = start(source, 3_600_000)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((source.failedAtNanos.size() < 2 || job.status() != JobStatus.RESTARTING)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(job.status()).isEqualTo(JobStatus.RESTARTING);
            // The second subtask's failure must not end the pause.
            Thread.sleep(300);
            assertThat(source.readers).hasValue(2);

            long stopStart = System.nanoTime();
            job.stop();

            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopStart))
                    .isLessThan(10);
            assertThat(job.status()).isEqualTo(JobStatus.STOPPED);
            assertThat(source.readers).hasValue(2);
            assertThat(job.restarts()).isEqualTo(1);
        }
    }

    private static void awaitRestart(FailingTogether source) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (source.restartedAtNanos.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(source.restartedAtNanos.get()).as("restarted").isNotZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other subtask never started reading");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.min(d.toMillis(), 50));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
