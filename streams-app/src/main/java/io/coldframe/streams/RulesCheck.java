package io.coldframe.streams;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.json.JsonParseException;

import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.streams.rules.Rule;
import io.coldframe.streams.rules.RuleSet;
import io.coldframe.streams.rules.Units;

/**
 * What {@code coldframe rules check} prints: the effective rules, and for a sample document which rule decides its
 * tier, why the rules above it do not match, and when and to what its tier next changes.
 */
public final class RulesCheck {

    private RulesCheck() {
    }

    /** The rules as loaded: source, overrides, fingerprint and one line per rule. */
    public static String describe(RuleSet rules) {
        StringBuilder text = new StringBuilder();
        text.append("rules: ").append(rules.source()).append(" (").append(rules.rules().size()).append(" rules, ages from ")
                .append(rules.timestampField()).append(", tags from ").append(rules.tagsField()).append(", fingerprint ")
                .append(rules.fingerprint(), 0, 12).append(")\n");
        rules.coldRetention().ifPresent(retain -> text.append("cold retention: ").append(Units.formatPeriod(retain))
                .append(" from created_at (coldframe retention run)\n"));
        if (!rules.overrides().isEmpty()) {
            text.append("overrides: ").append(String.join("; ", rules.overrides())).append('\n');
        }
        int width = rules.rules().stream().mapToInt(r -> r.name().length()).max().orElse(0);
        for (int i = 0; i < rules.rules().size(); i++) {
            Rule rule = rules.rules().get(i);
            text.append(String.format("  %2d. %-" + width + "s  %s%n", i + 1, rule.name(), rule.describe()));
        }
        return text.toString();
    }

    /** Reads sample documents: one JSON document, a JSON array of them, or one per line (JSONL). Extended JSON is fine. */
    public static List<BsonDocument> readDocuments(String text) {
        String trimmed = text.strip();
        List<BsonDocument> documents = new ArrayList<>();
        if (trimmed.startsWith("[")) {
            BsonArray array = BsonDocument.parse("{\"d\": " + trimmed + "}").getArray("d");
            for (BsonValue value : array) {
                if (!value.isDocument()) {
                    throw new IllegalArgumentException("expected an array of documents, found a " + value.getBsonType());
                }
                documents.add(value.asDocument());
            }
            return documents;
        }
        List<String> lines = trimmed.lines().filter(line -> !line.isBlank()).toList();
        if (lines.size() > 1) {
            try {
                for (String line : lines) {
                    documents.add(MemoryDocuments.fromJson(line));
                }
                return documents;
            } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
                documents.clear(); // not one document per line: one document over several lines
            }
        }
        documents.add(MemoryDocuments.fromJson(trimmed));
        return documents;
    }

    /** How {@code rules} tier {@code document} at {@code now}, rule by rule. */
    public static String explain(RuleSet rules, BsonDocument document, Instant now) {
        RuleBasedPolicy policy = new RuleBasedPolicy(rules);
        BsonValue idValue = document.get(MemoryFields.ID);
        String id = idValue == null ? "(sample without _id)" : MemoryDocuments.idOf(idValue);
        StringBuilder text = new StringBuilder("document ").append(id).append(" at ").append(now).append('\n');
        MemoryFacts facts;
        try {
            facts = new MemoryRecordMapper(rules.fields()).map(id, document).facts();
        } catch (InvalidRecordException e) {
            return text.append("  not tiered: the tiering engine would send it to the dead-letter topic: ").append(e.getMessage()).append('\n').toString();
        }
        RuleBasedPolicy.Explanation explanation = policy.explain(facts, now);
        text.append("  ").append(facts(facts, explanation.level(), rules, now)).append('\n');
        int width = rules.rules().stream().mapToInt(r -> r.name().length()).max().orElse(0);
        boolean decided = false;
        for (int i = 0; i < explanation.rules().size(); i++) {
            RuleBasedPolicy.RuleOutcome outcome = explanation.rules().get(i);
            String prefix = String.format("  %2d. %-" + width + "s  ", i + 1, outcome.rule().name());
            if (decided) {
                text.append(prefix).append("-      not reached").append(outcome.matchesNow() ? " (would match too)" : "").append('\n');
            } else if (outcome.matchesNow()) {
                decided = true;
                text.append(prefix).append("MATCH  -> ").append(outcome.rule().tier()).append(window(outcome)).append('\n');
            } else {
                text.append(prefix).append("no     ").append(String.join("; ", outcome.mismatches())).append(window(outcome)).append('\n');
            }
        }
        TierDecision decision = explanation.decision();
        text.append("  tier now: ").append(decision.tier()).append(" by rule ").append(decision.rule()).append('\n');
        if (decision.nextChangeAt() == null) {
            text.append("  next change: never; the tier stays ").append(decision.tier())
                    .append(" until the document changes (or the rules do)\n");
        } else {
            Rule next = explanation.nextRule();
            text.append("  next change: ").append(decision.nextChangeAt()).append(" (in ")
                    .append(Units.formatDuration(Duration.between(now, decision.nextChangeAt()).toMillis())).append(") -> ")
                    .append(next.tier()).append(" by rule ").append(next.name()).append('\n');
        }
        return text.toString();
    }

    private static String window(RuleBasedPolicy.RuleOutcome outcome) {
        if (!outcome.everMatches() || (outcome.from() == null && outcome.until() == null)) {
            return "";
        }
        StringBuilder text = new StringBuilder("  [matches");
        if (outcome.from() != null) {
            text.append(" from ").append(outcome.from());
        }
        if (outcome.until() != null) {
            text.append(" until ").append(outcome.until());
        }
        return text.append(']').toString();
    }

    private static String facts(MemoryFacts facts, String level, RuleSet rules, Instant now) {
        StringBuilder text = new StringBuilder();
        text.append("agent ").append(facts.agent() == null ? "-" : facts.agent())
                .append(", type ").append(facts.type() == null ? "-" : facts.type())
                .append(", importance ").append(facts.importance() != null ? facts.importance()
                        : facts.importanceScore() + " (level " + level + ")")
                .append(", age ").append(Units.formatDuration(Duration.between(facts.timestamp(), now).toMillis()))
                .append(" (").append(rules.timestampField()).append(' ').append(facts.timestamp()).append(')')
                .append(", idle ").append(Units.formatDuration(Duration.between(facts.idleSince(), now).toMillis()))
                .append(facts.lastAccessedAt() == null ? " (never accessed)" : "")
                .append(", ").append(facts.accessCount()).append(facts.accessCount() == 1 ? " access" : " accesses")
                .append(", ").append(facts.sizeBytes()).append(" bytes");
        if (rules.fields().readsTags()) {
            text.append(", tags ").append(facts.tags());
        }
        return text.toString();
    }
}
