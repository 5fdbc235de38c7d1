package dev.weir.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyGroupsTest {

    @ParameterizedTest(name = "M={0}, every P in [1, M]")
    @ValueSource(ints = {1, 2, 3, 7, 128, 1000})
    void rangesOfAllSubtasksTileZeroToMaxParallelismForEveryParallelism(int maxParallelism) {
        for (int p = 1; p <= maxParallelism; p++) {
            assertRangesTile(maxParallelism, p);
        }
    }

    @ParameterizedTest(name = "M={0}, every P in [1, M]")
    @ValueSource(ints = {1, 2, 3, 7, 128, 1000})
    void subtaskForReturnsTheSubtaskWhoseRangeContainsTheKeyGroup(int maxParallelism) {
        for (int p = 1; p <= maxParallelism; p++) {
            assertSubtaskForMatchesRanges(maxParallelism, p);
        }
    }

    @ParameterizedTest(name = "M=32768, P={0}")
    @ValueSource(ints = {1, 2, 3, 7, 128, 1000, 4096, 10_007, 16_384, 32_767, 32_768})
    void largestMaxParallelismTilesAndRoutesWithoutOverflow(int parallelism) {
        assertRangesTile(KeyGroups.MAX_MAX_PARALLELISM, parallelism);
        assertSubtaskForMatchesRanges(KeyGroups.MAX_MAX_PARALLELISM, parallelism);
    }

    @Test
    void rangesFollowTheDocumentedCeilingFormula() {
        // The formula is part of the on-disk format (docs/architecture.md §7):
        // [ceil(i*M/P), ceil((i+1)*M/P) - 1].
        for (int m : new int[] {1, 7, 128, 1000, KeyGroups.MAX_MAX_PARALLELISM}) {
            for (int p : new int[] {1, 3, 7, Math.min(m, 100), m}) {
                if (p > m) {
                    continue;
                }
                for (int i = 0; i < p; i++) {
                    long start = ceilDiv((long) i * m, p);
                    long end = ceilDiv((long) (i + 1) * m, p) - 1;
                    assertThat(KeyGroups.rangeFor(i, m, p))
                            .as("subtask %d of %d, M=%d", i, p, m)
                            .isEqualTo(new KeyGroupRange((int) start, (int) end));
                }
            }
        }
    }

    @Test
    void rangesWithSevenSubtasksOf128KeyGroupsArePinned() {
        // Pinned so that a change of the assignment (which would orphan checkpointed state) shows.
        assertThat(IntStream.range(0, 7).mapToObj(i -> KeyGroups.rangeFor(i, 128, 7)))
                .containsExactly(
                        new KeyGroupRange(0, 18),
                        new KeyGroupRange(19, 36),
                        new KeyGroupRange(37, 54),
                        new KeyGroupRange(55, 73),
                        new KeyGroupRange(74, 91),
                        new KeyGroupRange(92, 109),
                        new KeyGroupRange(110, 127));
    }

    @ParameterizedTest(name = "rangeFor({0}, {1}, {2}) names {3}")
    @CsvSource({
        "-1, 128, 4, got -1",
        "4, 128, 4, got 4",
        "0, 128, 0, got 0",
        "0, 128, -3, got -3",
        "0, 128, 129, got 129",
        "0, 0, 1, got 0",
        "0, -1, 1, got -1",
        "0, 32769, 1, got 32769",
    })
    void rangeForRejectsBadArgumentsNamingTheBadValue(
            int subtask, int maxParallelism, int parallelism, String expected) {
        assertThatThrownBy(() -> KeyGroups.rangeFor(subtask, maxParallelism, parallelism))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void keyGroupForIsInRangeAndDependsOnlyOnTheKeyBytes() {
        Random random = new Random(42);
        for (int m : new int[] {1, 2, 3, 7, 128, 1000, KeyGroups.MAX_MAX_PARALLELISM}) {
            for (int n = 0; n < 2_000; n++) {
                byte[] key = new byte[random.nextInt(40)];
                random.nextBytes(key);
                int kg = KeyGroups.keyGroupFor(key, m);
                assertThat(kg)
                        .as("key group of %s, M=%d", Arrays.toString(key), m)
                        .isBetween(0, m - 1);
                assertThat(KeyGroups.keyGroupFor(key.clone(), m)).isEqualTo(kg);
            }
        }
    }

    @Test
    void keyGroupForSpreadsRandomKeysEvenly() {
        Random random = new Random(7);
        int m = 128;
        int keys = 128_000;
        int[] counts = new int[m];
        for (int n = 0; n < keys; n++) {
            byte[] key = new byte[8 + random.nextInt(8)];
            random.nextBytes(key);
            counts[KeyGroups.keyGroupFor(key, m)]++;
        }
        // Expected 1000 per group; a binomial deviation beyond 20% is ~6 sigma.
        assertThat(IntStream.of(counts).boxed())
                .allSatisfy(c -> assertThat(c).isBetween(800, 1200));
    }

    @Test
    void keyGroupIsFloorModOfTheMurmur3HashOfTheKeyBytes() {
        // Murmur3("hello") = 0x248bfa47 (positive), Murmur3("k") = 0xcfbda5d1 (negative as int).
        assertThat(KeyGroups.keyGroupFor(utf8("hello"), 128)).isEqualTo(71);
        assertThat(KeyGroups.keyGroupFor(utf8("hello"), 32_768)).isEqualTo(31_303);
        assertThat(KeyGroups.keyGroupFor(utf8("k"), 128)).isEqualTo(81);
        assertThat(KeyGroups.keyGroupFor(utf8("k"), 1000)).isEqualTo(169);
    }

    private static void assertRangesTile(int m, int p) {
        int expectedStart = 0;
        int minSize = Integer.MAX_VALUE;
        int maxSize = 0;
        for (int i = 0; i < p; i++) {
            KeyGroupRange r = KeyGroups.rangeFor(i, m, p);
            if (r.start() != expectedStart) {
                throw new AssertionError(
                        "M="
                                + m
                                + ", P="
                                + p
                                + ": subtask "
                                + i
                                + " starts at "
                                + r.start()
                                + ", expected "
                                + expectedStart
                                + " (gap or overlap)");
            }
            expectedStart = r.end() + 1;
            minSize = Math.min(minSize, r.size());
            maxSize = Math.max(maxSize, r.size());
        }
        if (expectedStart != m) {
            throw new AssertionError(
                    "M=" + m + ", P=" + p + ": ranges end at " + (expectedStart - 1));
        }
        if (maxSize - minSize > 1) {
            throw new AssertionError(
                    "M="
                            + m
                            + ", P="
                            + p
                            + ": unbalanced ranges, sizes "
                            + minSize
                            + ".."
                            + maxSize);
        }
    }

    private static void assertSubtaskForMatchesRanges(int m, int p) {
        int subtask = 0;
        KeyGroupRange range = KeyGroups.rangeFor(0, m, p);
        for (int kg = 0; kg < m; kg++) {
            if (kg > range.end()) {
                subtask++;
                range = KeyGroups.rangeFor(subtask, m, p);
            }
            int actual = KeyGroups.subtaskFor(kg, m, p);
            if (actual != subtask) {
                throw new AssertionError(
                        "M="
                                + m
                                + ", P="
                                + p
                                + ": key group "
                                + kg
                                + " is in the range "
                                + range
                                + " of subtask "
                                + subtask
                                + " but subtaskFor returned "
                                + actual);
            }
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
