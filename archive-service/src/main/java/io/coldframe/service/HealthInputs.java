package io.coldframe.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the health score is computed from, as measured by {@link HealthProbe}: consumer lag per stage, dead letters
 * against changes in the last hour, the purge backlog and its age, verification and scrub failures, get latency p95
 * per tier, and which of MongoDB, Kafka and the object store did not answer (with why).
 */
record HealthInputs(List<StageLag> lags, long deadLettersLastHour, long changesLastHour, long purgeBacklog, Duration oldestPurgeWait,
                    long verifyFailures, long scrubFailures, Map<String, Double> getP95MsByTier, Map<String, String> unreachable) {

    /** One consuming stage: its group, input topic, records not committed yet and on how many of its partitions. */
    record StageLag(String stage, String group, String topic, long lag, int partitionsLagging, int partitions) {
    }

    HealthInputs {
        lags = List.copyOf(lags);
        getP95MsByTier = Map.copyOf(getP95MsByTier);
        unreachable = Map.copyOf(unreachable);
    }
}
