package io.coldframe.streams.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;

import io.coldframe.schemas.Tier;
import io.coldframe.streams.MemoryFacts;

/**
 * One tiering rule: a name, conditions that must all hold, and the tier a matching memory gets.
 *
 * <p>Conditions on the memory's attributes (importance, type, agent, tags, access count, size) do not change with
 * time. The two time conditions, {@code age} (now minus the timestamp field) and {@code idle} (now minus the last
 * access, or the timestamp when never accessed), each hold on an interval of instants, so the instants at which
 * a rule matches a memory form one interval, {@link #windowStart}..{@link #windowEnd}.
 */
public final class Rule {

    private final String name;
    private final Tier tier;
    private final Set<String> importance;
    private final ScoreBounds importanceScore;
    private final Set<String> types;
    private final List<String> agents;
    private final Pattern agentPattern;
    private final Set<String> tagsAny;
    private final Set<String> tagsAll;
    private final Bounds accessCount;
    private final Bounds size;
    private final Bounds age;
    private final Bounds idle;

    @SuppressWarnings("checkstyle:ParameterNumber")
    Rule(String name, Tier tier, Set<String> importance, ScoreBounds importanceScore, Set<String> types, List<String> agents,
         Set<String> tagsAny, Set<String> tagsAll, Bounds accessCount, Bounds size, Bounds age, Bounds idle) {
        this.name = name;
        this.tier = tier;
        this.importance = importance;
        this.importanceScore = importanceScore;
        this.types = types;
        this.agents = agents;
        this.agentPattern = agents == null ? null : agentPattern(agents);
        this.tagsAny = tagsAny;
        this.tagsAll = tagsAll;
        this.accessCount = accessCount;
        this.size = size;
        this.age = age;
        this.idle = idle;
    }

    public String name() {
        return name;
    }

    public Tier tier() {
        return tier;
    }

    /** A rule without conditions matches every memory at every instant. */
    public boolean isCatchAll() {
        return importance == null && importanceScore == null && types == null && agents == null && tagsAny == null
                && tagsAll == null && accessCount == null && size == null && age == null && idle == null;
    }

    boolean usesTags() {
        return tagsAny != null || tagsAll != null;
    }

    /** Whether the conditions that do not depend on time hold; {@code level} is the memory's importance level, scores mapped. */
    public boolean matchesAttributes(MemoryFacts memory, String level) {
        if (importance != null && (level == null || !importance.contains(level))) {
            return false;
        }
        if (importanceScore != null && (memory.importanceScore() == null || !importanceScore.contains(memory.importanceScore()))) {
            return false;
        }
        if (types != null && (memory.type() == null || !types.contains(memory.type().toUpperCase(Locale.ROOT)))) {
            return false;
        }
        if (agentPattern != null && (memory.agent() == null || !agentPattern.matcher(memory.agent()).matches())) {
            return false;
        }
        if (tagsAny != null && memory.tags().stream().noneMatch(tagsAny::contains)) {
            return false;
        }
        if (tagsAll != null && !memory.tags().containsAll(tagsAll)) {
            return false;
        }
        if (accessCount != null && !accessCount.contains(memory.accessCount())) {
            return false;
        }
        return size == null || size.contains(memory.sizeBytes());
    }

    /** First instant (epoch ms, inclusive) at which the time conditions hold; {@link Long#MIN_VALUE} when unbounded. */
    public long windowStart(MemoryFacts memory) {
        long start = Long.MIN_VALUE;
        if (age != null) {
            start = Math.max(start, Bounds.saturatedAdd(memory.timestamp().toEpochMilli(), age.min()));
        }
        if (idle != null) {
            start = Math.max(start, Bounds.saturatedAdd(memory.idleSince().toEpochMilli(), idle.min()));
        }
        return start;
    }

    /** Last instant (epoch ms, inclusive) at which the time conditions hold; {@link Long#MAX_VALUE} when unbounded. */
    public long windowEnd(MemoryFacts memory) {
        long end = Long.MAX_VALUE;
        if (age != null) {
            end = Math.min(end, Bounds.saturatedAdd(memory.timestamp().toEpochMilli(), age.max()));
        }
        if (idle != null) {
            end = Math.min(end, Bounds.saturatedAdd(memory.idleSince().toEpochMilli(), idle.max()));
        }
        return end;
    }

