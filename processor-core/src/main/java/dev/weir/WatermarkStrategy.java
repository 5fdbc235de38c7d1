package dev.weir;

import java.time.Duration;
import java.util.Optional;

/**
 * How a source gives records their event time and emits watermarks, given to {@link
 * JobBuilder#source(String, dev.weir.spi.Source, WatermarkStrategy)}. A source subtask tracks a
 * watermark per split it reads (for Kafka: per partition) and emits the minimum over its splits,
 * never going backwards; a split that has been quiet for the idleness timeout stops holding it back
 * until it has records again. Watermarks travel behind the records before them, through the same
 * channels as records and barriers (docs/architecture.md §11).
 *
 * <pre>{@code
 * b.source("orders", KafkaSource.of(...),
 *         WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(5))
 *                 .withIdleness(Duration.ofMinutes(1)))
 * }</pre>
 *
 * Immutable; the {@code with…} methods return a new strategy.
 */
public final class WatermarkStrategy<K, V> {
    private final long outOfOrdernessMillis;
    private final TimestampAssigner<K, V> assigner;
    private final Duration idleness;

    private WatermarkStrategy(
            long outOfOrdernessMillis, TimestampAssigner<K, V> assigner, Duration idleness) {
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.assigner = assigner;
        this.idleness = idleness;
    }

    /**
     * Records arrive at most {@code maxOutOfOrderness} behind the largest timestamp read so far:
     * the split's watermark is that largest timestamp minus {@code maxOutOfOrderness} minus 1 ms.
     */
    public static <K, V> WatermarkStrategy<K, V> forBoundedOutOfOrderness(
            Duration maxOutOfOrderness) {
        if (maxOutOfOrderness.isNegative()) {
            throw new IllegalArgumentException(
                    "maxOutOfOrderness must not be negative, got " + maxOutOfOrderness);
        }
        return new WatermarkStrategy<>(maxOutOfOrderness.toMillis(), null, null);
    }

    /** Timestamps never decrease within a split: its watermark is the largest minus 1 ms. */
    public static <K, V> WatermarkStrategy<K, V> forMonotonousTimestamps() {
        return new WatermarkStrategy<>(0, null, null);
    }

    /** No watermarks (the default): event-time timers and windows never fire. */
    public static <K, V> WatermarkStrategy<K, V> noWatermarks() {
        return new WatermarkStrategy<>(-1, null, null);
    }

    /** Takes event time from {@code assigner} instead of the record's own timestamp. */
    public WatermarkStrategy<K, V> withTimestampAssigner(TimestampAssigner<K, V> assigner) {
        if (assigner == null) {
            throw new IllegalArgumentException("the timestamp assigner must not be null");
        }
        return new WatermarkStrategy<>(outOfOrdernessMillis, assigner, idleness);
    }

    /**
     * A split without records for {@code timeout} (on the job's clock) no longer holds the
     * watermark back; a source subtask all of whose splits are idle tells the operators after it,
     * which then leave it out of their minimum. Without it, one quiet partition stops event time.
     */
    public WatermarkStrategy<K, V> withIdleness(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(
                    "the idleness timeout must be positive, got " + timeout);
        }
        return new WatermarkStrategy<>(outOfOrdernessMillis, assigner, timeout);
    }

    /** Whether this strategy emits watermarks at all. */
    public boolean emitsWatermarks() {
        return outOfOrdernessMillis >= 0;
    }

    /** The out-of-orderness bound; zero for monotonous timestamps, empty without watermarks. */
    public Optional<Duration> maxOutOfOrderness() {
        return emitsWatermarks()
                ? Optional.of(Duration.ofMillis(outOfOrdernessMillis))
                : Optional.empty();
    }

    public Optional<TimestampAssigner<K, V>> timestampAssigner() {
        return Optional.ofNullable(assigner);
    }

    public Optional<Duration> idleness() {
        return Optional.ofNullable(idleness);
    }

    @Override
    public String toString() {
        if (!emitsWatermarks()) {
            return "noWatermarks";
        }
        return "boundedOutOfOrderness("
                + outOfOrdernessMillis
                + " ms"
                + (assigner != null ? ", timestamp assigner" : "")
                + (idleness != null ? ", idle after " + idleness.toMillis() + " ms" : "")
                + ")";
    }
}
