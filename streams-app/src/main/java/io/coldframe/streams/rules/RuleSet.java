package io.coldframe.streams.rules;

import java.nio.charset.StandardCharsets;
import java.time.Period;
import java.util.List;
import java.util.Optional;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.streams.MemoryFacts;

/**
 * A validated, ordered list of rules (first match wins, the last one a catch-all) with the document fields they
 * read and how 0..1 importance scores map onto levels. Immutable; load one with {@link RulesLoader}.
 */
public final class RuleSet {

    private final String source;
    private final String timestampField;
    private final String tagsField;
    private final double criticalFrom;
    private final double highFrom;
    private final double mediumFrom;
    private final Optional<Period> coldRetention;
    private final List<Rule> rules;
    private final List<String> overrides;
    private final String canonical;
    private final String fingerprint;

    RuleSet(String source, String timestampField, String tagsField, double criticalFrom, double highFrom, double mediumFrom,
            Optional<Period> coldRetention, List<Rule> rules, List<String> overrides) {
        this.source = source;
        this.timestampField = timestampField;
        this.tagsField = tagsField;
        this.criticalFrom = criticalFrom;
        this.highFrom = highFrom;
        this.mediumFrom = mediumFrom;
        this.coldRetention = coldRetention;
        this.rules = List.copyOf(rules);
        this.overrides = List.copyOf(overrides);
        StringBuilder text = new StringBuilder()
                .append("version: 1\n")
                .append("timestamp_field: ").append(timestampField).append('\n')
                .append("tags_field: ").append(tagsField).append('\n')
                .append("importance_score_levels: {CRITICAL: ").append(criticalFrom).append(", HIGH: ").append(highFrom)
                .append(", MEDIUM: ").append(mediumFrom).append("}\n")
                .append("rules:\n");
        for (Rule rule : rules) {
            text.append("  - ").append(rule.canonical()).append('\n');
        }
        // the retention is left out: it decides what the archive keeps, not tiers (a new one re-tiers nothing)
        this.canonical = text.toString();
        this.fingerprint = MemoryDocuments.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
    }

    /** Where the rules came from: a file path or {@code built-in defaults}. */
    public String source() {
        return source;
    }

    public List<Rule> rules() {
        return rules;
    }

    public String timestampField() {
        return timestampField;
    }

    public String tagsField() {
        return tagsField;
    }

    /**
     * How long the cold tier keeps archived memories, counted from each memory's created_at ({@code cold.retain});
     * empty: for good. Applied by the retention pass ({@code coldframe retention run}), not by tiering.
     */
    public Optional<Period> coldRetention() {
        return coldRetention;
    }

    /** The overrides applied on top of the file, as given ({@code rule.field=value}). */
    public List<String> overrides() {
        return overrides;
    }

    public MemoryFacts.Fields fields() {
        return new MemoryFacts.Fields(timestampField, tagsField, rules.stream().anyMatch(Rule::usesTags));
    }

    /** The importance level of a memory: its own level, or the band its 0..1 score falls in; null when it has neither. */
    public String levelOf(MemoryFacts memory) {
        if (memory.importance() != null) {
            return memory.importance();
        }
        Double score = memory.importanceScore();
        if (score == null) {
            return null;
        }
        return score >= criticalFrom ? "CRITICAL" : score >= highFrom ? "HIGH" : score >= mediumFrom ? "MEDIUM" : "LOW";
    }

    /** The effective rules in one normalized text: what the fingerprint is computed over. */
    public String canonical() {
        return canonical;
    }

    /** SHA-256 of {@link #canonical()}: equal for rule sets that decide alike, whatever their formatting. */
    public String fingerprint() {
        return fingerprint;
    }
}
