package dev.weir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.config.WeirConfig;
import dev.weir.spi.DeadLetterContext;
import dev.weir.spi.DeadLetterWriter;
import dev.weir.spi.Sink;
import dev.weir.spi.SinkWriter;
import dev.weir.spi.Source;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code process.error.policy=dead-letter} in the runtime, without Kafka: which records reach the
 * source's {@link DeadLetterWriter} and when it hears of barriers, and what happens when the source
 * has no writer or a record no origin to write.
 */
class ProcessDeadLetterTest {
    @TempDir Path tmp;

    /** 20 records once, values {@code v<i>} or {@code oops<i>} (every 7th from 3), then nothing. */
    static class ListSource implements Source<String, String> {
        @Override
        public SourceReader<String, String> createReader(SourceContext context) {
            return new SourceReader<>() {
                private int next;

                @Override
                public List<Record<String, String>> poll(Duration timeout) {
                    if (next >= 20) {
                        sleep(timeout);
                        return List.of();
                    }
                    List<Record<String, String>> out = new ArrayList<>();
                    for (; next < 20; next++) {
                        String v = (next % 7 == 3 ? "oops" : "v") + next;
                        out.add(
                                new Record<>(
                                        "k" + next % 3,
                                        v,
                                        next,
                                        List.of(),
                                        new Origin("t", 0, next, "raw-" + next)));
                    }
                    return out;
                }

                @Override
                public Map<String, Long> snapshotPositions(long checkpointId) {
                    return Map.of("t:0", (long) next);
                }

                @Override
                public void close() {}
            };
        }
    }

    /** A letter as the writer got it. */
    record Letter(Object sourceRecord, String error, String operatorUid) {}

    /** Keeps what it is given in memory: the source records it knows are Strings. */
    static final class WritingSource extends ListSource {
        final List<Letter> letters = new CopyOnWriteArrayList<>();
        final List<Long> barriers = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public Optional<DeadLetterWriter> createDeadLetterWriter(DeadLetterContext context) {
            return Optional.of(
                    new DeadLetterWriter() {
                        @Override
                        public boolean write(Origin origin, Throwable error) {
                            if (!(origin.sourceRecord() instanceof String s)) {
                                return false;
                            }
                            letters.add(
                                    new Letter(
                                            s,
                                            error.getMessage(),
                                            context.subtask().operatorUid()));
                            return true;
                        }

                        @Override
                        public void checkpoint(long checkpointId) {
                            barriers.add(checkpointId);
                        }

                        @Override
                        public void close() {
                            closed = true;
                        }
                    });
        }
    }

    static final class ThrowOnOops implements KeyedProcessFunction<String, String, String, String> {
        @Override
        public void process(Record<String, String> r, Context<String, String, String> out) {
            if (r.value().startsWith("oops")) {
                throw new IllegalArgumentException("cannot take " + r.value());
            }
            out.emit(r);
        }
    }

    static final List<String> OUTPUT = new CopyOnWriteArrayList<>();

    private static final Sink<String, String> COLLECT =
            context ->
                    new SinkWriter<>() {
                        @Override
                        public void write(Record<String, String> record) {
                            OUTPUT.add(record.value());
                        }

                        @Override
                        public void prepareCheckpoint(long checkpointId) {}

                        @Override
                        public void close() {}
                    };

    private RunningJob start(
            Source<String, String> source, MapFunction<String, String, String, String> before) {
        OUTPUT.clear();
        JobBuilder b = Job.builder();
        b.source("src", source)
                .map(before)
                .keyBy(Serdes.string())
                .process("throws", ThrowOnOops::new)
                .sink("out", COLLECT);
        return Weir.start(
                b.build(),
                WeirConfig.of(
                        Map.of(
                                "job.name",
                                "dlq-" + System.nanoTime(),
                                "checkpoint.dir",
                                tmp.resolve("checkpoints").toUri().toString(),
                                "checkpoint.interval.ms",
                                "100",
                                "state.local-dir",
                                tmp.resolve("local").toString(),
                                "process.error.policy",
                                "dead-letter")));
    }

    @Test
    void eachRecordTheFunctionThrowsOnGoesToTheSourcesWriterWithItsSourceRecord() throws Exception {
        WritingSource source = new WritingSource();
        try (RunningJob job = start(source, r -> r)) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while ((source.letters.size() < 3 || source.barriers.size() < 2)
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(job.counters()).containsEntry("process.errors.dead-lettered", 3L);
            assertThat(job.restarts()).isZero();
            assertThat(OUTPUT).hasSize(17).noneMatch(v -> v.startsWith("oops"));
        }
        assertThat(source.letters)
                .containsExactly(
                        new Letter("raw-3", "cannot take oops3", "throws"),
                        new Letter("raw-10", "cannot take oops10", "throws"),
                        new Letter("raw-17", "cannot take oops17", "throws"));
        assertThat(source.barriers)
                .as("each barrier once, in order")
                .isSorted()
                .doesNotHaveDuplicates();
        assertThat(source.closed).isTrue();
    }

    @Test
    void aSourceThatCannotWriteDeadLettersFailsTheJobAtItsStartNamingTheKey() throws Exception {
        try (RunningJob job = start(new ListSource(), r -> r)) {
            assertThat(job.awaitTermination(Duration.ofSeconds(20))).isTrue();
            assertThat(job.status()).isEqualTo(JobStatus.FAILED);
            assertThat(job.restarts()).isZero();
            assertThat(job.failure().orElseThrow())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("process.error.policy=dead-letter")
                    .hasMessageContaining(ListSource.class.getName())
                    .hasMessageContaining("cannot write dead letters");
        }
    }

    @Test
    void aRecordBuiltAnewHasNoOriginToWriteAndStopsTheJobSayingSo() throws Exception {
        WritingSource source = new WritingSource();
        try (RunningJob job = start(source, r -> Record.of(r.key(), r.value(), r.timestamp()))) {
            assertThat(job.awaitTermination(Duration.ofSeconds(20))).isTrue();
            assertThat(job.status()).isEqualTo(JobStatus.FAILED);
            assertThat(job.restarts()).as("a restart would meet it again").isZero();
            assertThat(job.failure().orElseThrow())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("threw on a record that has no origin")
                    .hasMessageContaining("cannot take oops3")
                    .hasMessageContaining("Record.of")
                    .hasMessageContaining("process.error.policy=skip");
        }
        assertThat(source.letters).isEmpty();
    }

    @Test
    void anOriginWithoutTheSourcesRecordStopsTheJobNamingIt() throws Exception {
        WritingSource source = new WritingSource();
        MapFunction<String, String, String, String> coordinatesOnly =
                r -> {
                    Origin o = r.origin();
                    return new Record<>(
                            r.key(),
                            r.value(),
                            r.timestamp(),
                            r.headers(),
                            new Origin(o.topic(), o.partition(), o.offset()));
                };
        try (RunningJob job = start(source, coordinatesOnly)) {
            assertThat(job.awaitTermination(Duration.ofSeconds(20))).isTrue();
            assertThat(job.status()).isEqualTo(JobStatus.FAILED);
            assertThat(job.failure().orElseThrow())
                    .isInstanceOf(UnrecoverableJobException.class)
                    .hasMessageContaining("whose origin t-0@3 holds no record of the source");
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