    /** Why this rule does not match at {@code nowMs}, one line per failing condition; empty when it matches. */
    public List<String> mismatches(MemoryFacts memory, String level, long nowMs) {
        List<String> reasons = new ArrayList<>();
        if (importance != null && (level == null || !importance.contains(level))) {
            String actual = memory.importance() != null ? memory.importance()
                    : memory.importanceScore() != null ? "score " + memory.importanceScore() + " (level " + level + ")" : "missing";
            reasons.add("importance " + actual + " is not " + oneOf(importance));
        }
        if (importanceScore != null) {
            if (memory.importanceScore() == null) {
                reasons.add("importance is a level, not a score; importance_score needs a score");
            } else if (!importanceScore.contains(memory.importanceScore())) {
                reasons.add("importance score " + memory.importanceScore() + " is not " + importanceScore.describe());
            }
        }
        if (types != null && (memory.type() == null || !types.contains(memory.type().toUpperCase(Locale.ROOT)))) {
            reasons.add("type " + (memory.type() == null ? "is missing, needs" : memory.type() + " is not") + " " + oneOf(types));
        }
        if (agentPattern != null && (memory.agent() == null || !agentPattern.matcher(memory.agent()).matches())) {
            reasons.add("agent " + (memory.agent() == null ? "is missing, needs" : memory.agent() + " is not") + " " + oneOf(agents));
        }
        if (tagsAny != null && memory.tags().stream().noneMatch(tagsAny::contains)) {
            reasons.add("tags " + memory.tags() + " have none of " + tagsAny);
        }
        if (tagsAll != null && !memory.tags().containsAll(tagsAll)) {
            reasons.add("tags " + memory.tags() + " lack some of " + tagsAll);
        }
        if (accessCount != null && !accessCount.contains(memory.accessCount())) {
            reasons.add("access count " + memory.accessCount() + " is not " + accessCount.describe(Long::toString));
        }
        if (size != null && !size.contains(memory.sizeBytes())) {
            reasons.add("size " + memory.sizeBytes() + " bytes is not " + size.describe(Units::formatSize));
        }
        if (age != null) {
            long memoryAge = nowMs - memory.timestamp().toEpochMilli();
            if (!age.contains(memoryAge)) {
                reasons.add("age " + Units.formatDuration(memoryAge) + " is not " + age.describe(Units::canonicalDuration));
            }
        }
        if (idle != null) {
            long memoryIdle = nowMs - memory.idleSince().toEpochMilli();
            if (!idle.contains(memoryIdle)) {
                reasons.add("idle " + Units.formatDuration(memoryIdle) + (memory.lastAccessedAt() == null ? " (never accessed)" : "")
                        + " is not " + idle.describe(Units::canonicalDuration));
            }
        }
        if (reasons.isEmpty() && windowStart(memory) > windowEnd(memory)) {
            reasons.add("age and idle conditions never hold together for this memory");
        }
        return reasons;
    }

    /** The rule in rules-file form on one line; equal rules give equal text (the policy fingerprint hashes it). */
    public String canonical() {
        StringJoiner when = new StringJoiner(", ", "{", "}");
        if (importance != null) {
            when.add("importance: " + sorted(importance));
        }
        if (importanceScore != null) {
            when.add("importance_score: " + importanceScore.canonical());
        }
        if (types != null) {
            when.add("type: " + sorted(types));
        }
        if (agents != null) {
            when.add("agent: " + agents);
        }
        if (tagsAny != null) {
            when.add("tags_any: " + sorted(tagsAny));
        }
        if (tagsAll != null) {
            when.add("tags_all: " + sorted(tagsAll));
        }
        if (accessCount != null) {
            when.add("access_count: " + accessCount.canonical(Long::toString));
        }
        if (size != null) {
            when.add("size: " + size.canonical(Long::toString));
        }
        if (age != null) {
            when.add("age: " + age.canonical(Units::canonicalDuration));
        }
        if (idle != null) {
            when.add("idle: " + idle.canonical(Units::canonicalDuration));
        }
        return "{name: " + name + ", tier: " + tier + (isCatchAll() ? "" : ", when: " + when) + "}";
    }

    /** A readable one-liner: {@code importance LOW and age over 7d -> COLD}. */
    public String describe() {
        StringJoiner when = new StringJoiner(" and ");
        if (importance != null) {
            when.add("importance " + oneOf(importance));
        }
        if (importanceScore != null) {
            when.add("importance score " + importanceScore.describe());
        }
        if (types != null) {
            when.add("type " + oneOf(types));
        }
        if (agents != null) {
            when.add("agent " + oneOf(agents));
        }
        if (tagsAny != null) {
            when.add("any tag of " + sorted(tagsAny));
        }
        if (tagsAll != null) {
            when.add("all tags of " + sorted(tagsAll));
        }
        if (accessCount != null) {
            when.add("access count " + accessCount.describe(Long::toString));
        }
        if (size != null) {
            when.add("size " + size.describe(Units::formatSize));
        }
        if (age != null) {
            when.add("age " + age.describe(Units::canonicalDuration));
        }
        if (idle != null) {
            when.add("idle " + idle.describe(Units::canonicalDuration));
        }
        return (isCatchAll() ? "always" : when.toString()) + " -> " + tier;
    }

    @Override
    public String toString() {
        return canonical();
    }

    private static String oneOf(Collection<String> values) {
        return values.size() == 1 ? values.iterator().next() : "one of " + sorted(values);
    }

    private static List<String> sorted(Collection<String> values) {
        return values.stream().sorted().toList();
    }

    private static Pattern agentPattern(List<String> agents) {
        StringJoiner alternatives = new StringJoiner("|");
        for (String agent : agents) {
            StringBuilder regex = new StringBuilder();
            String[] parts = agent.split("\\*", -1);
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(parts[i]));
            }
            alternatives.add(regex);
        }
        return Pattern.compile(alternatives.toString(), Pattern.DOTALL);
    }
}
