package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import io.coldframe.schemas.Tier;
import io.coldframe.streams.rules.RuleSet;
import io.coldframe.streams.rules.RulesLoader;

/**
 * Rule evaluation against an independent oracle: random rule lists (written as YAML and loaded like a real file),
 * random memories, random instants. The decision is the oracle's first match, and next-change time is exact: the
 * tier at {@code nextChangeAt} differs, the tier is the same at every instant strictly between now and it, and it
 * is never in the past.
 *
 * <p>Times of the random cases are small (milliseconds), so every instant up to past the last boundary is checked,
 * not just samples; the default rules are checked on day-scale memories at sampled instants.
 */
class RuleEvaluationProperties {

    private static final List<String> LEVELS = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW");
    private static final List<String> TYPES = List.of("PLAN", "ERROR", "BELIEF");
    private static final List<String> TAGS = List.of("a", "b", "c");
    /** Every boundary of the random cases lies before this instant (timestamps, accesses and durations are small). */
    private static final long HORIZON_MS = 6_000;

    // --- the oracle: conditions evaluated from their definitions ---------------------------------------------

    record Bound(String lowerOp, long lower, String upperOp, long upper) {

        boolean contains(long value) {
            boolean lowerOk = lowerOp == null || ("over".equals(lowerOp) ? value > lower : value >= lower);
            boolean upperOk = upperOp == null || ("under".equals(upperOp) ? value < upper : value <= upper);
            return lowerOk && upperOk;
        }

        boolean satisfiable() {
            for (long v = -1; v <= 1_002; v++) {
                if (contains(v)) {
                    return true;
                }
            }
            return false;
        }

        String yaml(String unit) {
            List<String> parts = new ArrayList<>();
            if (lowerOp != null) {
                parts.add(lowerOp + ": " + lower + unit);
            }
            if (upperOp != null) {
                parts.add(upperOp + ": " + upper + unit);
            }
            return "{" + String.join(", ", parts) + "}";
        }
    }

    static final class RuleSpec {
        Tier tier = Tier.HOT;
        Set<String> importance;
        Set<String> types;
        Set<String> tagsAny;
        Bound accessCount;
        Bound size;
        Bound age;
        Bound idle;

        RuleSpec tier(Tier value) { tier = value; return this; }
        RuleSpec importance(Set<String> value) { importance = value; return this; }
        RuleSpec types(Set<String> value) { types = value; return this; }
        RuleSpec tagsAny(Set<String> value) { tagsAny = value; return this; }
        RuleSpec accessCount(Bound value) { accessCount = value; return this; }
        RuleSpec size(Bound value) { size = value; return this; }
        RuleSpec age(Bound value) { age = value; return this; }
        RuleSpec idle(Bound value) { idle = value; return this; }

        boolean hasConditions() {
            return importance != null || types != null || tagsAny != null || accessCount != null || size != null || age != null || idle != null;
        }

        boolean matches(MemoryFacts m, long t) {
            String level = m.importance() != null ? m.importance()
                    : m.importanceScore() >= 0.9 ? "CRITICAL" : m.importanceScore() >= 0.7 ? "HIGH" : m.importanceScore() >= 0.4 ? "MEDIUM" : "LOW";
            long ts = m.timestamp().toEpochMilli();
            long idleFrom = m.lastAccessedAt() != null ? m.lastAccessedAt().toEpochMilli() : ts;
            return (importance == null || importance.contains(level))
                    && (types == null || types.contains(m.type()))
                    && (tagsAny == null || m.tags().stream().anyMatch(tagsAny::contains))
                    && (accessCount == null || accessCount.contains(m.accessCount()))
                    && (size == null || size.contains(m.sizeBytes()))
                    && (age == null || age.contains(t - ts))
                    && (idle == null || idle.contains(t - idleFrom));
        }

        String yaml(String name) {
            List<String> when = new ArrayList<>();
            if (importance != null) {
                when.add("importance: " + importance);
            }
            if (types != null) {
                when.add("type: " + types);
            }
            if (tagsAny != null) {
                when.add("tags_any: " + tagsAny);
            }
            if (accessCount != null) {
                when.add("access_count: " + accessCount.yaml(""));
            }
            if (size != null) {
                when.add("size: " + size.yaml(""));
            }
            if (age != null) {
                when.add("age: " + age.yaml("ms"));
            }
            if (idle != null) {
                when.add("idle: " + idle.yaml("ms"));
            }
            return "  - {name: " + name + ", tier: " + tier + (when.isEmpty() ? "" : ", when: {" + String.join(", ", when) + "}") + "}\n";
        }
    }

    record Case(List<RuleSpec> specs, RuleSet rules) {

        Tier oracleTier(MemoryFacts memory, long t) {
            return specs.get(oracleRule(memory, t)).tier;
        }

        int oracleRule(MemoryFacts memory, long t) {
            for (int i = 0; i < specs.size(); i++) {
                if (specs.get(i).matches(memory, t)) {
                    return i;
                }
            }
            throw new AssertionError("the catch-all must match");
        }

