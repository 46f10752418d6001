package io.coldframe.common.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.junit.jupiter.api.Test;

class LoopControlTest {

    private final LoopControl loop = new LoopControl("test", LoopControlTest.class);
    private final AtomicInteger released = new AtomicInteger();

    @Test
    void aStopWakesThePollAndWaitsForTheRelease() throws Exception {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        consumer.subscribe(List.of("t"));
        CountDownLatch polling = new CountDownLatch(1);
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> loop.run(() -> {
            while (loop.running()) {
                polling.countDown();
                consumer.poll(Duration.ofMillis(50));
            }
        }, released::incrementAndGet));
        assertThat(polling.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.alive()).isTrue();

        loop.stop(consumer);

        assertThat(released).hasValue(1);
        assertThat(loop.alive()).isFalse();
        assertThat(loop.stopRequested()).isTrue();
        running.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aLoopThatFailsIsReleasedAndNoLongerAlive() {
        assertThatThrownBy(() -> loop.run(() -> {
            throw new IllegalStateException("broken");
        }, released::incrementAndGet)).isInstanceOf(IllegalStateException.class).hasMessage("broken");

        assertThat(released).hasValue(1);
        assertThat(loop.alive()).isFalse();
        assertThat(loop.stopRequested()).as("it ended by itself").isFalse();
    }

    @Test
    void aStopAfterTheLoopEndedReturnsAtOnceEvenIfTheReleaseFailed() {
        assertThatThrownBy(() -> loop.run(() -> { }, () -> {
            throw new IllegalStateException("close failed");
        })).hasMessage("close failed");

        loop.stop(new MockConsumer<>("earliest"));

        assertThat(loop.stopRequested()).isTrue();
    }

    @Test
    void closeQuietlyKeepsGoingAfterAFailedClose() {
        loop.closeQuietly(() -> {
            throw new java.io.IOException("disk gone");
        });
        loop.closeQuietly(released::incrementAndGet);

        assertThat(released).hasValue(1);
    }
}
