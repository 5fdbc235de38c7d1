package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.config.WeirConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which transactional ids are a job's (docs/exactly-once.md, recovery). */
class TransactionalIdsTest {

    @Test
    void thePoolIsThePrefixAndEachSlot() {
        TransactionalIds ids = ids("orders", Map.of("sink.producer-pool-size", "3"));

        assertThat(ids.pool()).containsExactly("orders-0", "orders-1", "orders-2");
    }

    @Test
    void anIdIsTheJobsOnlyIfItIsThePrefixAndADigitSlot() {
        TransactionalIds ids = ids("orders", Map.of());

        assertThat(ids.isJobs("orders-0")).isTrue();
        assertThat(ids.isJobs("orders-15")).isTrue();
        assertThat(ids.isJobs("orders-eu-0")).as("job orders-eu's slot 0").isFalse();
        assertThat(ids.isJobs("ordersx-0")).isFalse();
        assertThat(ids.isJobs("orders-")).isFalse();
        assertThat(ids.isJobs("orders-0-1")).isFalse();
        assertThat(ids.isJobs("x-orders-0")).isFalse();
    }

    @Test
    void withACustomPrefixTheIdsNamedAfterTheJobAreTheJobsToo() {
        TransactionalIds ids = ids("orders", Map.of("sink.transactional-id-prefix", "ord.v2"));

        assertThat(ids.pool()).containsExactly("ord.v2-0", "ord.v2-1");
        assertThat(ids.isJobs("ord.v2-3")).isTrue();
        assertThat(ids.isJobs("orders-1")).as("an id of the default prefix").isTrue();
        assertThat(ids.isJobs("ordXv2-0")).as("the prefix is matched literally").isFalse();
    }

    private static TransactionalIds ids(String job, Map<String, String> config) {
        return TransactionalIds.of(job, WeirConfig.of(config));
    }
}
