package io.coldframe.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Period;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.schemas.Tier;

class RulesLoaderTest {

    private static final String MINIMAL = """
            rules:
              - name: recent
                when:
                  age: {at_most: 7d}
                tier: HOT
              - name: rest
                tier: COLD
            """;

    private static RulesException invalid(String yaml) {
        try {
            RulesLoader.fromYaml(yaml, "rules.yaml", "");
        } catch (RulesException e) {
            return e;
        }
        throw new AssertionError("expected the rules to be rejected:\n" + yaml);
    }

    @Test
    void defaultsLoadAndEndWithTheCatchAll() {
        RuleSet defaults = RulesLoader.defaults();
        assertThat(defaults.rules()).extracting(Rule::name).containsExactly("critical-hot", "critical-never-cold",
                "low-cold-after-7d", "large-rarely-accessed", "idle-cold", "age-hot", "age-warm", "age-cold");
        assertThat(defaults.timestampField()).isEqualTo("created_at");
        assertThat(defaults.source()).isEqualTo(RulesLoader.DEFAULT_SOURCE);
        assertThat(defaults.rules().get(defaults.rules().size() - 1).isCatchAll()).isTrue();
    }

    @Test
    void docsShowTheShippedDefaultsVerbatim() throws IOException {
        Path docs = Path.of("..", "docs", "tiering.md");
        assertThat(docs).exists();
        String markdown = Files.readString(docs, StandardCharsets.UTF_8);
        String defaults = RulesLoader.defaultRulesYaml();
        assertThat(markdown).as("docs/tiering.md must quote default-rules.yaml exactly").contains(defaults.strip());
    }

    @Test
    void minimalFileWithUnitsAndDefaults() {
        RuleSet rules = RulesLoader.fromYaml(MINIMAL, "rules.yaml", "");
        assertThat(rules.rules()).hasSize(2);
        assertThat(rules.rules().get(0).tier()).isEqualTo(Tier.HOT);
        assertThat(rules.rules().get(0).describe()).isEqualTo("age at most 7d -> HOT");
        assertThat(rules.tagsField()).isEqualTo("tags");
    }

    @Test
    void fingerprintIgnoresFormattingButNotMeaning() {
        String reformatted = """
                version: 1
                rules:
                  - {name: recent, tier: hot, when: {age: {at_most: 168h}}}   # same thing
                  - {name: rest, tier: COLD}
                """;
        String changed = MINIMAL.replace("7d", "6d");
        assertThat(RulesLoader.fromYaml(reformatted, "a", "").fingerprint())
                .isEqualTo(RulesLoader.fromYaml(MINIMAL, "b", "").fingerprint())
                .isNotEqualTo(RulesLoader.fromYaml(changed, "c", "").fingerprint());
    }

    @Test
    void errorsNameTheRuleAndTheField() {
        RulesException badDuration = invalid(MINIMAL.replace("{at_most: 7d}", "{at_most: 7 days}"));
        assertThat(badDuration.rule()).isEqualTo("'recent' (#1)");
        assertThat(badDuration.field()).isEqualTo("when.age.at_most");
        assertThat(badDuration.getMessage()).startsWith("rules.yaml: rule 'recent' (#1), field when.age.at_most: not a duration: '7 days'");

        assertThat(invalid(MINIMAL.replace("{at_most: 7d}", "{at_most: 7}")).getMessage())
                .contains("field when.age.at_most").contains("a unit is required");
        assertThat(invalid(MINIMAL.replace("age:", "agee:")).getMessage())
                .contains("rule 'recent' (#1), field when.agee: unknown key 'agee'");
        assertThat(invalid(MINIMAL.replace("{at_most: 7d}", "{below: 7d}")).field()).isEqualTo("when.age.below");
        assertThat(invalid(MINIMAL.replace("tier: HOT", "tier: LUKEWARM")).getMessage())
                .contains("rule 'recent' (#1), field tier: expected HOT, WARM or COLD, got 'LUKEWARM'");
        assertThat(invalid(MINIMAL.replace("age: {at_most: 7d}", "importance: URGENT")).getMessage())
                .contains("field when.importance: unknown value 'URGENT'");
        assertThat(invalid(MINIMAL.replace("age: {at_most: 7d}", "type: DREAM")).field()).isEqualTo("when.type");
        assertThat(invalid(MINIMAL.replace("age: {at_most: 7d}", "age: {over: 7d, at_most: 7d}")).getMessage())
                .contains("field when.age: never holds");
        assertThat(invalid(MINIMAL.replace("age: {at_most: 7d}", "age: {over: 7d, at_least: 8d}")).getMessage())
                .contains("not both");
        assertThat(invalid(MINIMAL.replace("age: {at_most: 7d}", "size: {over: 10 kilobytes}")).field()).isEqualTo("when.size.over");
        assertThat(invalid(MINIMAL.replace("age: {at_most: 7d}", "access_count: {under: -1}")).field()).isEqualTo("when.access_count.under");
        assertThat(invalid(MINIMAL.replace("age: {at_most: 7d}", "importance_score: {at_least: 2}")).field())
                .isEqualTo("when.importance_score.at_least");
        assertThat(invalid(MINIMAL.replace("age: {at_most: 7d}", "age: 7d")).getMessage())
                .contains("field when.age: expected bounds such as {over: 7d}");
        assertThat(invalid(MINIMAL.replace("name: recent", "name: 'two words'")).getMessage())
                .contains("rule #1, field name: expected a name");
    }

