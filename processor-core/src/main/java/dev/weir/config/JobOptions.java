package dev.weir.config;

import dev.weir.format.KeyGroups;
import java.util.List;

/** Options that shape a job. */
public final class JobOptions {
    private JobOptions() {}

    public static final ConfigOption<String> JOB_NAME =
            ConfigOption.string(
                    "job.name",
                    null,
                    "Name of the job: it names the checkpoint directory, the consumer group and the transactional ids,"
                            + " so two runs of one job need two names");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOption.integer(
                    "parallelism",
                    1,
                    1,
                    KeyGroups.MAX_MAX_PARALLELISM,
                    "Number of subtasks of every operator");

    public static final ConfigOption<Integer> MAX_PARALLELISM =
            ConfigOption.integer(
                    "max-parallelism",
                    KeyGroups.DEFAULT_MAX_PARALLELISM,
                    1,
                    KeyGroups.MAX_MAX_PARALLELISM,
                    "Number of key groups; fixed for the life of the job's checkpoints and savepoints");

    public static final ConfigOption<String> STATE_LOCAL_DIR =
            ConfigOption.string(
                    "state.local-dir",
                    System.getProperty("java.io.tmpdir") + "/weir-state",
                    "Local working directory of the RocksDB instances");

    public static final ConfigOption<Integer> STATE_CACHE_MAX_ENTRIES =
            ConfigOption.integer(
                    "state.cache.max-entries",
                    100_000,
                    0,
                    Integer.MAX_VALUE,
                    "Entries of the per-subtask write-back cache in front of RocksDB (0 disables it)");

    public static final ConfigOption<Long> STATE_CACHE_MAX_BYTES =
            ConfigOption.longValue(
                    "state.cache.max-bytes",
                    64L << 20,
                    1L,
                    Long.MAX_VALUE,
                    "Heap the per-subtask write-back cache may take, counting each entry as an"
                            + " average entry's serialized key and value plus ~100 bytes; with large"
                            + " values it holds fewer than state.cache.max-entries");

    public static final ConfigOption<Integer> STATE_CACHE_MAX_DIRTY =
            ConfigOption.integer(
                    "state.cache.max-dirty-entries",
                    32_768,
                    1,
                    Integer.MAX_VALUE,
                    "Dirty cache entries written to RocksDB in one batch as soon as this many"
                            + " accumulate (a value updated again before then is written once);"
                            + " bounds the batch a checkpoint captures after its barrier");

    public static final ConfigOption<Integer> CHANNEL_CAPACITY =
            ConfigOption.integer(
                    "channel.capacity-batches",
                    4,
                    1,
                    1 << 16,
                    "Batches a channel between two subtasks buffers before the sender waits"
                            + " (backpressure); under backpressure they are full, and each young"
                            + " GC copies the records in them");

    public static final ConfigOption<Integer> CHANNEL_BATCH_SIZE =
            ConfigOption.integer(
                    "channel.batch-size",
                    256,
                    1,
                    1 << 16,
                    "Records per batch handed between subtasks");

    /** What a keyed operator does when its user function throws on a record. */
    public enum ProcessErrorPolicy {
        /** The attempt fails into the restart strategy (which replays from the last checkpoint). */
        FAIL,
        /** The record is counted, logged and dropped; the job goes on. */
        SKIP,
        /**
         * The record, as the source read it, is written to the source's dead-letter output with the
         * error (for Kafka: {@code process.dead-letter.topic}), counted and dropped; the job goes
         * on.
         */
        DEAD_LETTER
    }

    public static final ConfigOption<ProcessErrorPolicy> PROCESS_ERROR_POLICY =
            ConfigOption.enumeration(
                    "process.error.policy",
                    ProcessErrorPolicy.class,
                    ProcessErrorPolicy.FAIL,
                    "A process function throws on a record: fail (the attempt fails into the"
                            + " restart strategy), skip (counted as process.errors.skipped, logged,"
                            + " dropped) or dead-letter (the record as the source read it goes to"
                            + " process.dead-letter.topic with __weir.errors.* headers, in the"
                            + " checkpoint's transaction with exactly-once output; counted as"
                            + " process.errors.dead-lettered). Whatever the function did before it"
                            + " threw stays");

    public static List<ConfigOption<?>> all() {
        return List.of(
                JOB_NAME,
                PARALLELISM,
                MAX_PARALLELISM,
                STATE_LOCAL_DIR,
                STATE_CACHE_MAX_ENTRIES,
                STATE_CACHE_MAX_BYTES,
                STATE_CACHE_MAX_DIRTY,
                CHANNEL_CAPACITY,
                CHANNEL_BATCH_SIZE,
                PROCESS_ERROR_POLICY);
    }
}
