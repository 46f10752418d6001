package io.coldframe.streams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.coldframe.schemas.Tier;
import io.coldframe.streams.rules.Rule;
import io.coldframe.streams.rules.RuleSet;
import io.coldframe.streams.rules.RulesLoader;

/**
 * The default tier policy: an ordered rule list, first match wins (see {@code docs/tiering.md}).
 *
 * <p>For one memory, each rule matches on an interval of instants (empty when an attribute condition fails), so the
 * decision only changes at interval boundaries. {@link #decide} walks those boundaries after {@code now} in order
 * and returns the first at which the deciding rule's tier differs: exact, never in the past, and null when no
 * boundary changes the tier.
 */
public final class RuleBasedPolicy implements TierPolicy {

    private final RuleSet rules;
    private final Rule[] ordered;

    public RuleBasedPolicy(RuleSet rules) {
        this.rules = rules;
        this.ordered = rules.rules().toArray(new Rule[0]);
    }

    /** The built-in default rules. */
    public static RuleBasedPolicy defaults() {
        return new RuleBasedPolicy(RulesLoader.defaults());
    }

    public RuleSet rules() {
        return rules;
    }

    @Override
    public MemoryFacts.Fields fields() {
        return rules.fields();
    }

    @Override
    public String fingerprint() {
        return "rules:" + rules.fingerprint();
    }

    @Override
    public TierDecision decide(MemoryFacts memory, Instant now) {
        Windows windows = windows(memory);
        long t = now.toEpochMilli();
        int current = windows.firstAt(t);
        Tier tier = ordered[current].tier();
        long cursor = t;
        while (true) {
            long boundary = windows.nextBoundaryAfter(cursor);
            if (boundary == Long.MIN_VALUE) {
                return new TierDecision(tier, ordered[current].name(), null);
            }
            if (ordered[windows.firstAt(boundary)].tier() != tier) {
                return new TierDecision(tier, ordered[current].name(), Instant.ofEpochMilli(boundary));
            }
            cursor = boundary;
        }
    }

    /** Why each rule does or does not match now, and what the decision is. */
    public Explanation explain(MemoryFacts memory, Instant now) {
        Windows windows = windows(memory);
        String level = rules.levelOf(memory);
        List<RuleOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < ordered.length; i++) {
            boolean ever = windows.start[i] <= windows.end[i];
            outcomes.add(new RuleOutcome(ordered[i], windows.matchesAt(i, now.toEpochMilli()),
                    ordered[i].mismatches(memory, level, now.toEpochMilli()),
                    ever ? instantOrNull(windows.start[i]) : null, ever ? instantOrNull(windows.end[i]) : null, ever));
        }
        TierDecision decision = decide(memory, now);
        Rule next = decision.nextChangeAt() == null ? null : ordered[windows.firstAt(decision.nextChangeAt().toEpochMilli())];
        return new Explanation(level, outcomes, decision, next);
    }

    private Windows windows(MemoryFacts memory) {
        String level = rules.levelOf(memory);
        long[] start = new long[ordered.length];
        long[] end = new long[ordered.length];
        for (int i = 0; i < ordered.length; i++) {
            if (ordered[i].matchesAttributes(memory, level)) {
                start[i] = ordered[i].windowStart(memory);
                end[i] = ordered[i].windowEnd(memory);
            } else {
                start[i] = Long.MAX_VALUE;
                end[i] = Long.MIN_VALUE;
            }
        }
        return new Windows(start, end);
    }

    private static Instant instantOrNull(long epochMs) {
        return epochMs == Long.MIN_VALUE || epochMs == Long.MAX_VALUE ? null : Instant.ofEpochMilli(epochMs);
    }

    /** The interval of instants (epoch ms, inclusive) at which each rule matches one memory; start > end when never. */
    private record Windows(long[] start, long[] end) {

        boolean matchesAt(int rule, long t) {
            return start[rule] <= t && t <= end[rule];
        }

        int firstAt(long t) {
            for (int i = 0; i < start.length; i++) {
                if (matchesAt(i, t)) {
                    return i;
                }
            }
            // Unreachable for a validated rule set: its last rule matches everything at every instant.
            throw new IllegalStateException("no rule matches at " + t + "; the last rule must be a catch-all");
        }

        /** The earliest instant after {@code t} at which some rule starts or stops matching; MIN_VALUE when none. */
        long nextBoundaryAfter(long t) {
            long next = Long.MAX_VALUE;
            boolean found = false;
            for (int i = 0; i < start.length; i++) {
                if (start[i] > end[i]) {
                    continue;
                }
                if (start[i] > t && start[i] <= next) {
                    next = start[i];
                    found = true;
                }
                if (end[i] != Long.MAX_VALUE && end[i] + 1 > t && end[i] + 1 <= next) {
                    next = end[i] + 1;
                    found = true;
                }
            }
            return found ? next : Long.MIN_VALUE;
        }
    }

    /**
     * @param matchesNow  whether the rule's conditions all hold now
     * @param mismatches  why not, one line per failing condition
     * @param from        first instant the rule matches this memory; null when unbounded or never
     * @param until       last instant it matches; null when unbounded or never
     * @param everMatches whether there is any instant at which it matches this memory
     */
    public record RuleOutcome(Rule rule, boolean matchesNow, List<String> mismatches, Instant from, Instant until, boolean everMatches) {
    }

    /**
     * @param level    the importance level the rules saw (a score mapped onto its level)
     * @param nextRule the rule deciding from {@code decision.nextChangeAt()} on; null when the tier never changes
     */
    public record Explanation(String level, List<RuleOutcome> rules, TierDecision decision, Rule nextRule) {
    }
}
