package io.coldframe.common.ops;

import java.time.Duration;

/**
 * One readiness check of a service, e.g. "Kafka answers describeCluster" or "MongoDB answers ping". It returns
 * normally when the dependency works and throws otherwise; it should give up after about {@code timeout}
 * ({@link OpsServer} stops waiting for it then anyway). Exception messages end up in the readiness response, after
 * {@link Secrets#redact(String)}.
 */
@FunctionalInterface
public interface HealthCheck {

    void check(Duration timeout) throws Exception;
}
