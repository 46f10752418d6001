package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.DeadLetters;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;
import io.coldframe.streams.rules.RulesLoader;

/** A custom rules file through the whole topology: tag, agent and type selectors, a custom timestamp field. */
class CustomRulesTopologyTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final String RULES = """
            timestamp_field: updated_at
            tags_field: labels
            rules:
              - name: pinned
                when: {tags_any: [pinned]}
                tier: HOT
              - name: bots-cold
                when: {agent: "bot-*", age: {over: 1h}}
                tier: COLD
              - name: errors-warm
                when: {type: ERROR}
                tier: WARM
              - name: fresh
                when: {age: {at_most: 2d}}
                tier: HOT
              - name: rest
                tier: COLD
            """;

    @TempDir
    Path stateDir;
    private TieringHarness tiering;

    @BeforeEach
    void open() {
        tiering = TieringHarness.open(stateDir, new RuleBasedPolicy(RulesLoader.fromYaml(RULES, "custom.yaml", "")), START);
    }

    @AfterEach
    void close() {
        tiering.close();
    }

    private static BsonDocument memory(String id, String agent, String type, Instant updated) {
        BsonDocument document = new BsonDocument("_id", new BsonString(id))
                .append("agent_id", new BsonString(agent))
                .append("type", new BsonString(type))
                .append("importance", new BsonDouble(0.5))
                .append("access_count", new BsonInt32(3));
        if (updated != null) {
            document.append("updated_at", new BsonDateTime(updated.toEpochMilli()));
        }
        return document;
    }

    @Test
    void selectorsAndTheCustomTimestampDecideAndTimeMovesMemoriesWithoutEvents() {
        tiering.send(memory("pinned", "agent-1", "PLAN", START.minus(Duration.ofDays(400)))
                .append("labels", new BsonArray(List.of(new BsonString("x"), new BsonString("pinned")))));
        tiering.send(memory("bot", "bot-7", "PLAN", START.minus(Duration.ofMinutes(30))));
        tiering.send(memory("error", "agent-1", "ERROR", START));
        tiering.send(memory("plain", "agent-2", "PLAN", START.minus(Duration.ofDays(1))));   // no created_at: updated_at stands in

        List<KeyValue<String, TierChange>> hot = tiering.hot.readKeyValuesToList();
        assertThat(hot).extracting(kv -> kv.key, kv -> kv.value.getRule()).containsExactly(
                org.assertj.core.groups.Tuple.tuple("\"pinned\"", "pinned"),
                org.assertj.core.groups.Tuple.tuple("\"bot\"", "fresh"),
                org.assertj.core.groups.Tuple.tuple("\"plain\"", "fresh"));
        assertThat(hot.get(0).value.getNextChangeAt()).isNull();
        assertThat(hot.get(1).value.getNextChangeAt()).isEqualTo(START.plus(Duration.ofMinutes(30)).plusMillis(1));
        assertThat(hot.get(2).value.getMemory().getCreatedAt()).isEqualTo(START.minus(Duration.ofDays(1)));
        assertThat(tiering.warm.readValue().getRule()).isEqualTo("errors-warm");

        tiering.advance(Duration.ofHours(1));
        TierChange bot = tiering.cold.readRecord().value();
        assertThat(bot.getMemoryId()).isEqualTo("\"bot\"");
        assertThat(bot.getRule()).isEqualTo("bots-cold");
        assertThat(tiering.hot.readKeyValuesToList()).containsExactly(new KeyValue<>("\"bot\"", null));

        tiering.advance(Duration.ofDays(1));
        TierChange plain = tiering.cold.readValue();
        assertThat(plain.getMemoryId()).isEqualTo("\"plain\"");
        assertThat(plain.getRule()).isEqualTo("rest");
        assertThat(tiering.cold.isEmpty()).isTrue();
        assertThat(tiering.warm.isEmpty()).isTrue();
    }

    @Test
    void aMissingTimestampFieldOrIllTypedTagsAreDeadLettered() {
        tiering.send(memory("no-timestamp", "agent-1", "PLAN", null).append("created_at", new BsonDateTime(START.toEpochMilli())));
        tiering.send(memory("bad-tags", "agent-1", "PLAN", START).append("labels", new BsonInt32(7)));
        tiering.send(memory("no-importance", "agent-1", "PLAN", START).append("importance", new BsonString("HIGH")));
        BsonDocument noImportance = memory("really-no-importance", "agent-1", "PLAN", START);
        noImportance.remove("importance");
        tiering.send(noImportance);

        var letters = tiering.deadLetters.readRecordsToList();
        assertThat(letters).hasSize(3);
        assertThat(DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON)).contains("\"no-timestamp\"").contains("field updated_at: missing");
        assertThat(DeadLetters.header(letters.get(1).headers(), DeadLetters.REASON)).contains("field labels: expected a string or an array of strings");
        assertThat(DeadLetters.header(letters.get(2).headers(), DeadLetters.REASON)).contains("field importance: missing");
        assertThat(tiering.hot.readValue().getMemoryId()).isEqualTo("\"no-importance\"");
        assertThat(tiering.metrics.deadLetters()).isEqualTo(3);
        assertThat(tiering.metrics.memories(Tier.HOT)).isEqualTo(1);
    }
}
