package io.coldframe.streams.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Period;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import io.coldframe.schemas.Tier;

/**
 * Reads and validates a rules file (format in {@code docs/tiering.md}), applies overrides, and names the rule and
 * field of the first problem it finds.
 *
 * <p>Overrides are {@code ;}-separated {@code path=value} pairs, each value read as YAML:
 * {@code age-hot.age.at_most=3d}, {@code low-cold.importance=[LOW, MEDIUM]}, {@code large-rarely-accessed.tier=WARM},
 * {@code timestamp_field=updated_at}; the value {@code ~} removes a condition.
 */
public final class RulesLoader {

    /** The rules used when no file is configured; also the example in {@code docs/tiering.md}. */
    public static final String DEFAULT_RESOURCE = "/io/coldframe/streams/default-rules.yaml";
    public static final String DEFAULT_SOURCE = "built-in defaults";

    public static final Set<String> IMPORTANCE_LEVELS = Set.of("CRITICAL", "HIGH", "MEDIUM", "LOW");
    public static final Set<String> MEMORY_TYPES = Set.of("INTERACTION", "CONTEXT", "LEARNING", "SYSTEM_STATE",
            "PERFORMANCE", "ERROR", "GOAL", "BELIEF", "PLAN");

    private static final Set<String> TOP_LEVEL_KEYS = new LinkedHashSet<>(List.of(
            "version", "timestamp_field", "tags_field", "importance_score_levels", "cold", "rules"));
    private static final Set<String> COLD_KEYS = Set.of("retain");
    private static final Set<String> RULE_KEYS = new LinkedHashSet<>(List.of("name", "description", "when", "tier"));
    private static final Set<String> CONDITION_KEYS = new LinkedHashSet<>(List.of(
            "importance", "importance_score", "type", "agent", "tags_any", "tags_all", "access_count", "size", "age", "idle"));
    private static final Set<String> BOUND_KEYS = new LinkedHashSet<>(List.of(
            Bounds.OVER, Bounds.AT_LEAST, Bounds.UNDER, Bounds.AT_MOST));
    private static final Pattern RULE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
    private static final Pattern FIELD_NAME = Pattern.compile("[^$.\\s][^\\s]*");

    private final String source;
    private final Map<String, String> overriddenFields = new HashMap<>();

    private RulesLoader(String source) {
        this.source = source;
    }

    /** The built-in default rules. */
    public static RuleSet defaults() {
        return defaults("");
    }

    public static RuleSet defaults(String overrides) {
        return fromYaml(defaultRulesYaml(), DEFAULT_SOURCE, overrides);
    }

    /** The text of the built-in default rules file. */
    public static String defaultRulesYaml() {
        try (InputStream in = RulesLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DEFAULT_RESOURCE + " is missing from the streams-app jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULT_RESOURCE, e);
        }
    }

