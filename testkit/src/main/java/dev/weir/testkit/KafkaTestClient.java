package dev.weir.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small synchronous helpers over the real Kafka clients for tests: create topics, produce records
 * (string keys, string or byte values) and read back what a {@code read_committed} consumer sees.
 *
 * <p>Reads use {@code assign()} on every partition from the beginning, never a consumer group, so
 * they cost no group join and leave no committed offsets behind.
 *
 * <p>Lifecycle: the admin client and an idempotent producer are created on first use and closed by
 * {@link #close()}; consumers live for one call. A closed client must not be used.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
public final class KafkaTestClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTestClient.class);

    /** Upper bound for a single admin or metadata call. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final String bootstrapServers;
    private Admin admin;
    private KafkaProducer<String, String> producer;
    private KafkaProducer<String, byte[]> bytesProducer;
    private boolean closed;

    /** Creates a client for the brokers at {@code bootstrapServers}; connects lazily. */
    public KafkaTestClient(String bootstrapServers) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    }

    /** Creates a client for {@code broker}; connects lazily. */
    public static KafkaTestClient forBroker(KafkaBroker broker) {
        return new KafkaTestClient(broker.bootstrapServers());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Returns the shared admin client; it is closed by {@link #close()}, not by the caller. */
    public synchronized Admin admin() {
        checkOpen();
        if (admin == null) {
            Map<String, Object> config = new HashMap<>();
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(AdminClientConfig.CLIENT_ID_CONFIG, "weir-test-admin");
            admin = Admin.create(config);
        }
        return admin;
    }

    /**
     * Creates a topic with the broker's default replication factor and waits until every partition
     * has a leader. An existing topic is left as it is, whatever its partition count.
     *
     * @throws IllegalStateException if the broker rejects the topic or does not answer in 30 s
     */
    public void createTopic(String name, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty());
        try {
            admin().createTopics(List.of(topic))
                    .all()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Created topic {} with {} partitions", name, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
            LOG.info("Topic {} already exists", name);
        } catch (TimeoutException | InterruptedException e) {
            throw failure("creating topic " + name, e);
        }
        awaitLeaders(name);
    }

    private void awaitLeaders(String topic) {
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        while (true) {
            try {
                TopicDescription description =
                        admin().describeTopics(List.of(topic))
                                .allTopicNames()
                                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                                .get(topic);
                if (description.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (ExecutionException e) {
                LOG.debug("Topic {} not described yet: {}", topic, e.getCause().toString());
            } catch (TimeoutException | InterruptedException e) {
                throw failure("describing topic " + topic, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "topic "
                                + topic
                                + " has partitions without a leader after "
                                + CALL_TIMEOUT);
            }
            sleep(POLL_INTERVAL);
        }
    }

    /**
     * Sends {@code records} with {@code acks=all} and idempotence, flushes and waits until every
     * one is acknowledged.
     *
     * @return the metadata of each record, in the order given
     * @throws IllegalStateException if a send fails
     */
    public List<RecordMetadata> produce(List<ProducerRecord<String, String>> records) {
        return send(producer(), records);
    }

    /**
     * Like {@link #produce(List)}, for values that are bytes (Avro in a registry's wire format, a
     * poison record): string keys, values as they are.
     */
    public List<RecordMetadata> produceBytes(List<ProducerRecord<String, byte[]>> records) {
        return send(bytesProducer(), records);
    }

    private static <V> List<RecordMetadata> send(
            KafkaProducer<String, V> p, List<ProducerRecord<String, V>> records) {
        List<Future<RecordMetadata>> futures = new ArrayList<>(records.size());
        for (ProducerRecord<String, V> record : records) {
            futures.add(p.send(record));
        }
        p.flush();
        List<RecordMetadata> result = new ArrayList<>(futures.size());
        for (Future<RecordMetadata> future : futures) {
            try {
                result.add(future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot produce to Kafka", e.getCause());
            } catch (TimeoutException | InterruptedException e) {
                throw failure("producing", e);
            }
        }
        return result;
    }

    /** Sends one record (key may be null) and waits until it is acknowledged. */
    public RecordMetadata produce(String topic, String key, String value) {
        return produce(List.of(new ProducerRecord<>(topic, key, value))).get(0);
    }

    /** Sends {@code keyValues} to {@code topic}, in order, and waits until all are acknowledged. */
    public List<RecordMetadata> produceStrings(
            String topic, List<Map.Entry<String, String>> keyValues) {
        List<ProducerRecord<String, String>> records = new ArrayList<>(keyValues.size());
        for (Map.Entry<String, String> kv : keyValues) {
            records.add(new ProducerRecord<>(topic, kv.getKey(), kv.getValue()));
        }
        return produce(records);
    }

    /**
     * Creates a new transactional producer of strings with the given {@code transactional.id}; the
     * caller calls {@code initTransactions()} and owns (closes) it.
     */
    public KafkaProducer<String, String> newTransactionalProducer(String transactionalId) {
        Map<String, Object> config = producerConfig();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "weir-test-" + transactionalId);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /**
     * Reads {@code topic} from the beginning of every partition as a {@code read_committed}
     * consumer until at least {@code expectedCount} records arrived. It returns every record polled
     * so far, which may be more than {@code expectedCount}.
     *
     * @throws AssertionError if fewer than {@code expectedCount} records arrived within {@code
     *     timeout}; the message says how many did, per partition
     */
    public List<ConsumerRecord<String, String>> consumeReadCommitted(
            String topic, int expectedCount, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = readCommittedConsumer()) {
            List<TopicPartition> partitions = assignFromBeginning(consumer, topic, deadline);
            while (records.size() < expectedCount) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "expected "
                                    + expectedCount
                                    + " read_committed records in topic '"
                                    + topic
                                    + "' within "
                                    + timeout
                                    + " but saw "
                                    + records.size()
                                    + "; per partition "
                                    + countByPartition(records, partitions));
                }
                consumer.poll(POLL_INTERVAL).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * Reads every partition of {@code topic} from the beginning up to its last stable offset, the
     * end as a {@code read_committed} consumer sees it when the call starts, and returns the
     * committed records. Records of open transactions, and anything after them, are not included.
     *
     * @throws AssertionError if the end is not reached within {@code timeout}
     */
    public List<ConsumerRecord<String, String>> readAllCommitted(String topic, Duration timeout) {
        return readAllCommitted(topic, timeout, new StringDeserializer());
    }

    /** Like {@link #readAllCommitted(String, Duration)}, with the values as bytes. */
    public List<ConsumerRecord<String, byte[]>> readAllCommittedBytes(
            String topic, Duration timeout) {
        return readAllCommitted(topic, timeout, new ByteArrayDeserializer());
    }

    private <V> List<ConsumerRecord<String, V>> readAllCommitted(
            String topic, Duration timeout, Deserializer<V> values) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = readCommittedConsumer(values)) {
            List<TopicPartition> partitions = assignFromBeginning(consumer, topic, deadline);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, CALL_TIMEOUT);
            while (!reachedEnds(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "could not read topic '"
                                    + topic
                                    + "' up to its last stable offsets "
                                    + ends
                                    + " within "
                                    + timeout
                                    + "; read "
                                    + records.size()
                                    + " records, per partition "
                                    + countByPartition(records, partitions));
                }
                consumer.poll(POLL_INTERVAL).forEach(records::add);
            }
        }
        return records;
    }

    private static boolean reachedEnds(
            KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), CALL_TIMEOUT) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private List<TopicPartition> assignFromBeginning(
            KafkaConsumer<?, ?> consumer, String topic, long deadline) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, CALL_TIMEOUT);
        while (infos == null || infos.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "topic '" + topic + "' has no partitions (does it exist?)");
            }
            sleep(POLL_INTERVAL);
            infos = consumer.partitionsFor(topic, CALL_TIMEOUT);
        }
        List<TopicPartition> partitions = new ArrayList<>(infos.size());
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    private static Map<Integer, Integer> countByPartition(
            List<? extends ConsumerRecord<?, ?>> records, List<TopicPartition> partitions) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            counts.put(tp.partition(), 0);
        }
        for (ConsumerRecord<?, ?> record : records) {
            counts.merge(record.partition(), 1, Integer::sum);
        }
        return counts;
    }

    private KafkaConsumer<String, String> readCommittedConsumer() {
        return readCommittedConsumer(new StringDeserializer());
    }

    private <V> KafkaConsumer<String, V> readCommittedConsumer(Deserializer<V> values) {
        checkOpenLocked();
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "weir-test-reader");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(config, new StringDeserializer(), values);
    }

    private synchronized KafkaProducer<String, byte[]> bytesProducer() {
        checkOpen();
        if (bytesProducer == null) {
            Map<String, Object> config = producerConfig();
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "weir-test-bytes-producer");
            bytesProducer =
                    new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        }
        return bytesProducer;
    }

    private synchronized KafkaProducer<String, String> producer() {
        checkOpen();
        if (producer == null) {
            Map<String, Object> config = producerConfig();
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "weir-test-producer");
            producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis() / 2);
        return config;
    }

    /** Closes the admin client and producer; further calls fail. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (producer != null) {
            producer.close(CALL_TIMEOUT);
        }
        if (bytesProducer != null) {
            bytesProducer.close(CALL_TIMEOUT);
        }
        if (admin != null) {
            admin.close(CALL_TIMEOUT);
        }
    }

    private synchronized void checkOpenLocked() {
        checkOpen();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(
                    "KafkaTestClient for " + bootstrapServers + " is closed");
        }
    }

    private static IllegalStateException failure(String action, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("interrupted while " + action, e);
        }
        return new IllegalStateException(action + " took longer than " + CALL_TIMEOUT, e);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
