package io.coldframe.streams.rules;

/**
 * A rules file that cannot be used. The message names where it came from, the rule (by name, or by position when
 * it has none) and the field, e.g. {@code rules.yaml: rule 'low-cold' (#3), field when.age.over: not a duration: '7 days'}.
 */
public final class RulesException extends IllegalArgumentException {

    private final String rule;
    private final String field;
    private final boolean fromOverride;

    RulesException(String source, String rule, String field, String problem) {
        this(source, rule, field, problem, false);
    }

    RulesException(String source, String rule, String field, String problem, boolean fromOverride) {
        super(source + ": " + (rule != null ? "rule " + rule + ", " : "") + (field != null ? "field " + field + ": " : "") + problem);
        this.rule = rule;
        this.field = field;
        this.fromOverride = fromOverride;
    }

    /** Whether an override (rather than the file itself) is at fault. */
    public boolean fromOverride() {
        return fromOverride;
    }

    /** The offending rule as {@code 'name' (#position)}, or null for a problem outside the rule list. */
    public String rule() {
        return rule;
    }

    /** The offending field, e.g. {@code when.age.over}; null when the problem is the file as a whole. */
    public String field() {
        return field;
    }
}
