package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import io.coldframe.streams.rules.RuleSet;
import io.coldframe.streams.rules.RulesLoader;

class RulesCheckTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private final RuleSet defaults = RulesLoader.defaults();

    @Test
    void describesTheRulesInOrder() {
        String text = RulesCheck.describe(defaults);
        assertThat(text).startsWith("rules: built-in defaults (8 rules, ages from created_at, tags from tags, fingerprint ");
        assertThat(text).contains(" 1. critical-hot           importance CRITICAL and age at most 7d -> HOT");
        assertThat(text).contains(" 4. large-rarely-accessed  access count under 2 and size over 10KB and idle over 7d -> COLD");
        assertThat(text).contains(" 8. age-cold               always -> COLD");
    }

    @Test
    void explainsWhichRuleDecidesWhyTheOnesAboveDoNotAndWhenTheTierChanges() {
        BsonDocument document = BsonDocument.parse("""
                {"_id": "m1", "agent_id": "agent-1", "type": "PLAN", "importance": "LOW",
                 "created_at": {"$date": "2026-05-28T00:00:00Z"}, "access_count": 4}
                """);
        String text = RulesCheck.explain(defaults, document, NOW);
        assertThat(text).contains("document \"m1\" at 2026-06-01T00:00:00Z");
        assertThat(text).contains("importance LOW, age 4d (created_at 2026-05-28T00:00:00Z), idle 4d (never accessed), 4 accesses");
        assertThat(text).contains(" 1. critical-hot           no     importance LOW is not CRITICAL");
        assertThat(text).contains(" 3. low-cold-after-7d      no     age 4d is not over 7d  [matches from 2026-06-04T00:00:00.001Z]");
        assertThat(text).contains(" 6. age-hot                MATCH  -> HOT  [matches until 2026-06-04T00:00:00Z]");
        assertThat(text).contains(" 7. age-warm               -      not reached (would match too)");
        assertThat(text).contains("tier now: HOT by rule age-hot");
        assertThat(text).contains("next change: 2026-06-04T00:00:00.001Z (in 3d) -> COLD by rule low-cold-after-7d");
    }

    @Test
    void aDocumentThatNeverChangesAgainAndOneThatWouldBeDeadLettered() {
        BsonDocument critical = BsonDocument.parse("""
                {"_id": {"$oid": "65f0a1b2c3d4e5f601234567"}, "importance": 0.97, "created_at": "2025-01-01T00:00:00Z"}
                """);
        String text = RulesCheck.explain(defaults, critical, NOW);
        assertThat(text).contains("document {\"$oid\": \"65f0a1b2c3d4e5f601234567\"}");
        assertThat(text).contains("importance 0.97 (level CRITICAL)");
        assertThat(text).contains("tier now: WARM by rule critical-never-cold");
        assertThat(text).contains("next change: never");

        String bad = RulesCheck.explain(defaults, BsonDocument.parse("{\"_id\": \"x\", \"importance\": \"LOW\"}"), NOW);
        assertThat(bad).contains("not tiered").contains("field created_at: missing");
    }

    @Test
    void readsOneDocumentAnArrayOrLines() {
        assertThat(RulesCheck.readDocuments("{\"a\": 1}")).hasSize(1);
        assertThat(RulesCheck.readDocuments("[{\"a\": 1}, {\"a\": 2}]")).hasSize(2);
        List<BsonDocument> lines = RulesCheck.readDocuments("{\"a\": 1}\n\n{\"a\": {\"$numberLong\": \"2\"}}\n");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).getInt64("a").getValue()).isEqualTo(2L);
        assertThat(RulesCheck.readDocuments("{\n  \"a\": 1,\n  \"b\": {\"c\": 2}\n}\n")).hasSize(1);
    }
}
