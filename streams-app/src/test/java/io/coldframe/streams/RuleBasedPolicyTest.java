package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.coldframe.schemas.Tier;
import io.coldframe.streams.rules.RulesLoader;

/** The default rules do what a user expects out of the box (issue 4), to the millisecond. */
class RuleBasedPolicyTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);
    private final RuleBasedPolicy policy = RuleBasedPolicy.defaults();

    private TierDecision decide(Memories memory) {
        return policy.decide(memory.facts(), NOW);
    }

    @Test
    void hotUpToSevenDaysThenWarmUpToThirtyThenCold() {
        Instant created = NOW.minus(DAY.multipliedBy(3));
        Memories memory = Memories.createdAt(created).accessed(5, NOW.minus(DAY));

        TierDecision hot = decide(memory);
        assertThat(hot).isEqualTo(new TierDecision(Tier.HOT, "age-hot", created.plus(DAY.multipliedBy(7)).plusMillis(1)));

        TierDecision atSevenDays = policy.decide(memory.facts(), created.plus(DAY.multipliedBy(7)));
        assertThat(atSevenDays.tier()).as("hot <= 7 days is inclusive").isEqualTo(Tier.HOT);

        TierDecision warm = policy.decide(memory.facts(), hot.nextChangeAt());
        assertThat(warm).isEqualTo(new TierDecision(Tier.WARM, "age-warm", created.plus(DAY.multipliedBy(30)).plusMillis(1)));

        TierDecision cold = policy.decide(memory.facts(), warm.nextChangeAt());
        assertThat(cold).isEqualTo(new TierDecision(Tier.COLD, "age-cold", null));
    }

    @Test
    void criticalIsNeverCold() {
        Memories memory = Memories.aged(NOW, DAY.multipliedBy(2)).importance("CRITICAL");
        TierDecision hot = decide(memory);
        assertThat(hot.tier()).isEqualTo(Tier.HOT);
        assertThat(hot.rule()).isEqualTo("critical-hot");

        TierDecision warm = policy.decide(memory.facts(), hot.nextChangeAt());
        assertThat(warm).isEqualTo(new TierDecision(Tier.WARM, "critical-never-cold", null));
        assertThat(policy.decide(memory.facts(), NOW.plus(DAY.multipliedBy(5000))).tier()).isEqualTo(Tier.WARM);
        // even when large and never read
        assertThat(policy.decide(memory.size(50_000).facts(), NOW.plus(DAY.multipliedBy(400))).tier()).isEqualTo(Tier.WARM);
    }

    @Test
    void lowGoesColdAfterSevenDays() {
        Instant created = NOW.minus(DAY.multipliedBy(2));
        Memories memory = Memories.createdAt(created).importance("LOW").accessed(50, NOW);
        TierDecision hot = decide(memory);
        assertThat(hot).isEqualTo(new TierDecision(Tier.HOT, "age-hot", created.plus(DAY.multipliedBy(7)).plusMillis(1)));
        assertThat(policy.decide(memory.facts(), hot.nextChangeAt())).isEqualTo(new TierDecision(Tier.COLD, "low-cold-after-7d", null));
    }

    @Test
    void rarelyReadMemoriesIdleForThirtyDaysAreColdByTheIdleRule() {
        Memories once = Memories.aged(NOW, DAY.multipliedBy(45)).accessed(1, NOW.minus(DAY.multipliedBy(31)));
        assertThat(decide(once)).isEqualTo(new TierDecision(Tier.COLD, "idle-cold", null));

        Memories often = Memories.aged(NOW, DAY.multipliedBy(45)).accessed(2, NOW.minus(DAY.multipliedBy(31)));
        assertThat(decide(often)).isEqualTo(new TierDecision(Tier.COLD, "age-cold", null));
    }

    @Test
    void largeRarelyReadDocumentsGoColdSooner() {
        Instant created = NOW.minus(DAY.multipliedBy(8));
        Memories large = Memories.createdAt(created).size(10 * 1024 + 1);
        assertThat(decide(large)).as("over 10 KB, never read, 8 days old")
                .isEqualTo(new TierDecision(Tier.COLD, "large-rarely-accessed", null));
        assertThat(decide(large.size(10 * 1024)).tier()).as("exactly 10 KB is not over").isEqualTo(Tier.WARM);

        Instant lastRead = NOW.minus(DAY.multipliedBy(2));
        Memories readOnce = large.accessed(1, lastRead);
        TierDecision warm = decide(readOnce);
        assertThat(warm).as("a read 2 days ago keeps it warm for 7 days after that read")
                .isEqualTo(new TierDecision(Tier.WARM, "age-warm", lastRead.plus(DAY.multipliedBy(7)).plusMillis(1)));
        assertThat(policy.decide(readOnce.facts(), warm.nextChangeAt()))
                .isEqualTo(new TierDecision(Tier.COLD, "large-rarely-accessed", null));

        assertThat(decide(large.accessed(2, NOW.minus(DAY.multipliedBy(8)))).tier()).as("read twice").isEqualTo(Tier.WARM);
    }

    @Test
    void scoresAreMappedOntoLevels() {
        Memories memory = Memories.aged(NOW, DAY.multipliedBy(100));
        assertThat(decide(memory.score(0.95))).isEqualTo(new TierDecision(Tier.WARM, "critical-never-cold", null));
        assertThat(decide(memory.score(0.9)).rule()).isEqualTo("critical-never-cold");
        assertThat(decide(memory.score(0.89)).tier()).isEqualTo(Tier.COLD);
        Memories week = Memories.aged(NOW, DAY.multipliedBy(8)).accessed(9, NOW);
        assertThat(decide(week.score(0.1)).rule()).as("score 0.1 is LOW").isEqualTo("low-cold-after-7d");
        assertThat(decide(week.score(0.5)).rule()).isEqualTo("age-warm");
    }

    @Test
    void overridesChangeTheDefaults() {
        RuleBasedPolicy shorter = new RuleBasedPolicy(RulesLoader.defaults("age-hot.age.at_most=1d; critical-hot.age.at_most=1d"));
        Instant created = NOW.minus(DAY.multipliedBy(2));
        assertThat(shorter.decide(Memories.createdAt(created).facts(), NOW).tier()).isEqualTo(Tier.WARM);
        assertThat(shorter.fingerprint()).isNotEqualTo(policy.fingerprint());
    }

    @Test
    void futureTimestampsAreHotUntilTheyAge() {
        Instant created = NOW.plus(DAY);
        TierDecision decision = decide(Memories.createdAt(created));
        assertThat(decision).isEqualTo(new TierDecision(Tier.HOT, "age-hot", created.plus(DAY.multipliedBy(7)).plusMillis(1)));
    }
}