    @Test
    void theLastRuleMustBeTheOnlyCatchAll() {
        RulesException noCatchAll = invalid("""
                rules:
                  - name: recent
                    when: {age: {at_most: 7d}}
                    tier: HOT
                """);
        assertThat(noCatchAll.rule()).isEqualTo("'recent' (#1)");
        assertThat(noCatchAll.getMessage()).contains("the last rule must be a catch-all");

        RulesException early = invalid("""
                rules:
                  - {name: everything, tier: WARM}
                  - {name: recent, tier: HOT, when: {age: {at_most: 7d}}}
                  - {name: rest, tier: COLD}
                """);
        assertThat(early.getMessage()).contains("rule 'everything' (#1)").contains("[recent, rest]").contains("can never match");
    }

    @Test
    void duplicateNamesAndKeysAreRejected() {
        assertThat(invalid(MINIMAL.replace("name: rest", "name: recent")).getMessage())
                .contains("rule 'recent' (#2), field name: another rule is already named 'recent'");
        assertThat(invalid(MINIMAL.replace("    tier: HOT\n", "    tier: HOT\n    tier: COLD\n")).getMessage())
                .contains("not valid YAML").contains("duplicate key");
    }

    @Test
    void topLevelProblemsNameTheField() {
        assertThat(invalid("version: 2\n" + MINIMAL).getMessage()).contains("field version: only version 1");
        assertThat(invalid("timestamp_field: ''\n" + MINIMAL).field()).isEqualTo("timestamp_field");
        assertThat(invalid("rule:\n  - {name: a, tier: HOT}\n").getMessage()).contains("field rule: unknown key 'rule'");
        assertThat(invalid("rules: []\n").field()).isEqualTo("rules");
        assertThat(invalid("importance_score_levels: {CRITICAL: 0.5, HIGH: 0.7}\n" + MINIMAL).getMessage())
                .contains("CRITICAL > HIGH > MEDIUM");
        assertThat(invalid("- just a list").getMessage()).contains("expected a mapping with a 'rules' list");
    }

    @Test
    void overridesEditNamedRulesAndNameThemselvesInErrors() {
        RuleSet rules = RulesLoader.fromYaml(MINIMAL, "rules.yaml",
                "recent.age.at_most=3d; recent.tier=WARM; recent.when.access_count.under=5 ; timestamp_field=updated_at");
        Rule recent = rules.rules().get(0);
        assertThat(recent.describe()).isEqualTo("access count under 5 and age at most 3d -> WARM");
        assertThat(rules.timestampField()).isEqualTo("updated_at");
        assertThat(rules.overrides()).hasSize(4);

        RuleSet removed = RulesLoader.fromYaml(MINIMAL, "rules.yaml", "recent.importance=[LOW, medium]; recent.age=~");
        assertThat(removed.rules().get(0).describe()).isEqualTo("importance one of [LOW, MEDIUM] -> HOT");

        assertThatThrownBy(() -> RulesLoader.fromYaml(MINIMAL, "rules.yaml", "recent.age.at_most=soon"))
                .isInstanceOf(RulesException.class)
                .hasMessageContaining("rule 'recent' (#1), field when.age.at_most: not a duration: 'soon'")
                .hasMessageContaining("(set by override 'recent.age.at_most=soon')")
                .matches(e -> ((RulesException) e).fromOverride());
        assertThatThrownBy(() -> RulesLoader.fromYaml(MINIMAL, "rules.yaml", "nosuch.age.at_most=3d"))
                .hasMessageContaining("no rule named 'nosuch' (rules: [recent, rest])");
        assertThatThrownBy(() -> RulesLoader.fromYaml(MINIMAL, "rules.yaml", "recent.colour=blue"))
                .hasMessageContaining("override 'recent.colour=blue'");
        assertThatThrownBy(() -> RulesLoader.fromYaml(MINIMAL, "rules.yaml", "just-words"))
                .hasMessageContaining("is not path=value");
    }

