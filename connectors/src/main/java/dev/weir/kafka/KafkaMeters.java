package dev.weir.kafka;

import dev.weir.SubtaskInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;

/**
 * The meters of one Kafka client owner (a source reader, a sink writer, the transactional pool),
 * registered in the job's registry and removed again by {@link #close}: the next attempt's clients
 * register their own. The clients' own metrics come through Micrometer's {@link
 * KafkaClientMetrics}, which reads them with the clients' public {@code metrics()}; Weir's own are
 * gauges over values the owning thread keeps. Not thread-safe: the owner registers and closes.
 */
final class KafkaMeters implements AutoCloseable {
    /** Tag {@code operator} of the transactional producers, which belong to no one subtask. */
    static final String POOL_OPERATOR = "transactional-pool";

    private final MeterRegistry registry;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private final List<KafkaClientMetrics> clients = new ArrayList<>();

    KafkaMeters(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
    }

    static Tags of(SubtaskInfo info) {
        return Tags.of("operator", info.operatorUid(), "subtask", String.valueOf(info.subtask()));
    }

    void bind(Consumer<?, ?> consumer) {
        KafkaClientMetrics m = new KafkaClientMetrics(consumer, tags);
        m.bindTo(registry);
        clients.add(m);
    }

    void bind(Producer<?, ?> producer, Tags extra) {
        KafkaClientMetrics m = new KafkaClientMetrics(producer, tags.and(extra));
        m.bindTo(registry);
        clients.add(m);
    }

    /**
     * A gauge of the records partition {@code tp} is behind: {@code lag} holds the value, set by
     * the reader's thread; negative while unknown (shown as NaN).
     */
    void lag(TopicPartition tp, AtomicLong lag) {
        meters.add(
                Gauge.builder("weir.source.lag", lag, l -> l.get() < 0 ? Double.NaN : l.get())
                        .description(
                                "records between the source's position and the end of the"
                                        + " partition (its last stable offset under"
                                        + " read_committed), as of the last poll")
                        .baseUnit("records")
                        .tags(tags)
                        .tags("topic", tp.topic(), "partition", String.valueOf(tp.partition()))
                        .register(registry));
    }

    <T> void timeGauge(String name, String description, T obj, ToDoubleFunction<T> millis) {
        meters.add(
                TimeGauge.builder(name, obj, TimeUnit.MILLISECONDS, millis)
                        .description(description)
                        .tags(tags)
                        .register(registry));
    }

    @Override
    public void close() {
        clients.forEach(KafkaClientMetrics::close);
        clients.clear();
        meters.forEach(registry::remove);
        meters.clear();
    }
}
