package dev.weir.format;

/**
 * Key-group math. Keyed state is split into {@code maxParallelism} key groups; a key's group is
 * {@code murmur3(serializedKeyBytes) mod maxParallelism} and subtask {@code i} of {@code p} owns
 * the contiguous range {@code [ceil(i*M/p), ceil((i+1)*M/p) - 1]}. These formulas are part of the
 * checkpoint and savepoint format.
 */
public final class KeyGroups {
    /** Key groups are stored as two bytes in front of every state key. */
    public static final int MAX_MAX_PARALLELISM = 1 << 15;

    public static final int DEFAULT_MAX_PARALLELISM = 128;

    private KeyGroups() {}

    /** Hot path: called per record, so only the cheap argument check. */
    public static int keyGroupFor(byte[] serializedKey, int maxParallelism) {
        if (maxParallelism < 1) {
            throw new IllegalArgumentException(
                    "maxParallelism must be >= 1, got " + maxParallelism);
        }
        return keyGroupOfHash(Murmur3.hash32(serializedKey), maxParallelism);
    }

    /** The key group of a key whose {@link Murmur3#hash32} is {@code murmur3}. */
    public static int keyGroupOfHash(int murmur3, int maxParallelism) {
        return Math.floorMod(murmur3, maxParallelism);
    }

    public static int subtaskFor(int keyGroup, int maxParallelism, int parallelism) {
        if (keyGroup < 0 || keyGroup >= maxParallelism) {
            throw new IllegalArgumentException(
                    "keyGroup must be in [0, " + (maxParallelism - 1) + "], got " + keyGroup);
        }
        return keyGroup * parallelism / maxParallelism;
    }

    public static KeyGroupRange rangeFor(int subtask, int maxParallelism, int parallelism) {
        checkParallelism(parallelism, maxParallelism);
        if (subtask < 0 || subtask >= parallelism) {
            throw new IllegalArgumentException(
                    "subtask must be in [0, " + (parallelism - 1) + "], got " + subtask);
        }
        int start = ceilDiv(subtask * maxParallelism, parallelism);
        int end = ceilDiv((subtask + 1) * maxParallelism, parallelism) - 1;
        return new KeyGroupRange(start, end);
    }

    public static void checkParallelism(int parallelism, int maxParallelism) {
        if (maxParallelism < 1 || maxParallelism > MAX_MAX_PARALLELISM) {
            throw new IllegalArgumentException(
                    "maxParallelism must be in [1, "
                            + MAX_MAX_PARALLELISM
                            + "], got "
                            + maxParallelism);
        }
        if (parallelism < 1 || parallelism > maxParallelism) {
            throw new IllegalArgumentException(
                    "parallelism must be in [1, " + maxParallelism + "], got " + parallelism);
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