    @Test
    void readsAFileAndReportsAMissingOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, MINIMAL);
        assertThat(RulesLoader.fromFile(file, null).source()).isEqualTo(file.toString());
        assertThatThrownBy(() -> RulesLoader.fromFile(dir.resolve("absent.yaml"), ""))
                .isInstanceOf(RulesException.class).hasMessageContaining("cannot read the rules file");
    }

    @Test
    void unitsParseAndPrint() {
        assertThat(Units.durationMillis("1d12h")).isEqualTo(36 * 3_600_000L);
        assertThat(Units.durationMillis("500ms")).isEqualTo(500);
        assertThat(Units.durationMillis("2w")).isEqualTo(14 * 86_400_000L);
        assertThat(Units.durationMillis("P7D")).isEqualTo(7 * 86_400_000L);
        assertThat(Units.durationMillis("PT1.5S")).isEqualTo(1500);
        assertThat(Units.sizeBytes("10KB")).isEqualTo(10240);
        assertThat(Units.sizeBytes("2 mib")).isEqualTo(2 * 1024 * 1024);
        assertThat(Units.sizeBytes(512)).isEqualTo(512);
        assertThat(Units.canonicalDuration(36 * 3_600_000L + 5)).isEqualTo("1d12h5ms");
        assertThat(Units.formatDuration(36 * 3_600_000L)).isEqualTo("1d 12h");
        assertThat(Units.formatDuration(-90_000)).isEqualTo("-1m 30s");
        assertThatThrownBy(() -> Units.durationMillis("7 d")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Units.durationMillis("7D")).hasMessageContaining("not a duration");
    }

    @Test
    void theColdTierTakesARetentionInCalendarUnits() {
        assertThat(RulesLoader.fromYaml(MINIMAL, "rules.yaml", "").coldRetention()).isEmpty();
        assertThat(RulesLoader.fromYaml("cold: {retain: 12mo}\n" + MINIMAL, "rules.yaml", "").coldRetention()).contains(Period.ofMonths(12));
        assertThat(RulesLoader.fromYaml("cold:\n  retain: 1y6mo\n" + MINIMAL, "rules.yaml", "").coldRetention()).contains(Period.of(1, 6, 0));
        assertThat(RulesLoader.fromYaml("cold: {retain: 2w3d}\n" + MINIMAL, "rules.yaml", "").coldRetention()).contains(Period.ofDays(17));
        assertThat(RulesLoader.fromYaml("cold: {retain: P1Y}\n" + MINIMAL, "rules.yaml", "").coldRetention()).contains(Period.ofYears(1));
        assertThat(Units.formatPeriod(Period.of(1, 6, 3))).isEqualTo("1y6mo3d");
        // retention decides what the archive keeps, not tiers: the tiering fingerprint is unchanged
        assertThat(RulesLoader.fromYaml("cold: {retain: 12mo}\n" + MINIMAL, "a", "").fingerprint())
                .isEqualTo(RulesLoader.fromYaml(MINIMAL, "b", "").fingerprint());
    }

    @Test
    void aBadRetentionNamesTheFileAndTheEntry() {
        RulesException minutes = invalid("cold: {retain: 12m}\n" + MINIMAL);
        assertThat(minutes.field()).isEqualTo("cold.retain");
        assertThat(minutes.getMessage()).startsWith("rules.yaml: field cold.retain: not a retention: '12m'").contains("months are mo");
        assertThat(invalid("cold: {retain: 12}\n" + MINIMAL).getMessage()).contains("field cold.retain").contains("a unit is required");
        assertThat(invalid("cold: {retain: 0d}\n" + MINIMAL).getMessage()).contains("field cold.retain: retention '0d' must be longer than zero");
        assertThat(invalid("cold: {retian: 12mo}\n" + MINIMAL).getMessage()).contains("field cold.retian: unknown key 'retian'");
        assertThat(invalid("cold: 12mo\n" + MINIMAL).getMessage()).contains("field cold: expected a mapping such as {retain: 12mo}");
    }
}
