package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.ConfigLoader;
import io.coldframe.streams.rules.RulesLoader;

class StreamsAppConfigTest {

    private static StreamsAppConfig fromEnvironment(Map<String, String> environment) {
        return new StreamsAppConfig(ConfigLoader.resolve(StreamsAppConfig.DEFINITION, Map.of(), environment));
    }

    @Test
    void withoutARulesFileTheDefaultsApply() {
        StreamsAppConfig config = fromEnvironment(Map.of());
        assertThat(config.rules().fingerprint()).isEqualTo(RulesLoader.defaults().fingerprint());
        assertThat(config.policy()).isInstanceOf(RuleBasedPolicy.class);
        assertThat(config.metricsPort()).isEqualTo(io.coldframe.common.CommonConfigKeys.DEFAULT_OPS_PORT);
    }

    @Test
    void rulesFileAndOverridesComeFromTheEnvironment(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, """
                timestamp_field: updated_at
                rules:
                  - {name: recent, tier: HOT, when: {age: {at_most: 1d}}}
                  - {name: rest, tier: COLD}
                """);
        StreamsAppConfig config = fromEnvironment(Map.of(
                "COLDFRAME_TIERING_RULES_FILE", file.toString(),
                "COLDFRAME_TIERING_RULES_OVERRIDES", "recent.age.at_most=2d",
                "COLDFRAME_OPS_PORT", "0"));
        assertThat(config.rules().source()).isEqualTo(file.toString());
        assertThat(config.rules().timestampField()).isEqualTo("updated_at");
        assertThat(config.rules().rules().get(0).describe()).isEqualTo("age at most 2d -> HOT");
        assertThat(config.metricsPort()).isZero();
        assertThat(config.policy().fields().timestampField()).isEqualTo("updated_at");
    }

    @Test
    void anInvalidRulesFileFailsTheStartNamingKeyRuleAndField(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, """
                rules:
                  - {name: recent, tier: HOT, when: {age: {at_most: a week}}}
                  - {name: rest, tier: COLD}
                """);
        assertThatThrownBy(() -> fromEnvironment(Map.of("COLDFRAME_TIERING_RULES_FILE", file.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(StreamsAppConfig.RULES_FILE)
                .hasMessageContaining("rule 'recent' (#1), field when.age.at_most: not a duration: 'a week'");
        assertThatThrownBy(() -> fromEnvironment(Map.of("COLDFRAME_TIERING_RULES_OVERRIDES", "age-hot.age.at_most=-3d")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(StreamsAppConfig.RULES_OVERRIDES)
                .hasMessageContaining("rule 'age-hot' (#6), field when.age.at_most");
        assertThatThrownBy(() -> fromEnvironment(Map.of("COLDFRAME_TIERING_RULES_FILE", dir.resolve("nope.yaml").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read the rules file");
    }

    @Test
    void producerAndChangelogsTakeRecordsOfTheConfiguredSize() {
        StreamsAppConfig config = fromEnvironment(Map.of("COLDFRAME_KAFKA_MAX_RECORD_BYTES", "50000000"));
        assertThat(config.streamsProperties())
                .containsEntry("producer.max.request.size", 50_000_000)
                .containsEntry("producer.buffer.memory", 50_000_000L)
                .containsEntry("topic.max.message.bytes", "50000000");
        assertThat(config.maxChangeBytes()).isEqualTo(StreamsAppConfig.DEFAULT_CHANGE_MAX_BYTES);
    }

    @Test
    void tieringAndItsAnalyticsCommitAtTheConfiguredInterval() {
        assertThat(fromEnvironment(Map.of()).streamsProperties()).containsEntry("commit.interval.ms", 1_000L);
        StreamsAppConfig set = fromEnvironment(Map.of("COLDFRAME_STREAMS_COMMIT_INTERVAL_MS", "250"));
        assertThat(set.streamsProperties()).containsEntry("commit.interval.ms", 250L);
        assertThat(set.statsProperties()).containsEntry("commit.interval.ms", 250L);
        assertThatThrownBy(() -> fromEnvironment(Map.of("COLDFRAME_STREAMS_COMMIT_INTERVAL_MS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("streams.commit.interval.ms");
    }

    @Test
    void aChangeLimitTheTierRecordsCouldNotCarryFailsTheStartNamingTheKey() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("COLDFRAME_KAFKA_MAX_RECORD_BYTES", "33554432")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tiering.change.max.bytes").hasMessageContaining("kafka.max.record.bytes");
        assertThatThrownBy(() -> fromEnvironment(Map.of("COLDFRAME_KAFKA_MAX_RECORD_BYTES", "1000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("kafka.max.record.bytes");
    }

    @Test
    void theTierAnalyticsRunAsTheirOwnApplicationNamedAfterTieringsWithAConfiguredRetention() {
        StreamsAppConfig defaults = fromEnvironment(Map.of("COLDFRAME_STREAMS_APPLICATION_ID", "p-tiering"));
        assertThat(defaults.statsEnabled()).isTrue();
        assertThat(defaults.statsProperties()).containsEntry("application.id", "p-tiering-stats")
                .containsEntry("processing.guarantee", "exactly_once_v2");
        assertThat(defaults.streamsProperties()).containsEntry("application.id", "p-tiering");
        assertThat(defaults.statsRetention()).isEqualTo(java.time.Duration.ofDays(400));
        StreamsAppConfig set = fromEnvironment(Map.of("COLDFRAME_STATS_APPLICATION_ID", "analytics", "COLDFRAME_STATS_RETENTION_DAYS", "35"));
        assertThat(set.statsProperties()).containsEntry("application.id", "analytics");
        assertThat(set.statsRetention()).isEqualTo(java.time.Duration.ofDays(35));
        assertThatThrownBy(() -> fromEnvironment(Map.of("COLDFRAME_STATS_RETENTION_DAYS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("stats.retention.days");
    }
}
