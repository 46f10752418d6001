package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {

    private Instant now = Instant.parse("2026-12-02T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void replacesAThreadUntilTheBudgetIsSpentThenStopsTheClient() {
        StreamThreadFailures failures = new StreamThreadFailures(3, Duration.ofMinutes(10), clock);
        RuntimeException failure = new IllegalStateException("source topic deleted");

        for (int i = 0; i < 3; i++) {
            assertThat(failures.handle(failure)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            now = now.plusSeconds(1);
        }
        assertThat(failures.handle(failure)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        StreamThreadFailures failures = new StreamThreadFailures(2, Duration.ofMinutes(10), clock);
        RuntimeException failure = new IllegalStateException("broker restarted");

        assertThat(failures.handle(failure)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(failures.handle(failure)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        now = now.plus(Duration.ofMinutes(10));
        assertThat(failures.handle(failure)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(failures.handle(failure)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(failures.handle(failure)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void aBudgetOfZeroStopsAtTheFirstFailure() {
        StreamThreadFailures failures = new StreamThreadFailures(0, Duration.ofMinutes(10), clock);

        assertThat(failures.handle(new IllegalStateException("x"))).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
}
