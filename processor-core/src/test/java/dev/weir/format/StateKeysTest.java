package dev.weir.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte layout of keyed state, as the backend writes it and the offline tools read it. */
class StateKeysTest {
    private final Random random = new Random(7);

    @Test
    void aKeyGroupPrefixRoundTripsForEveryKeyGroupAndSortsInKeyGroupOrder() {
        byte[] previous = null;
        for (int kg = 0; kg < KeyGroups.MAX_MAX_PARALLELISM; kg++) {
            byte[] key = StateKeys.withKeyGroup(kg, bytes(5));
            assertThat(StateKeys.keyGroupOf(key)).isEqualTo(kg);
            assertThat(StateKeys.keyGroupPrefix(kg)).containsExactly(key[0], key[1]);
            if (previous != null) {
                assertThat(java.util.Arrays.compareUnsigned(previous, key)).isNegative();
            }
            previous = StateKeys.keyGroupPrefix(kg);
        }
    }

    @Test
    void aMapEntryKeyYieldsItsRecordKeyAndUserKeyAndStartsWithTheRecordsPrefix() {
        for (int i = 0; i < 200; i++) {
            byte[] record = bytes(random.nextInt(40));
            byte[] user = bytes(random.nextInt(40));
            byte[] canonical = StateKeys.mapEntryKey(record, user);

            assertThat(StateKeys.recordKey(StateKeys.MAP, canonical)).isEqualTo(record);
            assertThat(StateKeys.userKey(canonical)).isEqualTo(user);
            byte[] rocks = StateKeys.withKeyGroup(9, canonical);
            byte[] prefix = StateKeys.mapPrefix(StateKeys.withKeyGroup(9, record));
            assertThat(java.util.Arrays.copyOf(rocks, prefix.length)).isEqualTo(prefix);
        }
    }

    @Test
    void theRecordKeyOfValueAndListStateIsTheWholeCanonicalKey() {
        byte[] k = bytes(12);
        assertThat(StateKeys.recordKey(StateKeys.VALUE, k)).isSameAs(k);
        assertThat(StateKeys.recordKey(StateKeys.LIST, k)).isSameAs(k);
    }

    @Test
    void aMapEntryKeyClaimingMoreBytesThanItHasIsRejected() {
        byte[] k = StateKeys.mapEntryKey(bytes(8), bytes(2));
        byte[] truncated = java.util.Arrays.copyOf(k, 6);
        assertThatThrownBy(() -> StateKeys.recordKey(StateKeys.MAP, truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claims a record key of 8");
    }

    @Test
    void aListValueRoundTripsItsElementsInOrder() {
        List<byte[]> elements = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            elements.add(bytes(random.nextInt(30)));
        }
        List<byte[]> back = StateKeys.listElements(StateKeys.listValue(elements));
        assertThat(back).hasSameSizeAs(elements);
        for (int i = 0; i < elements.size(); i++) {
            assertThat(back.get(i)).isEqualTo(elements.get(i));
        }
        assertThat(StateKeys.listElements(StateKeys.listValue(List.of()))).isEmpty();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
