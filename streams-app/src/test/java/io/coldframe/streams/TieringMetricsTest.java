package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.Counter;

import io.coldframe.schemas.Tier;

class TieringMetricsTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    @Test
    void countsTiersTransitionsBacklogPunctuationsAndDeadLetters(@TempDir Path stateDir) {
        try (TieringHarness tiering = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START, 2, 1000)) {
            for (int i = 0; i < 5; i++) {
                tiering.send(TieringHarness.memory("due-" + i, START.minus(DAY.multipliedBy(7)), "MEDIUM")); // warm 1 ms later
            }
            tiering.send(TieringHarness.memory("old", START.minus(DAY.multipliedBy(90)), "LOW"));
            tiering.changes.pipeInput(TieringHarness.utf8("k"), TieringHarness.utf8("not json"));

            assertThat(tiering.metrics.memories(Tier.HOT)).isEqualTo(5);
            assertThat(tiering.metrics.memories(Tier.COLD)).isEqualTo(1);
            assertThat(tiering.metrics.transitions()).isEqualTo(6);
            assertThat(tiering.metrics.deadLetters()).isEqualTo(1);
            assertThat(tiering.metrics.registry().get(TieringMetrics.DEAD_LETTERS).tag("field", "value").counter().count()).isEqualTo(1);

            tiering.advance(Duration.ofSeconds(10)); // budget 2 of 5 due
            assertThat(tiering.metrics.memories(Tier.WARM)).isEqualTo(2);
            assertThat(tiering.metrics.dueBacklog()).isEqualTo(3);
            tiering.advance(Duration.ofSeconds(10));
            tiering.advance(Duration.ofSeconds(10));
            assertThat(tiering.metrics.memories(Tier.HOT)).isZero();
            assertThat(tiering.metrics.memories(Tier.WARM)).isEqualTo(5);
            assertThat(tiering.metrics.dueBacklog()).isZero();
            assertThat(tiering.metrics.punctuations()).isEqualTo(3);
            assertThat(tiering.metrics.punctuationMemories()).isEqualTo(5);
            Counter hotToWarm = tiering.metrics.registry().get(TieringMetrics.TRANSITIONS)
                    .tags("from", "hot", "to", "warm", "rule", "age-warm").counter();
            assertThat(hotToWarm.count()).isEqualTo(5);
            assertThat(tiering.metrics.registry().get(TieringMetrics.TRANSITIONS).tags("from", "none", "to", "cold").counter().count())
                    .isEqualTo(1);

            tiering.delete("old");
            assertThat(tiering.metrics.memories(Tier.COLD)).isZero();
        }
    }

    @Test
    void countsAreRebuiltAfterARestartInBoundedStepsWhileMemoriesChange(@TempDir Path stateDir) {
        try (TieringHarness first = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START)) {
            for (String id : new String[] {"a", "b", "c", "d", "e"}) {
                first.send(TieringHarness.memory(id, START.minus(DAY), "HIGH"));
            }
            first.advance(Duration.ofSeconds(10)); // a punctuation records the policy fingerprint: no re-evaluation below
        }
        try (TieringHarness second = TieringHarness.open(stateDir, RuleBasedPolicy.defaults(), START.plusSeconds(60), 1000, 2)) {
            assertThat(second.metrics.memories(Tier.HOT)).as("nothing counted before the first punctuation").isZero();
            assertThat(second.metrics.registry().get(TieringMetrics.CENSUS_PENDING).gauge().value()).isEqualTo(1);
            second.advance(Duration.ofSeconds(10));
            assertThat(second.metrics.memories(Tier.HOT)).isEqualTo(2); // "a", "b"
            second.delete("a");                                                          // counted: count drops
            second.delete("d");                                                          // not counted yet: never counted
            second.send(TieringHarness.memory("f", START.minus(DAY.multipliedBy(90)), "LOW")); // after the cursor: counted by the walk
            second.send(TieringHarness.memory("0", START.minus(DAY.multipliedBy(90)), "LOW")); // before the cursor: counted now
            assertThat(second.metrics.memories(Tier.HOT)).isEqualTo(1);
            assertThat(second.metrics.memories(Tier.COLD)).isEqualTo(1);
            second.advance(Duration.ofSeconds(10));
            second.advance(Duration.ofSeconds(10));
            assertThat(second.metrics.registry().get(TieringMetrics.CENSUS_PENDING).gauge().value()).isZero();
            assertThat(second.metrics.memories(Tier.HOT)).isEqualTo(3); // b, c, e
            assertThat(second.metrics.memories(Tier.COLD)).isEqualTo(2); // 0, f
        }
    }

    @Test
    void prometheusEndpointServesTheMeters() throws Exception {
        TieringMetrics metrics = TieringMetrics.prometheus();
        metrics.transition(null, Tier.HOT, "age-hot");
        metrics.deadLetter("created_at");
        metrics.punctuation(3_000_000, 7);
        try (io.coldframe.common.ops.OpsServer server = io.coldframe.common.ops.OpsServer.builder("tiering").scrape(metrics::scrape).start(0)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(response.body())
                    .contains("coldframe_tiering_memories{tier=\"hot\"} 0.0")
                    .contains("coldframe_tiering_transitions_total{from=\"none\",rule=\"age-hot\",to=\"hot\"} 1.0")
                    .contains("coldframe_tiering_dead_letters_total{field=\"created_at\"} 1.0")
                    .contains("coldframe_tiering_punctuation_seconds_count 1")
                    .contains("coldframe_tiering_punctuation_memories_total 7.0")
                    .contains("coldframe_tiering_due_backlog 0.0");
        }
    }
}
