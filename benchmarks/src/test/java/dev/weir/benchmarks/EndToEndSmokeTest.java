package dev.weir.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the benchmark harness in its small mode (N=100,000, K=10,000, no latency phase), every
 * contender in its own JVM against a broker process, and checks correctness only: each contender's
 * output holds every key's final count and sum, and the exactly-once ones hold exactly one output
 * per input. No timing is asserted; the machine may be slow or busy.
 */
class EndToEndSmokeTest {

    @Test
    @Timeout(600)
    void everyContenderProducesTheFinalCountAndSumOfEveryKey() throws Exception {
        // Every contender of this mode, also those only run when named (not the windowed ones).
        EndToEnd.Options options =
                EndToEnd.Options.parse(
                        List.of(
                                "--small",
                                "--no-latency",
                                // Not the default: every contender commits at this interval.
                                "--interval-ms",
                                "500",
                                "--only",
                                "pipe,weir-eos,weir-alo,streams,weir-eos-nostate,weir-avro"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Report report;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            report = EndToEnd.run(options, out);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.println(text);

        assertThat(report.throughput())
                .extracting(t -> t.contender())
                .as("contenders that ran; harness output:%n%s", text)
                .containsExactly(
                        Arrays.stream(Contender.values())
                                .filter(c -> !c.windowed())
                                .toArray(Contender[]::new));
        assertThat(report.throughput())
                .allSatisfy(
                        t -> {
                            assertThat(t.check()).as(t.contender().title).startsWith("OK");
                            assertThat(t.outputs())
                                    .as("outputs of " + t.contender().title)
                                    .isGreaterThanOrEqualTo(options.records());
                        });
        assertThat(report.allOk()).isTrue();
        assertThat(text).contains("commit interval 500 ms");
    }
}