    public static RuleSet fromFile(Path file, String overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RulesException(file.toString(), null, null, "cannot read the rules file: " + e);
        }
        return fromYaml(text, file.toString(), overrides);
    }

    /** Parses, applies {@code overrides} (may be null or blank) and validates. */
    public static RuleSet fromYaml(String yaml, String source, String overrides) {
        return new RulesLoader(source).load(yaml, overrides == null ? "" : overrides);
    }

    private RuleSet load(String text, String overrides) {
        Object root;
        try {
            root = yaml().load(text);
        } catch (YAMLException e) {
            throw new RulesException(source, null, null, "not valid YAML: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?>)) {
            throw new RulesException(source, null, null, "expected a mapping with a 'rules' list at the top, got " + Units.describe(root));
        }
        Map<String, Object> top = stringKeys(root, null, "top level");
        List<String> applied = applyOverrides(top, overrides);
        checkKeys(top.keySet(), TOP_LEVEL_KEYS, null, null);

        Object version = top.get("version");
        if (version != null && !Integer.valueOf(1).equals(version)) {
            throw fail(null, "version", "only version 1 is known, got " + Units.describe(version));
        }
        String timestampField = fieldName(top, "timestamp_field", "created_at");
        String tagsField = fieldName(top, "tags_field", "tags");
        double[] levels = scoreLevels(top.get("importance_score_levels"));
        Optional<Period> coldRetention = coldRetention(top.get("cold"));

        Object rawRules = top.get("rules");
        if (!(rawRules instanceof List<?> list) || list.isEmpty()) {
            throw fail(null, "rules", "expected a non-empty list of rules, got " + Units.describe(rawRules));
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Rule rule = rule(list.get(i), i + 1);
            if (!names.add(rule.name())) {
                throw fail(ref(rule.name(), i + 1), "name", "another rule is already named '" + rule.name() + "'");
            }
            rules.add(rule);
        }
        for (int i = 0; i < rules.size() - 1; i++) {
            if (rules.get(i).isCatchAll()) {
                throw fail(ref(rules.get(i).name(), i + 1), "when", "has no conditions, so the rules after it ("
                        + rules.subList(i + 1, rules.size()).stream().map(Rule::name).toList()
                        + ") can never match; only the last rule may be a catch-all");
            }
        }
        Rule last = rules.get(rules.size() - 1);
        if (!last.isCatchAll()) {
            throw fail(ref(last.name(), rules.size()), "when", "the last rule must be a catch-all without 'when', "
                    + "so that every memory gets a tier; add e.g. '- {name: default, tier: COLD}' at the end");
        }
        return new RuleSet(source, timestampField, tagsField, levels[0], levels[1], levels[2], coldRetention, rules, applied);
    }

    private Rule rule(Object raw, int position) {
        if (!(raw instanceof Map<?, ?>)) {
            throw fail("#" + position, null, "expected a mapping with name, tier and when, got " + Units.describe(raw));
        }
        Map<String, Object> map = stringKeys(raw, "#" + position, null);
        Object rawName = map.get("name");
        if (!(rawName instanceof String name) || !RULE_NAME.matcher(name).matches()) {
            throw fail("#" + position, "name", "expected a name of letters, digits, '-' and '_' (it appears in "
                    + "TierChange.rule, metrics and overrides), got " + Units.describe(rawName));
        }
        String ref = ref(name, position);
        checkKeys(map.keySet(), RULE_KEYS, ref, null);
        Object description = map.get("description");
        if (description != null && !(description instanceof String)) {
            throw fail(ref, "description", "expected text, got " + Units.describe(description));
        }
        Tier tier = tier(ref, map.get("tier"));
        Object rawWhen = map.get("when");
        Map<String, Object> when = rawWhen == null ? Map.of() : conditions(ref, rawWhen);
        checkKeys(when.keySet(), CONDITION_KEYS, ref, "when.");
        return new Rule(name, tier,
                selector(ref, when, "importance", IMPORTANCE_LEVELS),
                scoreBounds(ref, when.get("importance_score")),
                selector(ref, when, "type", MEMORY_TYPES),
                agents(ref, when.get("agent")),
                tags(ref, when, "tags_any"),
                tags(ref, when, "tags_all"),
                bounds(ref, "access_count", when.get("access_count"), Kind.COUNT),
                bounds(ref, "size", when.get("size"), Kind.SIZE),
                bounds(ref, "age", when.get("age"), Kind.DURATION),
                bounds(ref, "idle", when.get("idle"), Kind.DURATION));
    }

    private Tier tier(String ref, Object value) {
        if (value instanceof String text) {
            try {
                return Tier.valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // fall through to the error below
            }
        }
        throw fail(ref, "tier", "expected HOT, WARM or COLD, got " + Units.describe(value));
    }

    private Map<String, Object> conditions(String ref, Object raw) {
        if (!(raw instanceof Map<?, ?>)) {
            throw fail(ref, "when", "expected a mapping of conditions, got " + Units.describe(raw));
        }
        return stringKeys(raw, ref, "when");
    }

    private Set<String> selector(String ref, Map<String, Object> when, String key, Set<String> allowed) {
        List<String> values = strings(ref, "when." + key, when.get(key));
        if (values == null) {
            return null;
        }
        Set<String> normalized = new LinkedHashSet<>();
        for (String value : values) {
            String upper = value.trim().toUpperCase(Locale.ROOT);
            if (!allowed.contains(upper)) {
                throw fail(ref, "when." + key, "unknown value '" + value + "', expected one of " + allowed.stream().sorted().toList());
            }
            normalized.add(upper);
        }
        return Set.copyOf(normalized);
    }

    private List<String> agents(String ref, Object raw) {
        List<String> values = strings(ref, "when.agent", raw);
        if (values == null) {
            return null;
        }
        for (String value : values) {
            if (value.isEmpty()) {
                throw fail(ref, "when.agent", "an agent id must not be empty");
            }
        }
        return List.copyOf(values);
    }

    private Set<String> tags(String ref, Map<String, Object> when, String key) {
        List<String> values = strings(ref, "when." + key, when.get(key));
        return values == null ? null : Set.copyOf(values);
    }

    /** A string or a non-empty list of strings; null when absent. */
    private List<String> strings(String ref, String field, Object raw) {
        if (raw == null) {
            return null;
        }
        if (raw instanceof String text) {
            return List.of(text);
        }
        if (raw instanceof List<?> list && !list.isEmpty()) {
            List<String> values = new ArrayList<>();
            for (Object item : list) {
                if (!(item instanceof String text)) {
                    throw fail(ref, field, "expected strings, found " + Units.describe(item));
                }
                values.add(text);
            }
            return values;
        }
        throw fail(ref, field, "expected a value or a non-empty list of values, got " + Units.describe(raw));
    }

    private enum Kind { DURATION, COUNT, SIZE }

    private Bounds bounds(String ref, String key, Object raw, Kind kind) {
        if (raw == null) {
            return null;
        }
        String field = "when." + key;
        Map<String, Object> map = boundsMap(ref, field, raw, kind == Kind.DURATION ? "{over: 7d}" : kind == Kind.SIZE ? "{over: 10KB}" : "{under: 2}");
        String lowerOp = null;
        String upperOp = null;
        long lower = 0;
        long upper = 0;
        for (Map.Entry<String, Object> bound : map.entrySet()) {
            long value;
            try {
                value = switch (kind) {
                    case DURATION -> Units.durationMillis(bound.getValue());
                    case SIZE -> Units.sizeBytes(bound.getValue());
                    case COUNT -> count(bound.getValue());
                };
            } catch (IllegalArgumentException e) {
                throw fail(ref, field + "." + bound.getKey(), e.getMessage());
            }
            if (isLower(bound.getKey())) {
                lowerOp = bound.getKey();
                lower = value;
            } else {
                upperOp = bound.getKey();
                upper = value;
            }
        }
        Bounds bounds = new Bounds(lowerOp, lower, upperOp, upper);
        if (bounds.isEmpty()) {
            throw fail(ref, field, "never holds: no value is " + bounds.describe(Long::toString));
        }
        return bounds;
    }

    private ScoreBounds scoreBounds(String ref, Object raw) {
        if (raw == null) {
            return null;
        }
        String field = "when.importance_score";
        Map<String, Object> map = boundsMap(ref, field, raw, "{at_least: 0.8}");
        String lowerOp = null;
        String upperOp = null;
        double lower = 0;
        double upper = 0;
        for (Map.Entry<String, Object> bound : map.entrySet()) {
            if (!(bound.getValue() instanceof Number number) || !(number.doubleValue() >= 0 && number.doubleValue() <= 1)) {
                throw fail(ref, field + "." + bound.getKey(), "expected a score between 0 and 1, got " + Units.describe(bound.getValue()));
            }
            if (isLower(bound.getKey())) {
                lowerOp = bound.getKey();
                lower = number.doubleValue();
            } else {
                upperOp = bound.getKey();
                upper = number.doubleValue();
            }
        }
        ScoreBounds bounds = new ScoreBounds(lowerOp, lower, upperOp, upper);
        if (bounds.isEmpty()) {
            throw fail(ref, field, "never holds: no score is " + bounds.describe());
        }
        return bounds;
    }

    private Map<String, Object> boundsMap(String ref, String field, Object raw, String example) {
        if (!(raw instanceof Map<?, ?>) || ((Map<?, ?>) raw).isEmpty()) {
            throw fail(ref, field, "expected bounds such as " + example + " (keys over, at_least, under, at_most), got " + Units.describe(raw));
        }
        Map<String, Object> map = stringKeys(raw, ref, field);
        checkKeys(map.keySet(), BOUND_KEYS, ref, field + ".");
        if (map.containsKey(Bounds.OVER) && map.containsKey(Bounds.AT_LEAST)) {
            throw fail(ref, field, "give one lower bound, over or at_least, not both");
        }
        if (map.containsKey(Bounds.UNDER) && map.containsKey(Bounds.AT_MOST)) {
            throw fail(ref, field, "give one upper bound, under or at_most, not both");
        }
        return map;
    }

    private static boolean isLower(String op) {
        return Bounds.OVER.equals(op) || Bounds.AT_LEAST.equals(op);
    }

    private static long count(Object value) {
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0) {
            return ((Number) value).longValue();
        }
        throw new IllegalArgumentException("expected a whole number >= 0, got " + Units.describe(value));
    }

    private String fieldName(Map<String, Object> top, String key, String defaultValue) {
        Object value = top.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof String name) || !FIELD_NAME.matcher(name).matches()) {
            throw fail(null, key, "expected a document field name, got " + Units.describe(value));
        }
        return name;
    }

    /** The cold tier's {@code retain}: how long archived memories are kept, counted from their created_at. */
    private Optional<Period> coldRetention(Object raw) {
        if (raw == null) {
            return Optional.empty();
        }
        if (!(raw instanceof Map<?, ?>)) {
            throw fail(null, "cold", "expected a mapping such as {retain: 12mo}, got " + Units.describe(raw));
        }
        Map<String, Object> map = stringKeys(raw, null, "cold");
        checkKeys(map.keySet(), COLD_KEYS, null, "cold.");
        Object retain = map.get("retain");
        if (retain == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Units.retentionPeriod(retain));
        } catch (IllegalArgumentException e) {
            throw fail(null, "cold.retain", e.getMessage());
        }
    }

    private double[] scoreLevels(Object raw) {
        double[] levels = {0.9, 0.7, 0.4};
        if (raw == null) {
            return levels;
        }
        if (!(raw instanceof Map<?, ?>)) {
            throw fail(null, "importance_score_levels", "expected a mapping such as {CRITICAL: 0.9, HIGH: 0.7, MEDIUM: 0.4}, got " + Units.describe(raw));
        }
        Map<String, Object> map = stringKeys(raw, null, "importance_score_levels");
        List<String> names = List.of("CRITICAL", "HIGH", "MEDIUM");
        checkKeys(map.keySet(), new LinkedHashSet<>(names), null, "importance_score_levels.");
        for (int i = 0; i < names.size(); i++) {
            Object value = map.get(names.get(i));
            if (value == null) {
                continue;
            }
            if (!(value instanceof Number number) || !(number.doubleValue() > 0 && number.doubleValue() <= 1)) {
                throw fail(null, "importance_score_levels." + names.get(i), "expected the lowest score of the level, in (0, 1], got " + Units.describe(value));
            }
            levels[i] = number.doubleValue();
        }
        if (!(levels[0] > levels[1] && levels[1] > levels[2])) {
            throw fail(null, "importance_score_levels", "expected CRITICAL > HIGH > MEDIUM, got " + levels[0] + ", " + levels[1] + ", " + levels[2]);
        }
        return levels;
    }

    // --- overrides ---------------------------------------------------------------------------------------------

    private List<String> applyOverrides(Map<String, Object> top, String overrides) {
        List<String> applied = new ArrayList<>();
        for (String entry : overrides.split("[;\\n]")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals <= 0) {
                throw new RulesException(source, null, null, "override '" + trimmed + "' is not path=value, e.g. age-hot.age.at_most=3d", true);
            }
            String path = trimmed.substring(0, equals).trim();
            Object value;
            try {
                value = yaml().load(trimmed.substring(equals + 1).trim());
            } catch (YAMLException e) {
                throw new RulesException(source, null, null, "override '" + trimmed + "': the value is not valid YAML: " + e.getMessage(), true);
            }
            applyOverride(top, trimmed, path, value);
            applied.add(trimmed);
        }
        return applied;
    }

    @SuppressWarnings("unchecked")
    private void applyOverride(Map<String, Object> top, String override, String path, Object value) {
        if (!path.contains(".")) {
            if (!Set.of("timestamp_field", "tags_field").contains(path)) {
                throw new RulesException(source, null, null, "override '" + override
                        + "': expected <rule>.<field>=value, timestamp_field=... or tags_field=...", true);
            }
            putOrRemove(top, path, value);
            overriddenFields.put("|" + path, override);
            return;
        }
        String ruleName = path.substring(0, path.indexOf('.'));
        String field = path.substring(path.indexOf('.') + 1);
        if (field.startsWith("when.")) {
            field = field.substring("when.".length());
        }
        Map<String, Object> rule = findRule(top, ruleName, override);
        String[] parts = field.split("\\.");
        if (parts.length == 1 && Set.of("tier", "description").contains(field)) {
            putOrRemove(rule, field, value);
            overriddenFields.put(ruleName + "|" + field, override);
            return;
        }
        if (parts.length > 2 || !CONDITION_KEYS.contains(parts[0])) {
            throw new RulesException(source, "'" + ruleName + "'", field, "override '" + override + "': expected tier or one of "
                    + CONDITION_KEYS + ", optionally followed by a bound (e.g. age.at_most)", true);
        }
        Object whenRaw = rule.get("when");
        Map<String, Object> when;
        if (whenRaw instanceof Map<?, ?> existing) {
            when = (Map<String, Object>) existing;
        } else {
            when = new LinkedHashMap<>();
            rule.put("when", when);
        }
        if (parts.length == 1) {
            putOrRemove(when, parts[0], value);
        } else {
            Object condition = when.get(parts[0]);
            Map<String, Object> bounds;
            if (condition instanceof Map<?, ?> existing) {
                bounds = (Map<String, Object>) existing;
            } else {
                bounds = new LinkedHashMap<>();
                when.put(parts[0], bounds);
            }
            putOrRemove(bounds, parts[1], value);
            if (bounds.isEmpty()) {
                when.remove(parts[0]);
            }
        }
        overriddenFields.put(ruleName + "|when." + field, override);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> findRule(Map<String, Object> top, String name, String override) {
        List<String> names = new ArrayList<>();
        if (top.get("rules") instanceof List<?> rules) {
            for (Object rule : rules) {
                if (rule instanceof Map<?, ?> map) {
                    if (name.equals(map.get("name"))) {
                        return (Map<String, Object>) map;
                    }
                    names.add(String.valueOf(map.get("name")));
                }
            }
        }
        throw new RulesException(source, null, null, "override '" + override + "': no rule named '" + name + "' (rules: " + names + ")", true);
    }

    private static void putOrRemove(Map<String, Object> map, String key, Object value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setCodePointLimit(1 << 20);
        return new Yaml(new SafeConstructor(options));
    }

    private Map<String, Object> stringKeys(Object raw, String ref, String field) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) raw).entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw fail(ref, field, "keys must be names, found " + Units.describe(entry.getKey()));
            }
            map.put(key, entry.getValue());
        }
        // keep the YAML's own (mutable) map where there is one, so overrides can edit it in place
        if (raw instanceof LinkedHashMap<?, ?> && map.size() == ((Map<?, ?>) raw).size()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> same = (Map<String, Object>) raw;
            return same;
        }
        return map;
    }

    private void checkKeys(Set<String> keys, Set<String> allowed, String ref, String prefix) {
        for (String key : keys) {
            if (!allowed.contains(key)) {
                String field = prefix == null ? key : prefix + key;
                throw fail(ref, field, "unknown key '" + key + "', expected one of " + allowed);
            }
        }
    }

    private static String ref(String name, int position) {
        return "'" + name + "' (#" + position + ")";
    }

    private RulesException fail(String ref, String field, String problem) {
        String override = null;
        String ruleName = ref == null ? "" : ref.startsWith("'") ? ref.substring(1, ref.indexOf('\'', 1)) : null;
        if (ruleName != null && field != null) {
            for (Map.Entry<String, String> entry : overriddenFields.entrySet()) {
                String[] key = entry.getKey().split("\\|", 2);
                if (key[0].equals(ruleName) && (field.startsWith(key[1]) || key[1].startsWith(field))) {
                    override = entry.getValue();
                }
            }
        }
        return new RulesException(source, ref, field, problem + (override != null ? " (set by override '" + override + "')" : ""), override != null);
    }
}
