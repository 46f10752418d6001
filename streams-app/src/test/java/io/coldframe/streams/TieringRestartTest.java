package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;
import io.coldframe.schemas.internal.TieringState;
import io.coldframe.streams.rules.RulesLoader;

/** State and the due index live in RocksDB and survive a stop and a start; so does the policy fingerprint. */
class TieringRestartTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    @Test
    void memoriesChangeTierOnTimeAfterARestartWithNoNewEvent(@TempDir Path stateDir) {
        try (TieringHarness first = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START)) {
            first.send(TieringHarness.memory("m1", START.minus(DAY.multipliedBy(6)), "MEDIUM"));   // hot until START+1d
            first.send(TieringHarness.memory("m2", START.minus(DAY.multipliedBy(90)), "LOW"));     // cold for good
            first.send(TieringHarness.memory("m3", START.minus(DAY), "CRITICAL"));                 // hot until START+6d
            first.send(TieringHarness.memory("m4", START.minus(DAY), "HIGH"));
            first.delete("m4");
            assertThat(first.hot.readValuesToList()).hasSize(4); // m1, m3, m4, then m4's tombstone
            assertThat(first.cold.readValuesToList()).hasSize(1);
            assertThat(first.dueIndexSize()).isEqualTo(2);
        }

        try (TieringHarness second = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START.plus(DAY.multipliedBy(2)))) {
            assertThat(second.memories().get("\"m1\"").getTier()).isEqualTo(Tier.HOT);
            assertThat(second.memories().get("\"m2\"").getTier()).isEqualTo(Tier.COLD);
            assertThat(second.memories().get("\"m4\"")).as("deleted before the restart").isNull();
            assertThat(second.dueIndexSize()).as("the due index survived").isEqualTo(2);

            second.advance(Duration.ofSeconds(10));
            assertThat(second.hot.readKeyValuesToList()).containsExactly(new KeyValue<>("\"m1\"", null));
            TierChange m1 = second.warm.readValue();
            assertThat(m1.getMemoryId()).isEqualTo("\"m1\"");
            assertThat(m1.getFromTier()).isEqualTo(Tier.HOT);
            assertThat(m1.getRule()).isEqualTo("age-warm");
            assertThat(m1.getChangedAt()).isEqualTo(START.plus(DAY.multipliedBy(2)).plusSeconds(10));
            assertThat(second.warm.isEmpty()).isTrue();
            assertThat(second.cold.isEmpty()).as("m2 is not emitted again").isTrue();

            second.advance(DAY.multipliedBy(5));
            TierChange m3 = second.warm.readValue();
            assertThat(m3.getMemoryId()).isEqualTo("\"m3\"");
            assertThat(m3.getRule()).isEqualTo("critical-never-cold");
            assertThat(m3.getNextChangeAt()).isNull();
            assertThat(second.metrics.memories(Tier.HOT)).isZero();
            assertThat(second.metrics.memories(Tier.WARM)).isEqualTo(2);
            assertThat(second.metrics.memories(Tier.COLD)).isEqualTo(1);
        }

        try (TieringHarness third = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START.plus(DAY.multipliedBy(31)))) {
            third.advance(Duration.ofSeconds(10));
            assertThat(third.cold.readValue().getMemoryId()).as("m1 turned cold while the instance was down").isEqualTo("\"m1\"");
            assertThat(third.warm.readKeyValuesToList()).containsExactly(new KeyValue<>("\"m1\"", null));
            assertThat(third.dueIndexSize()).isZero();
        }
    }

    @Test
    void changedRulesReEvaluateStoredMemoriesThatAreNotDue(@TempDir Path stateDir) {
        try (TieringHarness first = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START)) {
            first.send(TieringHarness.memory("m1", START.minus(DAY.multipliedBy(10)), "MEDIUM"));   // warm until day 30
            first.send(TieringHarness.memory("m2", START.minus(DAY.multipliedBy(100)), "CRITICAL")); // warm for good
            first.send(TieringHarness.memory("m3", START.minus(DAY.multipliedBy(1)), "HIGH"));       // hot
            assertThat(first.warm.readValuesToList()).hasSize(2);
            first.advance(Duration.ofSeconds(10));
        }

        RuleBasedPolicy stricter = new RuleBasedPolicy(RulesLoader.defaults("age-warm.age.at_most=9d; critical-never-cold.tier=COLD"));
        try (TieringHarness second = TieringHarness.open(stateDir, stricter, START.plus(Duration.ofMinutes(1)), 1, 1000)) {
            second.advance(Duration.ofSeconds(10));
            second.advance(Duration.ofSeconds(10));
            second.advance(Duration.ofSeconds(10)); // budget 1 per punctuation: three punctuations for three memories
            assertThat(second.cold.readValuesToList()).extracting(TierChange::getMemoryId, TierChange::getRule, TierChange::getFromTier)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("\"m1\"", "age-cold", Tier.WARM),
                            org.assertj.core.groups.Tuple.tuple("\"m2\"", "critical-never-cold", Tier.WARM));
            assertThat(second.warm.readKeyValuesToList()).extracting(kv -> kv.key, kv -> kv.value)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("\"m1\"", null), org.assertj.core.groups.Tuple.tuple("\"m2\"", null));
            assertThat(second.hot.isEmpty()).as("m3 stays hot; nothing re-emitted").isTrue();
            assertThat(second.metrics.memories(Tier.COLD)).isEqualTo(2);
            assertThat(second.metrics.memories(Tier.HOT)).isEqualTo(1);
        }

        try (TieringHarness third = TieringHarness.open(stateDir, stricter, START.plus(Duration.ofMinutes(2)), 1, 1000)) {
            third.advance(Duration.ofSeconds(10));
            third.advance(Duration.ofSeconds(10));
            third.advance(Duration.ofSeconds(10));
            assertThat(third.cold.isEmpty()).as("same rules: nothing to re-evaluate").isTrue();
            assertThat(third.warm.isEmpty()).isTrue();
            assertThat(third.metrics.punctuationMemories()).isZero();
            assertThat(third.metrics.memories(Tier.COLD)).isEqualTo(2);
        }
    }

    @Test
    void changedRulesThatWouldNotMakeAMemoryColdLeaveAColdOneCold(@TempDir Path stateDir) {
        try (TieringHarness first = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START)) {
            first.send(TieringHarness.memory("m1", START.minus(DAY.multipliedBy(90)), "LOW"));
            assertThat(first.cold.readValuesToList()).hasSize(1);
        }

        RuleBasedPolicy keepsLowWarm = new RuleBasedPolicy(RulesLoader.defaults("low-cold-after-7d.tier=WARM; age-cold.tier=WARM"));
        try (TieringHarness second = TieringHarness.open(stateDir, keepsLowWarm, START.plus(Duration.ofMinutes(1)))) {
            second.advance(Duration.ofSeconds(10));
            assertThat(second.warm.isEmpty()).as("its cold record already went to the archivers").isTrue();
            assertThat(second.cold.isEmpty()).isTrue();
            assertThat(second.metrics.memories(Tier.COLD)).isEqualTo(1);
            assertThat(second.memories().get("\"m1\"").getTier()).isEqualTo(Tier.COLD);
        }
    }

    @Test
    void aColdStateFiledWithANextChangeByAnEarlierVersionLeavesTheDueIndexAndItsDocumentAtItsFirstVisit(@TempDir Path stateDir) {
        try (TieringHarness harness = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START)) {
            org.bson.BsonDocument document = TieringHarness.memory("m1", START.minus(DAY.multipliedBy(90)), "LOW");
            harness.send(document);
            TierChange cold = harness.cold.readValue();
            Instant due = START.plusSeconds(5);
            io.coldframe.schemas.MemoryRecord asBefore = io.coldframe.schemas.MemoryRecord.newBuilder(cold.getMemory())
                    .setDocument(io.coldframe.common.MemoryDocuments.toCanonicalJson(document)).setDocumentBson(null).build();
            harness.memories().put("\"m1\"", new TieringState(asBefore, Tier.COLD, cold.getRule(), due));
            new DueIndex(harness.driver.getKeyValueStore(TieringTopology.DUE_INDEX_STORE)).add(due, "\"m1\"");

            harness.advance(Duration.ofSeconds(10));

            TieringState state = harness.memories().get("\"m1\"");
            assertThat(state.getTier()).isEqualTo(Tier.COLD);
            assertThat(state.getNextChangeAt()).isNull();
            assertThat(state.getMemory().getDocument()).isEmpty();
            assertThat(state.getMemory().getDocumentBson()).isNull();
            assertThat(harness.dueIndexSize()).isZero();
            assertThat(harness.cold.isEmpty()).isTrue();
        }
    }
}