        @Override
        public String toString() {
            return rules.canonical();
        }
    }

    // --- generators ---------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Case> ruleLists() {
        Arbitrary<RuleSpec> conditional = Builders.withBuilder(RuleSpec::new)
                .use(Arbitraries.of(Tier.class)).in(RuleSpec::tier)
                .use(Arbitraries.of(LEVELS).set().ofMinSize(1).ofMaxSize(3)).withProbability(0.3).in(RuleSpec::importance)
                .use(Arbitraries.of(TYPES).set().ofMinSize(1).ofMaxSize(2)).withProbability(0.15).in(RuleSpec::types)
                .use(Arbitraries.of(TAGS).set().ofMinSize(1).ofMaxSize(2)).withProbability(0.15).in(RuleSpec::tagsAny)
                .use(bounds(6)).withProbability(0.2).in(RuleSpec::accessCount)
                .use(bounds(1_000)).withProbability(0.15).in(RuleSpec::size)
                .use(bounds(1_000)).withProbability(0.6).in(RuleSpec::age)
                .use(bounds(1_000)).withProbability(0.4).in(RuleSpec::idle)
                .build()
                .filter(RuleSpec::hasConditions);
        Arbitrary<RuleSpec> catchAll = Arbitraries.of(Tier.class).map(tier -> new RuleSpec().tier(tier));
        return Combinators.combine(conditional.list().ofMaxSize(7), catchAll).as((rules, last) -> {
            List<RuleSpec> specs = new ArrayList<>(rules);
            specs.add(last);
            StringBuilder yaml = new StringBuilder("rules:\n");
            for (int i = 0; i < specs.size(); i++) {
                yaml.append(specs.get(i).yaml("r" + i));
            }
            return new Case(specs, RulesLoader.fromYaml(yaml.toString(), "generated", ""));
        });
    }

    private static Arbitrary<Bound> bounds(long max) {
        Arbitrary<String> lower = Arbitraries.of("over", "at_least").injectNull(0.3);
        Arbitrary<String> upper = Arbitraries.of("under", "at_most").injectNull(0.3);
        Arbitrary<Long> values = Arbitraries.longs().between(0, max);
        return Combinators.combine(lower, values, upper, values)
                .as(Bound::new)
                .filter(b -> (b.lowerOp() != null || b.upperOp() != null) && b.satisfiable());
    }

    @Provide
    Arbitrary<MemoryFacts> smallMemories() {
        Arbitrary<Long> timestamps = Arbitraries.longs().between(0, 1_500);
        Arbitrary<Long> accessOffsets = Arbitraries.longs().between(-300, 1_500).injectNull(0.3);
        Arbitrary<Object> importance = Arbitraries.oneOf(Arbitraries.of(LEVELS).map(l -> (Object) l),
                Arbitraries.doubles().between(0, 1).ofScale(2).map(d -> (Object) d));
        Arbitrary<Set<String>> tags = Arbitraries.of(TAGS).set().ofMaxSize(3);
        return Combinators.combine(timestamps, accessOffsets, Arbitraries.longs().between(0, 6), Arbitraries.integers().between(0, 1_100),
                        importance, Arbitraries.of(TYPES), tags)
                .as((ts, accessOffset, count, size, imp, type, tagSet) -> new MemoryFacts("\"m\"", "agent", type,
                        imp instanceof String level ? level : null, imp instanceof Double score ? score : null,
                        Instant.ofEpochMilli(ts), accessOffset == null ? null : Instant.ofEpochMilli(ts + accessOffset),
                        count, size, List.copyOf(new LinkedHashSet<>(tagSet))));
    }

    // --- properties ---------------------------------------------------------------------------------------------

    @Property(tries = 2000)
    void decisionIsTheFirstMatchingRule(@ForAll("ruleLists") Case rules, @ForAll("smallMemories") MemoryFacts memory,
                                        @ForAll @LongRange(min = -500, max = 4_000) long nowMs) {
        TierDecision decision = new RuleBasedPolicy(rules.rules()).decide(memory, Instant.ofEpochMilli(nowMs));
        int oracle = rules.oracleRule(memory, nowMs);
        assertThat(decision.rule()).isEqualTo("r" + oracle);
        assertThat(decision.tier()).isEqualTo(rules.specs().get(oracle).tier);
    }

    @Property(tries = 2000)
    void nextChangeIsExactAndNeverInThePast(@ForAll("ruleLists") Case rules, @ForAll("smallMemories") MemoryFacts memory,
                                            @ForAll @LongRange(min = -500, max = 4_000) long nowMs) {
        RuleBasedPolicy policy = new RuleBasedPolicy(rules.rules());
        TierDecision decision = policy.decide(memory, Instant.ofEpochMilli(nowMs));
        Instant next = decision.nextChangeAt();
        if (next != null) {
            long nextMs = next.toEpochMilli();
            assertThat(nextMs).as("never in the past, never now").isGreaterThan(nowMs);
            assertThat(rules.oracleTier(memory, nextMs)).as("the tier at nextChangeAt differs").isNotEqualTo(decision.tier());
            assertThat(policy.decide(memory, next).tier()).isNotEqualTo(decision.tier());
            for (long t = nowMs + 1; t < nextMs; t++) {
                assertThat(rules.oracleTier(memory, t)).as("same tier at %d, strictly between %d and %d", t, nowMs, nextMs)
                        .isEqualTo(decision.tier());
            }
        } else {
            for (long t = nowMs + 1; t <= HORIZON_MS; t++) {
                assertThat(rules.oracleTier(memory, t)).as("no next change, yet the tier differs at %d", t).isEqualTo(decision.tier());
            }
            for (long t : new long[] {HORIZON_MS * 1000, Long.MAX_VALUE / 4}) {
                assertThat(policy.decide(memory, Instant.ofEpochMilli(t)).tier()).isEqualTo(decision.tier());
            }
        }
    }

    @Property(tries = 1000)
    void followingNextChangesVisitsEveryTierChangeInOrder(@ForAll("ruleLists") Case rules, @ForAll("smallMemories") MemoryFacts memory,
                                                          @ForAll @LongRange(min = -500, max = 4_000) long nowMs) {
        RuleBasedPolicy policy = new RuleBasedPolicy(rules.rules());
        List<Long> changes = new ArrayList<>();
        TierDecision decision = policy.decide(memory, Instant.ofEpochMilli(nowMs));
        while (decision.nextChangeAt() != null) {
            changes.add(decision.nextChangeAt().toEpochMilli());
            decision = policy.decide(memory, decision.nextChangeAt());
        }
        List<Long> oracle = new ArrayList<>();
        for (long t = nowMs + 1; t <= HORIZON_MS; t++) {
            if (rules.oracleTier(memory, t) != rules.oracleTier(memory, t - 1)) {
                oracle.add(t);
            }
        }
        assertThat(changes).isEqualTo(oracle);
    }

    // --- the shipped defaults on day-scale memories ---------------------------------------------------------------

    @Provide
    Arbitrary<MemoryFacts> realisticMemories() {
        long day = Duration.ofDays(1).toMillis();
        Arbitrary<Long> ages = Arbitraries.longs().between(-day, 400 * day);
        Arbitrary<Long> idleFractions = Arbitraries.longs().between(0, 1000).injectNull(0.3);
        Arbitrary<Object> importance = Arbitraries.oneOf(Arbitraries.of(LEVELS).map(l -> (Object) l),
                Arbitraries.doubles().between(0, 1).map(d -> (Object) d));
        return Combinators.combine(ages, idleFractions, Arbitraries.longs().between(0, 5), Arbitraries.integers().between(100, 40_000), importance)
                .as((age, idleFraction, count, size, imp) -> {
                    long created = NOW_MS - age;
                    Instant lastAccess = idleFraction == null ? null : Instant.ofEpochMilli(created + Math.max(0, age) * idleFraction / 1000);
                    return new MemoryFacts("\"m\"", "agent", "PLAN", imp instanceof String l ? l : null, imp instanceof Double s ? s : null,
                            Instant.ofEpochMilli(created), lastAccess, count, size, List.of());
                });
    }

    private static final long NOW_MS = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();

    @Property(tries = 2000)
    void defaultRulesNextChangeIsExactAtSampledInstants(@ForAll("realisticMemories") MemoryFacts memory,
                                                       @ForAll @LongRange(min = 0, max = 60L * 86_400_000) long offsetMs,
                                                       @ForAll("fractions") List<Double> samples) {
        RuleBasedPolicy policy = RuleBasedPolicy.defaults();
        Instant now = Instant.ofEpochMilli(NOW_MS + offsetMs);
        TierDecision decision = policy.decide(memory, now);
        if (decision.nextChangeAt() == null) {
            for (double sample : samples) {
                Instant later = now.plusMillis(1 + (long) (sample * 1000L * 86_400_000));
                assertThat(policy.decide(memory, later).tier()).isEqualTo(decision.tier());
            }
            return;
        }
        Instant next = decision.nextChangeAt();
        assertThat(next).isAfter(now);
        assertThat(policy.decide(memory, next).tier()).isNotEqualTo(decision.tier());
        long span = next.toEpochMilli() - now.toEpochMilli();
        List<Instant> between = new ArrayList<>(List.of(now.plusMillis(1), next.minusMillis(1)));
        samples.forEach(s -> between.add(now.plusMillis(1 + (long) (s * (span - 1)))));
        for (Instant t : between) {
            if (t.isAfter(now) && t.isBefore(next)) {
                assertThat(policy.decide(memory, t).tier()).as("at %s, between %s and %s", t, now, next).isEqualTo(decision.tier());
                assertThat(policy.decide(memory, t).nextChangeAt()).as("the same next change seen from %s", t).isEqualTo(next);
            }
        }
    }

    @Provide
    Arbitrary<List<Double>> fractions() {
        return Arbitraries.doubles().between(0, 1).list().ofMinSize(5).ofMaxSize(20);
    }
}
