package dev.weir.benchmarks;

import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends records at a fixed rate, in small bursts every 2 ms, so that there is no backlog. */
final class Pacer {
    private Pacer() {}

    /**
     * Sends {@code ratePerSecond * seconds} records made by {@code next} (given the sequence
     * number) at {@code ratePerSecond}, then flushes; returns the number sent.
     */
    static long run(
            KafkaProducer<byte[], byte[]> producer,
            int ratePerSecond,
            double seconds,
            LongFunction<ProducerRecord<byte[], byte[]>> next)
            throws InterruptedException {
        long total = (long) (ratePerSecond * seconds);
        long start = System.nanoTime();
        long sent = 0;
        while (sent < total) {
            long due =
                    Math.min(total, (System.nanoTime() - start) * ratePerSecond / 1_000_000_000L);
            while (sent < due) {
                producer.send(next.apply(sent++));
            }
            Thread.sleep(2);
        }
        producer.flush();
        return sent;
    }
}
