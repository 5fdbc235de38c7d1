package dev.weir.internal;

import dev.weir.Job;
import dev.weir.Record;
import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.format.CheckpointMetadata;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CommitOutcome;
import dev.weir.spi.Sink;
import dev.weir.spi.SinkWriter;
import dev.weir.spi.Source;
import dev.weir.spi.SourceReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real job without Kafka: a source counting up (one record every few milliseconds per subtask)
 * into a sink that drops them, committed through a committer — with switches a test flips from
 * outside. {@link #recover} holds {@code CheckpointCommitter.recover()} the way a job lock held by
 * a dead predecessor does; {@link #commit} holds each commit, so a savepoint stays in progress;
 * {@link #failingRecoveries} and {@link #failWrites} make attempts fail.
 */
public final class TestJob {
    /** Where a thread waits until a test lets it through. */
    public static final class Gate {
        private boolean open = true;
        private int waiting;

        public synchronized void close() {
            open = false;
        }

        public synchronized void open() {
            open = true;
            notifyAll();
        }

        synchronized void pass() {
            waiting++;
            notifyAll();
            try {
                while (!open) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WeirException("interrupted at a test gate", e);
            } finally {
                waiting--;
            }
        }

        /** Waits until a thread is held at the closed gate. */
        public synchronized void awaitHeld(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (waiting == 0 || open) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("nothing reached the gate within " + timeout);
                }
                wait(left);
            }
        }
    }

    public final Gate recover = new Gate();
    public final Gate commit = new Gate();
    public volatile int failingRecoveries;
    public volatile boolean failWrites;
    final AtomicInteger recoveries = new AtomicInteger();

    /** The last committed checkpoint of each job name, as a transactional sink keeps it. */
    private final Map<String, AtomicLong> committed = new ConcurrentHashMap<>();

    public static WeirConfig config(Path dir, String jobName) {
        return WeirConfig.of(
                Map.of(
                        "job.name",
                        jobName,
                        "checkpoint.dir",
                        dir.resolve("checkpoints").toUri().toString(),
                        "state.local-dir",
                        dir.resolve("state").toString(),
                        "savepoint.dir",
                        dir.resolve("savepoints").toUri().toString(),
                        // Only the checkpoints a test asks for.
                        "checkpoint.interval.ms",
                        "86400000",
                        "restart.exponential-backoff.initial.ms",
                        "50"));
    }

    public Job job() {
        var b = Job.builder();
        b.source("numbers", new Numbers()).sink("out", new Discard());
        return b.build();
    }

    private final class Numbers implements Source<String, Long> {
        @Override
        public SourceReader<String, Long> createReader(dev.weir.spi.SourceContext context) {
            long start = context.restoredPositions().getOrDefault("0", 0L);
            return new SourceReader<>() {
                private long next = start;

                @Override
                public List<Record<String, Long>> poll(Duration timeout) {
                    try {
                        Thread.sleep(Math.min(5, timeout.toMillis()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return List.of();
                    }
                    return List.of(Record.of("k", next++, context.clock().millis()));
                }

                @Override
                public Map<String, Long> snapshotPositions(long checkpointId) {
                    return Map.of("0", next);
                }

                @Override
                public void close() {}
            };
        }
    }

    private final class Discard implements Sink<String, Long> {
        @Override
        public SinkWriter<String, Long> createWriter(dev.weir.spi.SinkContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Record<String, Long> record) {
                    if (failWrites) {
                        throw new WeirException("test: the sink failed");
                    }
                }

                @Override
                public void prepareCheckpoint(long checkpointId) {}

                @Override
                public void close() {}
            };
        }

        @Override
        public Optional<CheckpointCommitter> createCommitter(
                dev.weir.spi.CommitterContext context) {
            return Optional.of(
                    new HeldCommitter(
                            committed.computeIfAbsent(context.jobName(), n -> new AtomicLong(-1))));
        }
    }

    private final class HeldCommitter implements CheckpointCommitter {
        private final AtomicLong committed;

        HeldCommitter(AtomicLong committed) {
            this.committed = committed;
        }

        @Override
        public OptionalLong recover() {
            if (recoveries.incrementAndGet() <= failingRecoveries) {
                throw new WeirException("test: recovery " + recoveries.get() + " failed");
            }
            recover.pass();
            long c = committed.get();
            return c < 0 ? OptionalLong.empty() : OptionalLong.of(c);
        }

        @Override
        public void begin(long firstCheckpointId) {}

        @Override
        public CommitOutcome commit(CheckpointMetadata metadata) {
            commit.pass();
            committed.accumulateAndGet(metadata.checkpointId(), Math::max);
            return CommitOutcome.committed();
        }

        @Override
        public void close() {}
    }
}
