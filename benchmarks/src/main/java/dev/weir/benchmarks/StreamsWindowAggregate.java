package dev.weir.benchmarks;

import dev.weir.examples.KeyedAggregate.Totals;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * windowed-aggregate in Kafka Streams, run in a child JVM: {@code groupByKey()
 * .windowedBy(TimeWindows.ofSizeAndGrace(size, grace)).aggregate()} into a RocksDB window store
 * (with its changelog topic), emitting each window once when it closes — through {@code
 * suppress(untilWindowCloses(unbounded()))} or {@code emitStrategy(onWindowClose())} — as {@code
 * {"window_start":S,"window_end":E,"count":C,"sum":X}} keyed by the input key, stamped {@code E -
 * 1}. exactly_once_v2, commit interval {@code commit-ms}, the record cache {@code cache-bytes}
 * (Streams' default is 10 MiB: it changes what is written to the store, not what is emitted). With
 * {@code on-window-close} the internal {@code __emit.interval.ms.kstreams.windowed.aggregation__}
 * is 0, or the last windows would never be emitted (see below). Amounts are parsed with Weir's
 * {@code AmountSerde}. On SIGTERM it prints the tasks' {@code dropped-records-total} (records of
 * closed windows) as {@code dropped-records-total=N}, then stops.
 *
 * <p>A window closes when the task's stream time — the largest timestamp seen on its partitions
 * (one input partition per task here) — reaches {@code E + grace}. Weir's watermark is the minimum
 * over partitions instead; the flush records at the end of the input close every window in both.
 *
 * <p>Usage: {@code StreamsWindowAggregate <bootstrap> <input> <output> <application id> <state dir>
 * <threads> <commit-ms> <size-ms> <grace-ms> suppress|on-window-close <cache-bytes>}
 */
public final class StreamsWindowAggregate {
    static final String DROPPED = "dropped-records-total=";

    private StreamsWindowAggregate() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 11
                || !(args[9].equals("suppress") || args[9].equals("on-window-close"))) {
            System.err.println(
                    "usage: StreamsWindowAggregate <bootstrap> <input> <output> <app id> <state"
                            + " dir> <threads> <commit-ms> <size-ms> <grace-ms>"
                            + " suppress|on-window-close <cache-bytes>");
            System.exit(2);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, args[3]);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[4]);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, args[5]);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, args[6]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.parseLong(args[10]));
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        Duration size = Duration.ofMillis(Long.parseLong(args[7]));
        Duration grace = Duration.ofMillis(Long.parseLong(args[8]));
        boolean suppress = args[9].equals("suppress");

        StreamsBuilder builder = new StreamsBuilder();
        TimeWindowedKStream<String, Long> windowed =
                builder.stream(
                                args[1],
                                Consumed.with(Serdes.String(), StreamsAggregate.amountSerde()))
                        .groupByKey(Grouped.with(Serdes.String(), StreamsAggregate.amountSerde()))
                        .windowedBy(TimeWindows.ofSizeAndGrace(size, grace));
        if (!suppress) {
            windowed = windowed.emitStrategy(EmitStrategy.onWindowClose());
            // Closed windows are looked for while processing a record, at most once per this many
            // wall-clock ms (default 1000): with the default the windows closed by the last records
            // of an input (here: the flush records) are never emitted. 0 looks on every record.
            props.put(
                    StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION,
                    0L);
        }
        KTable<Windowed<String>, Totals> totals =
                windowed.aggregate(
                        () -> new Totals(0, 0),
                        (key, amount, t) -> new Totals(t.count() + 1, t.sum() + amount),
                        Materialized.<String, Totals, WindowStore<Bytes, byte[]>>as("windows")
                                .withKeySerde(Serdes.String())
                                .withValueSerde(StreamsAggregate.totalsSerde()));
        if (suppress) {
            totals =
                    totals.suppress(
                            Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()));
        }
        totals.toStream()
                .process(WindowOutput::new)
                .to(args[2], Produced.with(Serdes.String(), Serdes.ByteArray()));

        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        streams.setUncaughtExceptionHandler(
                e -> {
                    System.err.println("Kafka Streams failed: " + e);
                    e.printStackTrace();
                    failed.set(true);
                    stopped.countDown();
                    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                });
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    System.out.println(DROPPED + droppedRecords(streams));
                                    System.out.flush();
                                    streams.close(Duration.ofSeconds(30));
                                    stopped.countDown();
                                }));
        streams.start();
        stopped.await();
        if (failed.get()) {
            System.exit(1);
        }
    }

    /** The sum of the tasks' dropped-records-total: records dropped as late (or unreadable). */
    private static long droppedRecords(KafkaStreams streams) {
        double total = 0;
        for (var e : streams.metrics().entrySet()) {
            MetricName n = e.getKey();
            Metric m = e.getValue();
            if (n.name().equals("dropped-records-total")
                    && n.group().equals("stream-task-metrics")
                    && m.metricValue() instanceof Double d) {
                total += d;
            }
        }
        return (long) total;
    }

    /** A closed window as the contract's output: the input key, the JSON value, stamped E − 1. */
    private static final class WindowOutput
            implements Processor<Windowed<String>, Totals, String, byte[]> {
        private ProcessorContext<String, byte[]> context;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<Windowed<String>, Totals> r) {
            long start = r.key().window().start();
            long end = r.key().window().end();
            byte[] json =
                    WindowSpec.json(start, end, r.value().count(), r.value().sum())
                            .getBytes(StandardCharsets.UTF_8);
            context.forward(r.withKey(r.key().key()).withValue(json).withTimestamp(end - 1));
        }
    }
}
