package dev.weir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.Record;
import dev.weir.StreamElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A {@link ChannelWriter} over a real {@link Channel}, with a receiver on another thread. */
@Timeout(30)
class ChannelWriterTest {
    private static final Duration RECEIVER_DELAY = Duration.ofMillis(300);

    @Test
    void batchesArriveInOrderAndAWriterWithRoomNeverCountsAWait() {
        Channel channel = new Channel(4, new Wakeup());
        ChannelWriter writer = new ChannelWriter(channel, 2, () -> false);

        for (int i = 0; i < 5; i++) {
            writer.add(rec(i));
        }
        writer.flush();

        assertThat(drain(channel)).containsExactly(rec(0), rec(1), rec(2), rec(3), rec(4));
        assertThat(writer.blockedNanos()).isZero();
    }

    @Test
    void timeWaitingForRoomInAFullChannelIsCounted() throws Exception {
        Channel channel = new Channel(1, new Wakeup());
        ChannelWriter writer = new ChannelWriter(channel, 1, () -> false);
        writer.add(rec(0));
        CompletableFuture<List<StreamElement>> received =
                CompletableFuture.supplyAsync(
                        () -> {
                            sleep(RECEIVER_DELAY);
                            List<StreamElement> out = new ArrayList<>(drain(channel));
                            while (out.size() < 2) {
                                out.addAll(drain(channel));
                            }
                            return out;
                        });

        writer.add(rec(1));

        assertThat(received.get(10, TimeUnit.SECONDS)).containsExactly(rec(0), rec(1));
        assertThat(Duration.ofNanos(writer.blockedNanos()))
                .isGreaterThanOrEqualTo(RECEIVER_DELAY.dividedBy(2));
    }

    private static Record<Object, Object> rec(int i) {
        return Record.of("k" + i, i, i);
    }

    private static List<StreamElement> drain(Channel channel) {
        List<StreamElement> out = new ArrayList<>();
        for (StreamElement[] batch; (batch = channel.poll()) != null; ) {
            out.addAll(List.of(batch));
        }
        return out;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
