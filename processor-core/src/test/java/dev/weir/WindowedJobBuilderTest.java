package dev.weir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.internal.JobGraph;
import dev.weir.spi.Sink;
import dev.weir.spi.Source;
import dev.weir.window.AggregateFunction;
import dev.weir.window.TumblingEventTimeWindows;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A window is a keyed step of the job graph like any process function, side outputs included. */
class WindowedJobBuilderTest {
    private static final Source<String, Long> SOURCE =
            context -> {
                throw new UnsupportedOperationException("not run in this test");
            };
    private static final Sink<String, Long> SINK =
            context -> {
                throw new UnsupportedOperationException("not run in this test");
            };
    private static final OutputTag<String, Long> LATE = new OutputTag<>("late");

    private static final AggregateFunction<Long, Long, Long> SUM =
            new AggregateFunction<>() {
                @Override
                public Long createAccumulator() {
                    return 0L;
                }

                @Override
                public Long add(Long value, Long acc) {
                    return acc + value;
                }

                @Override
                public Long getResult(Long acc) {
                    return acc;
                }
            };

    @Test
    void windowAggregateBuildsAsAProcessStepAndItsLateDataGetsASinkOfItsOwn() {
        JobBuilder b = Job.builder();
        DataStream<String, Long> sums =
                b.source("clicks", SOURCE)
                        .keyBy(Serdes.string())
                        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                        .allowedLateness(Duration.ofSeconds(10))
                        .sideOutputLateData(LATE)
                        .aggregate("per-minute", SUM, Serdes.longs());
        sums.sideOutput(LATE).sink("late-clicks", SINK);
        sums.sink("out", SINK);

        JobGraph graph = b.build().graph();

        assertThat(graph.uids()).containsExactly("clicks", "per-minute", "out", "late-clicks");
        assertThat(graph.steps()).hasSize(2);
        assertThat(graph.steps().get(1))
                .isInstanceOfSatisfying(
                        JobGraph.ProcessStep.class,
                        p -> assertThat(p.factory().get()).isNotSameAs(p.factory().get()));
    }

    @Test
    void aWindowedStreamCannotEndTwiceOnTheSameKeyedStream() {
        JobBuilder b = Job.builder();
        var windowed =
                b.source("clicks", SOURCE)
                        .keyBy(Serdes.string())
                        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)));
        windowed.aggregate("a", SUM, Serdes.longs()).sink("out", SINK);
        assertThatThrownBy(() -> windowed.reduce("b", Long::sum, Serdes.longs()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("continued only once");
    }

    @Test
    void negativeAllowedLatenessIsRejectedNamingIt() {
        var windowed =
                Job.builder()
                        .source("clicks", SOURCE)
                        .keyBy(Serdes.string())
                        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)));
        assertThatThrownBy(() -> windowed.allowedLateness(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-0.001S");
    }
}
