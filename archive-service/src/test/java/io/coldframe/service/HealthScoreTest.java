package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.coldframe.service.HealthInputs.StageLag;

class HealthScoreTest {

    private static HealthInputs healthy() {
        return new HealthInputs(List.of(new StageLag("archiver", "coldframe-archiver", "coldframe.tier.cold", 20, 1, 4)), 0, 1_000, 0,
                Duration.ZERO, 0, 0, Map.of("mongodb", 3.0, "archive", 40.0), Map.of());
    }

    private static HealthInputs with(HealthInputs in, List<StageLag> lags, long deadLetters, long changes, Duration purgeWait,
                                     long verifyFailures, Map<String, Double> p95, Map<String, String> unreachable) {
        return new HealthInputs(lags, deadLetters, changes, in.purgeBacklog(), purgeWait, verifyFailures, in.scrubFailures(), p95, unreachable);
    }

    @Test
    void aHealthyPipelineScores100WithNoRecommendations() {
        HealthScore health = HealthScore.of(healthy());
        assertThat(health.score()).isEqualTo(100);
        assertThat(health.recommendations()).isEmpty();
        assertThat(health.signals()).extracting(HealthScore.Signal::recommendation).containsOnlyNulls();
        assertThat(health.signals()).extracting(HealthScore.Signal::name).contains("mongodb_reachable", "kafka_reachable",
                "object_store_reachable", "lag_archiver", "dead_letter_rate", "purge_backlog", "verification_failures", "scrub_failures",
                "get_p95_mongodb", "get_p95_archive");
    }

    @Test
    void archiverLagPastItsThresholdAsksForWorkersBoundedByThePartitions() {
        HealthInputs in = healthy();
        HealthScore health = HealthScore.of(with(in, List.of(new StageLag("archiver", "coldframe-archiver", "coldframe.tier.cold", 120_000, 4, 4)),
                0, 1_000, Duration.ZERO, 0, in.getP95MsByTier(), Map.of()));
        assertThat(health.score()).isEqualTo(100 - HealthScore.LAG_PENALTY);
        assertThat(health.recommendations()).containsExactly("lag 120k on 4 partitions: add archiver workers, at most 4");
    }

    @Test
    void lagAtTheThresholdIsStillHealthy() {
        HealthInputs in = healthy();
        HealthScore health = HealthScore.of(with(in, List.of(new StageLag("tiering", "coldframe-tiering", "coldframe.changes",
                HealthScore.LAG_RECORDS, 2, 4)), 0, 1_000, Duration.ZERO, 0, in.getP95MsByTier(), Map.of()));
        assertThat(health.score()).isEqualTo(100);
    }

    @Test
    void deadLettersAboveOnePercentOfChangesCost15() {
        HealthInputs in = healthy();
        assertThat(HealthScore.of(with(in, in.lags(), 10, 1_000, Duration.ZERO, 0, in.getP95MsByTier(), Map.of())).score()).isEqualTo(100);
        HealthScore health = HealthScore.of(with(in, in.lags(), 40, 1_000, Duration.ZERO, 0, in.getP95MsByTier(), Map.of()));
        assertThat(health.score()).isEqualTo(85);
        assertThat(health.recommendations()).singleElement().asString().startsWith("dead letters 4% of changes in the last hour (40)");
    }

    @Test
    void deadLettersWithNoChangesAtAllAreAProblem() {
        HealthInputs in = healthy();
        assertThat(HealthScore.of(with(in, in.lags(), 3, 0, Duration.ZERO, 0, in.getP95MsByTier(), Map.of())).score()).isEqualTo(85);
    }

    @Test
    void anOldPurgeBacklogVerificationFailuresAndSlowArchiveGetsAddUp() {
        HealthInputs in = healthy();
        HealthScore health = HealthScore.of(with(in, in.lags(), 0, 1_000, Duration.ofMinutes(40), 2,
                Map.of("mongodb", 3.0, "archive", 2_300.0), Map.of()));
        assertThat(health.score()).isEqualTo(100 - HealthScore.PURGE_PENALTY - HealthScore.VERIFY_PENALTY - HealthScore.LATENCY_PENALTY);
        assertThat(health.recommendations()).anySatisfy(r -> assertThat(r).contains("oldest 40 min"))
                .anySatisfy(r -> assertThat(r).startsWith("2 segment verifications failed"))
                .anySatisfy(r -> assertThat(r).startsWith("get p95 2.3 s from archive (threshold 2 s)"));
    }

    @Test
    void nothingReachableScoresZeroAndNamesEachComponentWithItsReason() {
        HealthInputs in = healthy();
        HealthScore health = HealthScore.of(with(in, in.lags(), 0, 1_000, Duration.ZERO, 0, in.getP95MsByTier(),
                Map.of("mongodb", "timed out after 3 s", "kafka", "timed out after 3 s", "object_store", "no such bucket")));
        assertThat(health.score()).isZero();
        assertThat(health.recommendations()).hasSize(3).anySatisfy(r -> assertThat(r).startsWith("MongoDB unreachable (timed out after 3 s)"))
                .anySatisfy(r -> assertThat(r).startsWith("object store unreachable (no such bucket)"));
    }

    @Test
    void compactNumbers() {
        assertThat(HealthScore.compact(999)).isEqualTo("999");
        assertThat(HealthScore.compact(120_000)).isEqualTo("120k");
        assertThat(HealthScore.compact(12_345)).isEqualTo("12.3k");
        assertThat(HealthScore.compact(3_400_000)).isEqualTo("3.4M");
    }
}
