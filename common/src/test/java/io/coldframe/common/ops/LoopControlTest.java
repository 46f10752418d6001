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
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

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

    /** A hot-cache loop once ended in a full test run with only "ended without being asked to stop" in the log. */
    @Test
    void aLoopThatEndsByItselfLogsWhatEndedIt() {
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Logger logger = (Logger) LoggerFactory.getLogger(LoopControlTest.class);
        logger.addAppender(events);
        try {
            assertThatThrownBy(() -> loop.run(() -> {
                throw new IllegalStateException("broken");
            }, released::incrementAndGet)).hasMessage("broken");
            new LoopControl("interrupted", LoopControlTest.class).run(() -> {
                throw new InterruptedException("asked to give up");
            }, released::incrementAndGet);
            Thread.interrupted(); // run restored the flag; the test thread goes on
        } finally {
            logger.detachAppender(events);
        }

        assertThat(events.list).extracting(e -> e.getThrowableProxy() == null ? null : e.getThrowableProxy().getMessage())
                .containsExactly("broken", "asked to give up");
        assertThat(events.list).allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.ERROR));
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
