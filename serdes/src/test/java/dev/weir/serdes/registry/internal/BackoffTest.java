package dev.weir.serdes.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void theCeilingDoublesPerRoundUpToTheCapWithoutOverflow() {
        Backoff almostOne =
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), () -> 0.999999);
        assertThat(almostOne.delay(0)).isBetween(Duration.ofMillis(99), Duration.ofMillis(100));
        assertThat(almostOne.delay(3)).isBetween(Duration.ofMillis(799), Duration.ofMillis(800));
        for (int round = 5; round < 200; round += 7) {
            assertThat(almostOne.delay(round))
                    .isBetween(Duration.ofMillis(1999), Duration.ofSeconds(2));
        }
        Backoff zero = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), () -> 0.0);
        assertThat(zero.delay(4)).isZero();
    }
}
