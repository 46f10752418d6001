package io.coldframe.service;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.coldframe.common.ops.HealthCheck;

/**
 * The readiness check of the service's MongoDB: a ping, answered within the check's timeout. Without MongoDB the
 * service answers no get (every get looks there first), so an instance that cannot reach it is not ready.
 */
final class MongoReadiness implements HealthCheck {

    private final Supplier<CompletableFuture<?>> ping;

    /** @param ping sends one ping; its future completes with the answer */
    MongoReadiness(Supplier<CompletableFuture<?>> ping) {
        this.ping = ping;
    }

    @Override
    public void check(Duration timeout) throws Exception {
        CompletableFuture<?> answer = ping.get();
        try {
            answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new TimeoutException("MongoDB did not answer a ping within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException("MongoDB did not answer a ping: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
