package dev.weir.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobMetricsTest {
    @Test
    void theRecordCountersStillReadTheSubtasksCountsAfterAGarbageCollection() {
        try (JobMetrics metrics = new JobMetrics("gc", Optional.empty())) {
            SubtaskMetrics m = metrics.subtask("src", 0, List.of("map-0", "out"), "src", false);
            m.sourceRecordsOut().add(7);
            m.recordsIn(0).add(7);
            m.recordsIn(1).add(5);

            // A full collection clears what is only weakly held; the canary shows that it ran.
            WeakReference<Object> canary = new WeakReference<>(new Object());
            for (int i = 0; i < 20 && canary.get() != null; i++) {
                System.gc();
            }
            assertThat(canary.get()).as("no garbage collection ran").isNull();

            assertThat(count(metrics, "weir.operator.records.out", "src")).isEqualTo(7);
            assertThat(count(metrics, "weir.operator.records.in", "map-0")).isEqualTo(7);
            assertThat(count(metrics, "weir.operator.records.out", "map-0")).isEqualTo(5);
            assertThat(count(metrics, "weir.operator.records.in", "out")).isEqualTo(5);
            m.recordsIn(1).add(1);
            assertThat(count(metrics, "weir.operator.records.in", "out")).isEqualTo(6);
        }
    }

    private static double count(JobMetrics metrics, String name, String operator) {
        return metrics.registry()
                .find(name)
                .tags("operator", operator, "subtask", "0")
                .functionCounter()
                .count();
    }
}
