package dev.weir.examples;

import dev.weir.DataStream;
import dev.weir.Job;
import dev.weir.JobBuilder;
import dev.weir.JobFactory;
import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.Serde;
import dev.weir.Serdes;
import dev.weir.StateSerializer;
import dev.weir.WatermarkStrategy;
import dev.weir.config.ConfigOption;
import dev.weir.config.WeirConfig;
import dev.weir.kafka.KafkaSink;
import dev.weir.kafka.KafkaSource;
import dev.weir.window.AggregateFunction;
import dev.weir.window.TumblingEventTimeWindows;
import dev.weir.window.WindowedStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The reference event-time job. Input as keyed-aggregate's: key = UTF-8 string, value = JSON {@code
 * {"amount":N}}; event time = the Kafka record's timestamp. For each key and tumbling window [S, E)
 * of {@code window.size.ms} it emits once, when the watermark (largest timestamp read per
 * partition, minus {@code watermark.out-of-orderness.ms}, minus 1 ms; the minimum over partitions)
 * reaches E − 1 + {@code window.allowed-lateness.ms}, the value {@code
 * {"window_start":S,"window_end":E,"count":C,"sum":X}} under the key, with timestamp E − 1. A
 * record whose window has already closed goes unchanged to {@code late.topic} (dropped and counted
 * when that is not set). Benchmarks and crash tests depend on this contract.
 */
public final class WindowedAggregate implements JobFactory {
    public static final ConfigOption<String> OUTPUT_TOPIC =
            ConfigOption.string(
                    "output.topic", null, "Topic each key's result per window goes to, once");
    public static final ConfigOption<Long> WINDOW_SIZE_MS =
            ConfigOption.longValue(
                    "window.size.ms",
                    60_000L,
                    1L,
                    Long.MAX_VALUE / 4,
                    "Length of the tumbling event-time windows");
    public static final ConfigOption<Long> OUT_OF_ORDERNESS_MS =
            ConfigOption.longValue(
                    "watermark.out-of-orderness.ms",
                    5_000L,
                    0L,
                    Long.MAX_VALUE / 4,
                    "How far behind the largest timestamp read a record may arrive and still be on"
                            + " time");
    public static final ConfigOption<Long> ALLOWED_LATENESS_MS =
            ConfigOption.longValue(
                    "window.allowed-lateness.ms",
                    0L,
                    0L,
                    Long.MAX_VALUE / 4,
                    "How long after the watermark passed its end a window still takes records;"
                            + " it is emitted once, when this has passed");
    public static final ConfigOption<Long> IDLE_TIMEOUT_MS =
            ConfigOption.longValue(
                    "watermark.idle-timeout.ms",
                    30_000L,
                    0L,
                    Long.MAX_VALUE / 4,
                    "A partition without records for this long stops holding event time back"
                            + " (0: never)");
    public static final ConfigOption<String> LATE_TOPIC =
            ConfigOption.string(
                    "late.topic",
                    "",
                    "Topic for records that arrive after their window closed, written unchanged;"
                            + " empty: they are dropped and counted");

    /** Late records, unchanged. */
    static final OutputTag<String, Long> LATE = new OutputTag<>("late");

