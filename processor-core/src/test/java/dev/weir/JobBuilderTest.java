package dev.weir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.internal.JobGraph;
import dev.weir.spi.Sink;
import dev.weir.spi.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class JobBuilderTest {
    private static final Source<String, String> SOURCE =
            context -> {
                throw new UnsupportedOperationException("not run in this test");
            };
    private static final Sink<String, Long> SINK =
            context -> {
                throw new UnsupportedOperationException("not run in this test");
            };
    private static final Sink<String, String> STRING_SINK =
            context -> {
                throw new UnsupportedOperationException("not run in this test");
            };

    /** A keyed function that is never run here. */
    private static final class Count implements KeyedProcessFunction<String, String, String, Long> {
        @Override
        public void process(Record<String, String> record, Context<String, String, Long> out) {}
    }

    @Test
    void completeJobBuildsWithItsUidsAndStages() {
        JobBuilder b = Job.builder();
        b.source("orders", SOURCE)
                .filter(r -> !r.value().isEmpty())
                .keyBy(Serdes.string())
                .process("totals", Count::new)
                .sink("out", SINK);

        JobGraph graph = b.build().graph();

        assertThat(graph.uids()).containsExactly("orders", "totals", "out");
        assertThat(graph.stageCount()).isEqualTo(2);
        assertThat(graph.steps()).hasSize(3);
    }

    @Test
    void jobWithoutSourceFailsToBuild() {
        assertThatThrownBy(() -> Job.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no source");
    }

    @Test
    void jobWithoutSinkFailsToBuild() {
        JobBuilder b = Job.builder();
        b.source("orders", SOURCE).keyBy(Serdes.string()).process("totals", Count::new);

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no sink")
                .hasMessageContaining("sink(uid, sink)");
    }

    @ParameterizedTest(name = "uid \"{0}\"")
    @NullSource
    @ValueSource(strings = {"", " ", "\t"})
    void blankUidIsRejectedForSourceProcessAndSink(String uid) {
        assertThatThrownBy(() -> Job.builder().source(uid, SOURCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-blank uid");

        JobBuilder b = Job.builder();
        KeyedStream<String, String> keyed = b.source("orders", SOURCE).keyBy(Serdes.string());
        assertThatThrownBy(() -> keyed.process(uid, Count::new))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-blank uid");

        DataStream<String, String> stream = Job.builder().source("orders", SOURCE);
        assertThatThrownBy(() -> stream.sink(uid, STRING_SINK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-blank uid");
    }

    @ParameterizedTest(name = "uid \"{0}\"")
    @ValueSource(strings = {"a/b", "../x", "has space", "ü"})
    void uidWithCharactersUnfitForPathsIsRejectedNamingIt(String uid) {
        assertThatThrownBy(() -> Job.builder().source(uid, SOURCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + uid + "'");
    }

    @Test
    void duplicateUidIsRejectedNamingIt() {
        JobBuilder b = Job.builder();
        KeyedStream<String, String> keyed = b.source("orders", SOURCE).keyBy(Serdes.string());

        assertThatThrownBy(() -> keyed.process("orders", Count::new))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'orders'")
                .hasMessageContaining("twice");

        DataStream<String, Long> totals = keyed.process("totals", Count::new);
        assertThatThrownBy(() -> totals.sink("totals", SINK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'totals'");
    }

    @Test
    void continuingAStreamTwiceIsRejected() {
        JobBuilder b = Job.builder();
        DataStream<String, String> source = b.source("orders", SOURCE);
        source.filter(r -> true);

        assertThatThrownBy(() -> source.map(r -> r))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("continued only once");
        assertThatThrownBy(() -> source.keyBy(Serdes.string()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("continued only once");
        assertThatThrownBy(() -> source.sink("out", STRING_SINK))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("continued only once");
    }

    @Test
    void processingAKeyedStreamTwiceIsRejected() {
        JobBuilder b = Job.builder();
        KeyedStream<String, String> keyed = b.source("orders", SOURCE).keyBy(Serdes.string());
        keyed.process("totals", Count::new);

        assertThatThrownBy(() -> keyed.process("totals-2", Count::new))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("continued only once");
    }

    @Test
    void streamEndedByASinkCannotBeContinued() {
        JobBuilder b = Job.builder();
        DataStream<String, String> source = b.source("orders", SOURCE);
        source.sink("out", STRING_SINK);

        assertThatThrownBy(() -> source.filter(r -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("continued only once");
        assertThatThrownBy(() -> source.sink("out-2", STRING_SINK))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void secondSourceIsRejected() {
        JobBuilder b = Job.builder();
        b.source("orders", SOURCE);

        assertThatThrownBy(() -> b.source("payments", SOURCE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'orders'");
    }

    @Test
    void rejectedFanOutDoesNotUseUpItsUid() {
        JobBuilder b = Job.builder();
        KeyedStream<String, String> keyed = b.source("orders", SOURCE).keyBy(Serdes.string());
        DataStream<String, Long> totals = keyed.process("totals", Count::new);
        assertThatThrownBy(() -> keyed.process("out", Count::new))
                .isInstanceOf(IllegalStateException.class);

        assertThatCode(() -> totals.sink("out", SINK)).doesNotThrowAnyException();
    }
}
