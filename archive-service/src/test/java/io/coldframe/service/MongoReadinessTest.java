package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

class MongoReadinessTest {

    @Test
    void readyWhenThePingIsAnswered() {
        assertThatCode(() -> new MongoReadiness(() -> CompletableFuture.completedFuture("pong")).check(Duration.ofSeconds(1)))
                .doesNotThrowAnyException();
    }

    @Test
    void notReadyWhenThePingFailsSayingWhy() {
        MongoReadiness readiness = new MongoReadiness(() -> CompletableFuture.failedFuture(new IllegalStateException("connection refused")));
        assertThatThrownBy(() -> readiness.check(Duration.ofSeconds(1))).hasMessageContaining("MongoDB").hasMessageContaining("connection refused");
    }

    @Test
    void notReadyWhenThePingIsNotAnsweredInTimeAndThePingIsCancelled() {
        CompletableFuture<Object> unanswered = new CompletableFuture<>();
        MongoReadiness readiness = new MongoReadiness(() -> unanswered);
        assertThatThrownBy(() -> readiness.check(Duration.ofMillis(50))).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("MongoDB did not answer a ping within 50 ms");
        assertThat(unanswered).isCancelled();
    }
}