    @Override
    public String name() {
        return "windowed-aggregate";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                KeyedAggregate.INPUT_TOPIC,
                OUTPUT_TOPIC,
                WINDOW_SIZE_MS,
                OUT_OF_ORDERNESS_MS,
                ALLOWED_LATENESS_MS,
                IDLE_TIMEOUT_MS,
                LATE_TOPIC);
    }

    @Override
    public Job create(WeirConfig config) {
        WatermarkStrategy<String, Long> watermarks =
                WatermarkStrategy.forBoundedOutOfOrderness(
                        Duration.ofMillis(config.get(OUT_OF_ORDERNESS_MS)));
        if (config.get(IDLE_TIMEOUT_MS) > 0) {
            watermarks = watermarks.withIdleness(Duration.ofMillis(config.get(IDLE_TIMEOUT_MS)));
        }
        long size = config.get(WINDOW_SIZE_MS);
        long lateness = config.get(ALLOWED_LATENESS_MS);
        JobBuilder b = Job.builder();
        WindowedStream<String, Long> windowed =
                b.source(
                                "input",
                                KafkaSource.of(
                                        List.of(config.get(KeyedAggregate.INPUT_TOPIC)),
                                        Serdes.string(),
                                        new AmountSerde()),
                                watermarks)
                        .keyBy(Serdes.string())
                        .window(TumblingEventTimeWindows.of(Duration.ofMillis(size)))
                        .allowedLateness(Duration.ofMillis(lateness));
        boolean lateTopic = !config.get(LATE_TOPIC).isEmpty();
        if (lateTopic) {
            windowed = windowed.sideOutputLateData(LATE);
        }
        DataStream<String, WindowTotals> windows =
                windowed.aggregate(
                        "windows",
                        new CountAndSum(),
                        CountAndSum.STATE,
                        (key, window, totals, out) -> {
                            long[] t = totals.iterator().next();
                            out.emit(
                                    Record.of(
                                            key,
                                            new WindowTotals(
                                                    window.start(), window.end(), t[0], t[1]),
                                            window.maxTimestamp()));
                        });
        windows.sink(
                "output",
                KafkaSink.of(config.get(OUTPUT_TOPIC), Serdes.string(), WindowTotals.JSON));
        if (lateTopic) {
            windows.sideOutput(LATE)
                    .map(r -> r.withValue(readBytes(r)))
                    .sink(
                            "late",
                            KafkaSink.of(config.get(LATE_TOPIC), Serdes.string(), Serdes.bytes()));
        }
        return b.build();
    }

    /**
     * The value bytes the source read for {@code r} (key, timestamp and headers travel with the
     * record itself), so a late record is written back exactly as it came.
     */
    private static byte[] readBytes(Record<String, Long> r) {
        if (r.origin() != null
                && r.origin().sourceRecord()
                        instanceof org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> read
                && read.value() instanceof byte[] bytes) {
            return bytes;
        }
        return new AmountSerde().serialize(r.value());
    }

    /** One key's result for one window. */
    public record WindowTotals(long windowStart, long windowEnd, long count, long sum) {
        private static final byte[][] LABELS = {
            "{\"window_start\":".getBytes(StandardCharsets.US_ASCII),
            ",\"window_end\":".getBytes(StandardCharsets.US_ASCII),
            ",\"count\":".getBytes(StandardCharsets.US_ASCII),
            ",\"sum\":".getBytes(StandardCharsets.US_ASCII)
        };

        /** {@code {"window_start":S,"window_end":E,"count":C,"sum":X}}. */
        public static final Serde<WindowTotals> JSON =
                new Serde<>() {
                    @Override
                    public byte[] serialize(WindowTotals t) {
                        // Written digit by digit, as TotalsJson: one output per window.
                        long[] values = {t.windowStart, t.windowEnd, t.count, t.sum};
                        int size = 1;
                        for (int i = 0; i < 4; i++) {
                            size += LABELS[i].length + TotalsJson.length(values[i]);
                        }
                        byte[] out = new byte[size];
                        int end = 0;
                        for (int i = 0; i < 4; i++) {
                            System.arraycopy(LABELS[i], 0, out, end, LABELS[i].length);
                            end += LABELS[i].length + TotalsJson.length(values[i]);
                            TotalsJson.write(values[i], out, end);
                        }
                        out[end] = '}';
                        return out;
                    }

                    @Override
                    public WindowTotals deserialize(byte[] bytes) {
                        String s = new String(bytes, StandardCharsets.US_ASCII);
                        String[] f = s.substring(1, s.length() - 1).split(",");
                        return new WindowTotals(field(f[0]), field(f[1]), field(f[2]), field(f[3]));
                    }

                    private static long field(String kv) {
                        return Long.parseLong(kv.substring(kv.indexOf(':') + 1));
                    }
                };
    }

    /** Count and sum of a window's amounts, as {count, sum}. */
    static final class CountAndSum implements AggregateFunction<Long, long[], long[]> {
        static final StateSerializer<long[]> STATE =
                new StateSerializer<>() {
                    @Override
                    public byte[] serialize(long[] t) {
                        return ByteBuffer.allocate(16).putLong(t[0]).putLong(t[1]).array();
                    }

                    @Override
                    public long[] deserialize(byte[] bytes) {
                        ByteBuffer b = ByteBuffer.wrap(bytes);
                        return new long[] {b.getLong(), b.getLong()};
                    }

                    @Override
                    public String schema() {
                        return "windowed-aggregate.totals:v1(count:int64,sum:int64)";
                    }
                };

        @Override
        public long[] createAccumulator() {
            return new long[2];
        }

        @Override
        public long[] add(Long amount, long[] t) {
            t[0]++;
            t[1] = Math.addExact(t[1], amount);
            return t;
        }

        @Override
        public long[] getResult(long[] t) {
            return t;
        }

        @Override
        public long[] merge(long[] a, long[] b) {
            return new long[] {a[0] + b[0], Math.addExact(a[1], b[1])};
        }
    }
}
