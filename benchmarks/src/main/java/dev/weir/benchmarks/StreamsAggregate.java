package dev.weir.benchmarks;

import dev.weir.examples.AmountSerde;
import dev.weir.examples.KeyedAggregate.Totals;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * keyed-aggregate in Kafka Streams, run in a child JVM: {@code groupByKey().aggregate()} into a
 * RocksDB key-value store (with its changelog topic), exactly_once_v2, commit interval {@code
 * commit-ms}. The record cache is off ({@code statestore.cache.max.bytes=0} and {@code
 * withCachingDisabled()}) so that, like Weir, it emits {@code {"count":C,"sum":S}} for every input
 * record rather than only the last value per key and commit. Amounts are parsed with Weir's {@link
 * AmountSerde}, so both parse the same way. Runs until SIGTERM.
 *
 * <p>Usage: {@code StreamsAggregate <bootstrap> <input> <output> <application id> <state dir>
 * <threads> <commit-ms>}
 */
public final class StreamsAggregate {
    private StreamsAggregate() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 7) {
            System.err.println(
                    "usage: StreamsAggregate <bootstrap> <input> <output> <app id> <state dir>"
                            + " <threads> <commit-ms>");
            System.exit(2);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, args[3]);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[4]);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, args[5]);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, args[6]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(args[1], Consumed.with(Serdes.String(), amountSerde()))
                .groupByKey(Grouped.with(Serdes.String(), amountSerde()))
                .aggregate(
                        () -> new Totals(0, 0),
                        (key, amount, t) -> new Totals(t.count() + 1, t.sum() + amount),
                        Materialized.<String, Totals, KeyValueStore<Bytes, byte[]>>as("totals")
                                .withKeySerde(Serdes.String())
                                .withValueSerde(totalsSerde())
                                .withCachingDisabled())
                .toStream()
                .to(args[2], Produced.with(Serdes.String(), outputSerde()));

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
                                    streams.close(Duration.ofSeconds(30));
                                    stopped.countDown();
                                }));
        streams.start();
        stopped.await();
        if (failed.get()) {
            System.exit(1);
        }
    }

    static Serde<Long> amountSerde() {
        AmountSerde amounts = new AmountSerde();
        Serializer<Long> ser = (topic, v) -> amounts.serialize(v);
        Deserializer<Long> de = (topic, bytes) -> amounts.deserialize(bytes);
        return Serdes.serdeFrom(ser, de);
    }

    /** Weir's output format, written by the same code as Weir's reference job. */
    private static Serde<Totals> outputSerde() {
        Serializer<Totals> ser = (topic, t) -> Totals.JSON.serialize(t);
        Deserializer<Totals> de = (topic, bytes) -> Totals.JSON.deserialize(bytes);
        return Serdes.serdeFrom(ser, de);
    }

    /** Count and sum of one key, 16 bytes in the store, like Weir's. */
    static Serde<Totals> totalsSerde() {
        Serializer<Totals> ser =
                (topic, t) -> ByteBuffer.allocate(16).putLong(t.count()).putLong(t.sum()).array();
        Deserializer<Totals> de =
                (topic, bytes) -> {
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    return new Totals(b.getLong(), b.getLong());
                };
        return Serdes.serdeFrom(ser, de);
    }
}
