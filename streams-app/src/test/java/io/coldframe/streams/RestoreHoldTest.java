package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;

class RestoreHoldTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");

    @TempDir
    Path stateDir;

    @Test
    void restoredMemoryStaysOutOfColdUntilItsHoldEndsWithNoNewEvent() {
        Instant holdUntil = START.plus(Duration.ofDays(7));
        RestoreHolds holds = Map.of("\"m1\"", holdUntil)::get;
        try (TieringHarness harness = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START, 1000, 1000, holds)) {
            harness.send(TieringHarness.memory("m1", START.minus(Duration.ofDays(200)), "LOW"));
            harness.send(TieringHarness.memory("m2", START.minus(Duration.ofDays(200)), "LOW"));

            TierChange held = harness.hot.readValue();
            assertThat(held.getMemoryId()).isEqualTo("\"m1\"");
            assertThat(held.getRule()).isEqualTo(TieringProcessor.RESTORED_HOLD);
            assertThat(held.getNextChangeAt()).isEqualTo(holdUntil);
            assertThat(harness.cold.readValue().getMemoryId()).as("not restored: cold at once").isEqualTo("\"m2\"");

            harness.advance(Duration.ofDays(6));
            assertThat(harness.cold.isEmpty()).isTrue();

            harness.advance(Duration.ofDays(1).plusMinutes(1));
            TierChange released = harness.cold.readValue();
            assertThat(released.getMemoryId()).isEqualTo("\"m1\"");
            assertThat(released.getFromTier()).isEqualTo(Tier.HOT);
            assertThat(harness.hot.readKeyValue().value).as("tombstone in hot").isNull();
        }
    }
}
