package dev.weir.kafka;

import dev.weir.Header;
import dev.weir.Origin;
import dev.weir.Record;
import dev.weir.RecordSerde;
import dev.weir.RetriableSerdeException;
import dev.weir.SubtaskInfo;
import dev.weir.UnrecoverableJobException;
import dev.weir.WeirException;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceReader;
import dev.weir.spi.SourceWatermarks;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One source subtask's consumer over the partitions it owns. Task thread only. */
final class KafkaSourceReader<K, V> implements SourceReader<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSourceReader.class);

    private final List<String> topics;
    private final RecordSerdes<K, V> serdes;
    private final RecordSerde<K> keySerde;
    private final RecordSerde<V> valueSerde;
    private final SubtaskInfo info;
    private final InstantSource clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<TopicPartition> owned = new LinkedHashSet<>();
    private final long discoveryInterval;
    private final boolean offsetsInTransaction;
    private long lastDiscovery;
    private boolean closed;
    private final KafkaOptions.DeserializationErrorPolicy policy;
    private final DeadLetters deadLetters;
    private final LongAdder skipped;
    private final LongAdder deadLettered;
    private long lastPoisonLog;
    private long poisonSinceLog;

    /** While a record waits for its serde (the registry is down): when to read it again. */
    private long retryAt;

    private long retryDelay;
    private long lastRetryLog;

    private final KafkaMeters meters;

    /** Event time per partition; the split of the last record, to look it up once per run. */
    private final SourceWatermarks watermarks;

    private TopicPartition lastPartition;
    private SourceWatermarks.Split lastSplit;

    /** Records each owned partition is behind, for {@code weir_source_lag_records}. */
    private final Map<TopicPartition, AtomicLong> lag = new HashMap<>();

    KafkaSourceReader(List<String> topics, RecordSerdes<K, V> serdes, SourceContext ctx) {
        this.topics = topics;
        this.serdes = serdes;
        this.keySerde = serdes.key;
        this.valueSerde = serdes.value;
        this.info = ctx.subtask();
        this.clock = ctx.clock();
        this.watermarks = ctx.watermarks();
        this.discoveryInterval = ctx.config().get(KafkaOptions.DISCOVERY_INTERVAL_MS);
        this.offsetsInTransaction =
                ctx.config().get(KafkaOptions.DELIVERY) == KafkaOptions.Delivery.EXACTLY_ONCE;
        this.policy = ctx.config().get(KafkaOptions.DESERIALIZATION_ERROR_POLICY);
        this.deadLetters = deadLetters(ctx, policy, offsetsInTransaction);
        this.skipped = ctx.counter("source.deserialization-errors.skipped");
        this.deadLettered = ctx.counter("source.deserialization-errors.dead-lettered");
        Map<String, Object> props = KafkaOptions.clientProperties(ctx.config(), "kafka.consumer.");
        props.put("group.id", KafkaJobNames.consumerGroup(ctx.config(), info.jobName()));
        props.putIfAbsent(
                "client.id", info.jobName() + "-" + info.operatorUid() + "-" + info.subtask());
        props.put("enable.auto.commit", "false");
        props.putIfAbsent("isolation.level", "read_committed");
        props.putIfAbsent("auto.offset.reset", "earliest");
        if (discoveryInterval > 0) {
            props.putIfAbsent("metadata.max.age.ms", String.valueOf(discoveryInterval));
        }
        this.consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.meters = new KafkaMeters(ctx.meterRegistry(), KafkaMeters.of(info));
        try {
            meters.bind(consumer);
            Set<TopicPartition> mine = discover(true);
            assign(
                    mine,
                    ctx.restoredPositions(),
                    ctx.config().get(KafkaOptions.START_FROM),
                    ctx.config().get(KafkaOptions.START_TIMESTAMP));
            lastDiscovery = clock.millis();
        } catch (RuntimeException e) {
            meters.close();
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    private static DeadLetters deadLetters(
            SourceContext ctx,
            KafkaOptions.DeserializationErrorPolicy policy,
            boolean exactlyOnce) {
        if (policy != KafkaOptions.DeserializationErrorPolicy.DEAD_LETTER) {
            return null;
        }
        String topic = ctx.config().get(KafkaOptions.DEAD_LETTER_TOPIC);
        if (topic.isBlank()) {
            throw new UnrecoverableJobException(
                    KafkaOptions.DESERIALIZATION_ERROR_POLICY.key()
                            + "=dead-letter needs "
                            + KafkaOptions.DEAD_LETTER_TOPIC.key()
                            + ", the topic to write unreadable records to");
        }
        KafkaTransactions txns = null;
        if (exactlyOnce) {
            txns =
                    ctx.committer()
                            .filter(KafkaTransactions.class::isInstance)
                            .map(KafkaTransactions.class::cast)
                            .orElseThrow(
                                    () ->
                                            new UnrecoverableJobException(
                                                    KafkaOptions.DESERIALIZATION_ERROR_POLICY.key()
                                                            + "=dead-letter with"
                                                            + " sink.delivery=exactly-once needs"
                                                            + " the Kafka sink's committer"));
        }
        return new DeadLetters(topic, ctx.subtask(), txns, ctx.config());
    }

    /** Which of {@code parallelism} subtasks reads a partition: spread per topic, round robin. */
    static int owner(String topic, int partition, int parallelism) {
        int start = ((topic.hashCode() * 31) & 0x7FFFFFFF) % parallelism;
        return (start + partition) % parallelism;
    }

    private Set<TopicPartition> discover(boolean failOnMissing) {
        Set<TopicPartition> mine = new LinkedHashSet<>();
        for (String topic : topics) {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (parts == null || parts.isEmpty()) {
                if (failOnMissing) {
                    throw new WeirException(
                            info
                                    + ": topic '"
                                    + topic
                                    + "' does not exist on "
                                    + "the Kafka cluster");
                }
                continue;
            }
            for (PartitionInfo p : parts) {
                if (owner(topic, p.partition(), info.parallelism()) == info.subtask()) {
                    mine.add(new TopicPartition(topic, p.partition()));
                }
            }
        }
        return mine;
    }

    private void assign(
            Set<TopicPartition> mine,
            Map<String, Long> restored,
            KafkaOptions.StartFrom start,
            long timestamp) {
        owned.addAll(mine);
        consumer.assign(owned);
        watermarks.assigned(owned.stream().map(KafkaSplits::id).toList());
        lastPartition = null;
        for (TopicPartition tp : mine) {
            AtomicLong behind = new AtomicLong(-1);
            if (lag.putIfAbsent(tp, behind) == null) {
                meters.lag(tp, behind);
            }
        }
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : mine) {
            Long pos = restored.get(KafkaSplits.id(tp));
            if (pos != null) {
                consumer.seek(tp, pos);
            } else {
                fresh.add(tp);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        if (!restored.isEmpty() && start != KafkaOptions.StartFrom.EARLIEST) {
            // The job restored a checkpoint: a partition it does not name appeared after that
            // checkpoint (while the job was down, or found before a crash), and every record in
            // it is new to the job. source.start applies only to a job's very first start.
            LOG.info(
                    "{}: {} not in the restored checkpoint; reading them from the earliest offset"
                            + " ({} applies to a job's first start only)",
                    info,
                    fresh,
                    KafkaOptions.START_FROM.key());
            start = KafkaOptions.StartFrom.EARLIEST;
        }
        switch (start) {
            case EARLIEST -> consumer.seekToBeginning(fresh);
            case LATEST -> consumer.seekToEnd(fresh);
            case COMMITTED -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        consumer.committed(new LinkedHashSet<>(fresh));
                List<TopicPartition> none = new ArrayList<>();
                for (TopicPartition tp : fresh) {
                    OffsetAndMetadata om = committed.get(tp);
                    if (om != null) {
                        consumer.seek(tp, om.offset());
                    } else {
                        none.add(tp);
                    }
                }
                if (!none.isEmpty()) {
                    // An empty collection would mean "every assigned partition" to the consumer.
                    consumer.seekToBeginning(none);
                }
            }
            case TIMESTAMP -> {
                Map<TopicPartition, Long> query = new HashMap<>();
                fresh.forEach(tp -> query.put(tp, timestamp));
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
                List<TopicPartition> past = new ArrayList<>();
                for (TopicPartition tp : fresh) {
                    OffsetAndTimestamp o = found.get(tp);
                    if (o != null) {
                        consumer.seek(tp, o.offset());
                    } else {
                        past.add(tp);
                    }
                }
                if (!past.isEmpty()) {
                    consumer.seekToEnd(past);
                }
            }
            default -> throw new IllegalStateException("unknown start " + start);
        }
        // Resolve lazy seeks now, so the start is fixed when the reader is created, not at its
        // first poll.
        for (TopicPartition tp : fresh) {
            consumer.position(tp, Duration.ofSeconds(30));
        }
        LOG.info(
                "{}: reading {} from {} (no checkpointed offsets for them)",
                info,
                fresh,
                dev.weir.config.ConfigOption.enumName(start));
    }

    @Override
    public List<Record<K, V>> poll(Duration timeout) {
        maybeDiscover();
        if (owned.isEmpty()) {
            sleep(timeout);
            return List.of();
        }
        long wait = retryAt - clock.millis();
        if (wait > 0) {
            // A record waits for its serde; barriers and checkpoints go on meanwhile.
            sleep(Duration.ofMillis(Math.min(wait, timeout.toMillis())));
            return List.of();
        }
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(timeout);
        updateLag();
        if (polled.isEmpty()) {
            return List.of();
        }
        List<Record<K, V>> out = new ArrayList<>(polled.count());
        Map<TopicPartition, Long> unread = null;
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            if (unread != null) {
                unread.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
                continue;
            }
            try {
                Record<K, V> record = toRecord(r);
                if (record != null) {
                    out.add(record);
                }
            } catch (RetriableSerdeException e) {
                unread = new HashMap<>();
                unread.put(new TopicPartition(r.topic(), r.partition()), r.offset());
                waitForSerde(r, e);
            }
        }
        if (unread != null) {
            // Read them again later: the positions stay just after what was returned.
            unread.forEach(consumer::seek);
        } else if (retryDelay > 0) {
            LOG.info("{}: records are readable again", info);
            retryDelay = 0;
        }
        return out;
    }

    /** The consumer's own view of each partition's lag, from its last fetch: no request. */
    private void updateLag() {
        lag.forEach(
                (tp, behind) -> {
                    java.util.OptionalLong l = consumer.currentLag(tp);
                    if (l.isPresent()) {
                        behind.lazySet(l.getAsLong());
                    }
                });
    }

    private static final long FIRST_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 5_000;

    private void waitForSerde(ConsumerRecord<byte[], byte[]> r, RetriableSerdeException e) {
        retryDelay = retryDelay == 0 ? FIRST_RETRY_MS : Math.min(MAX_RETRY_MS, 2 * retryDelay);
        long now = clock.millis();
        retryAt = now + retryDelay;
        if (now - lastRetryLog >= 30_000) {
            lastRetryLog = now;
            LOG.warn(
                    "{}: the record at topic {}, partition {}, offset {} cannot be read now ({});"
                            + " reading it again in {} ms, and so on until it can: the job waits"
                            + " and keeps checkpointing",
                    info,
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    e.getMessage(),
                    retryDelay);
        }
    }

    private Record<K, V> toRecord(ConsumerRecord<byte[], byte[]> r) {
        List<Header> headers = List.of();
        org.apache.kafka.common.header.Header[] kafkaHeaders = r.headers().toArray();
        if (kafkaHeaders.length > 0) {
            Header[] copied = new Header[kafkaHeaders.length];
            for (int i = 0; i < copied.length; i++) {
                copied[i] = new Header(kafkaHeaders[i].key(), kafkaHeaders[i].value());
            }
            // Immutable already, so the Record keeps this list instead of copying it.
            headers = List.of(copied);
        }
        String topic = r.topic();
        K key;
        V value;
        try {
            key = r.key() == null ? null : keySerde.deserialize(topic, headers, r.key());
            value = r.value() == null ? null : valueSerde.deserialize(topic, headers, r.value());
        } catch (RetriableSerdeException | UnrecoverableJobException e) {
            // Not now, or never for any record (the job's setup): neither is a poison record.
            throw e;
        } catch (RuntimeException e) {
            return poison(r, e);
        }
        // The origin holds r itself (a reference, no copy): a keyed operator's dead letter is r.
        return split(r).onRecord(
                        new Record<>(
                                key,
                                value,
                                r.timestamp(),
                                headers,
                                new Origin(topic, r.partition(), r.offset(), r)));
    }

    /** The event-time split of {@code r}'s partition; records come in runs of one partition. */
    private SourceWatermarks.Split split(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition last = lastPartition;
        if (last == null || last.partition() != r.partition() || !last.topic().equals(r.topic())) {
            last = new TopicPartition(r.topic(), r.partition());
            lastSplit = watermarks.split(KafkaSplits.id(last));
            lastPartition = last;
        }
        return lastSplit;
    }

    /**
     * A record the serde cannot read, handled as {@code source.deserialization.error.policy} says.
     */
    private Record<K, V> poison(ConsumerRecord<byte[], byte[]> r, RuntimeException e) {
        String where =
                "the record at topic "
                        + r.topic()
                        + ", partition "
                        + r.partition()
                        + ", offset "
                        + r.offset();
        switch (policy) {
            case SKIP -> {
                skipped.increment();
                logPoison(where, "skipped", e);
                return null;
            }
            case DEAD_LETTER -> {
                deadLetters.send(r, e);
                deadLettered.increment();
                logPoison(where, "written to " + KafkaOptions.DEAD_LETTER_TOPIC.key(), e);
                return null;
            }
            default ->
                    // A restart would read the same bytes with the same serde: stop instead of
                    // looping through the restart strategy.
                    throw new UnrecoverableJobException(
                            info
                                    + ": cannot deserialize "
                                    + where
                                    + ": "
                                    + e
                                    + ". A restart would read it again, so the job stops. To get"
                                    + " past it, set "
                                    + KafkaOptions.DESERIALIZATION_ERROR_POLICY.key()
                                    + "=skip or =dead-letter (with "
                                    + KafkaOptions.DEAD_LETTER_TOPIC.key()
                                    + "), or move the job past the record:"
                                    + " weir savepoint offsets reset <its last checkpoint chk-N>"
                                    + " <new savepoint dir> --topic "
                                    + r.topic()
                                    + ":"
                                    + r.partition()
                                    + " --to-offset "
                                    + (r.offset() + 1)
                                    + " --execute, then start it with"
                                    + " savepoint.path=<new savepoint dir>",
                            e);
        }
    }

    /** Logs a skipped or dead-lettered record: the first at once, then at most one line in 10 s. */
    private void logPoison(String where, String what, RuntimeException e) {
        long now = clock.millis();
        poisonSinceLog++;
        if (lastPoisonLog == 0 || now - lastPoisonLog >= 10_000) {
            LOG.warn(
                    "{}: cannot deserialize {}, {} ({} such record(s) since the last line): {}",
                    info,
                    where,
                    what,
                    poisonSinceLog,
                    e.toString());
            lastPoisonLog = now;
            poisonSinceLog = 0;
        }
    }

    private void maybeDiscover() {
        if (discoveryInterval <= 0 || clock.millis() - lastDiscovery < discoveryInterval) {
            return;
        }
        lastDiscovery = clock.millis();
        Set<TopicPartition> mine = discover(false);
        mine.removeAll(owned);
        if (!mine.isEmpty()) {
            LOG.info("{}: new partitions {}", info, mine);
            assign(mine, Map.of(), KafkaOptions.StartFrom.EARLIEST, 0);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeirException("interrupted", e);
        }
    }

    @Override
    public Map<String, Long> snapshotPositions(long checkpointId) {
        if (deadLetters != null) {
            deadLetters.checkpoint(checkpointId);
        }
        Map<String, Long> positions = new LinkedHashMap<>();
        for (TopicPartition tp : owned) {
            positions.put(KafkaSplits.id(tp), consumer.position(tp, Duration.ofSeconds(30)));
        }
        return positions;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId, Map<String, Long> positions) {
        if (offsetsInTransaction) {
            // The checkpoint's transaction already carried these offsets to the group.
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        String metadata = CommitTag.of(checkpointId, "").encode();
        for (TopicPartition tp : owned) {
            Long p = positions.get(KafkaSplits.id(tp));
            if (p != null) {
                offsets.put(tp, new OffsetAndMetadata(p, metadata));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitAsync(
                offsets,
                (o, e) -> {
                    if (e
                            instanceof
                            org.apache.kafka.clients.consumer.RetriableCommitFailedException) {
                        LOG.debug(
                                "{}: offsets of checkpoint {} not committed to the job's group yet (retried with the next"
                                        + " checkpoint): {}",
                                info,
                                checkpointId,
                                e.toString());
                    } else if (e != null) {
                        LOG.warn(
                                "{}: committing offsets of checkpoint {} to the job's group failed (lag shown by Kafka tools"
                                        + " may be stale; checkpoints are unaffected): {}",
                                info,
                                checkpointId,
                                e.toString());
                    }
                });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            meters.close();
            consumer.close(Duration.ofSeconds(5));
            if (deadLetters != null) {
                deadLetters.close();
            }
        } finally {
            serdes.release();
        }
    }
}
