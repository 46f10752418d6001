package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.coldframe.schemas.DailyStats;
import io.coldframe.schemas.StatsDimension;
import io.coldframe.schemas.Tier;

class StatsReportTest {

    /** A Wednesday. */
    private static final LocalDate TODAY = LocalDate.of(2026, 12, 2);
    private static final StatsReport REPORT = new StatsReport(0.5);

    private static DailyStats tier(LocalDate day, Tier tier, long entered, long removed, long fromCold) {
        return DailyStats.newBuilder().setDay(day).setTier(tier).setDimension(StatsDimension.ALL).setEntered(entered)
                .setEnteredBytes(entered * 10).setRemoved(removed).setFromCold(fromCold).build();
    }

    private static DailyStats archive(LocalDate day, long segments, long raw, long archive) {
        return DailyStats.newBuilder().setDay(day).setDimension(StatsDimension.ALL).setSegments(segments).setArchived(segments * 2)
                .setRawBytes(raw).setArchiveBytes(archive).setBytesSaved(raw - archive).setPurged(segments).build();
    }

    private static JsonNode report(List<DailyStats> cells, StatsReport.Period period, int days) {
        Map<String, Object> out = REPORT.report(cells, new StatsReport.TierCounts(5, 3, 7), 4, period, days, TODAY);
        return CatalogIndex.JSON.valueToTree(out);
    }

    private static final List<DailyStats> CELLS = List.of(
            tier(TODAY, Tier.HOT, 4, 1, 0), tier(TODAY, Tier.WARM, 1, 0, 1), tier(TODAY, Tier.COLD, 2, 0, 0),
            tier(TODAY.minusDays(1), Tier.HOT, 2, 0, 0), tier(TODAY.minusDays(1), Tier.COLD, 3, 0, 0),
            tier(TODAY.minusDays(3), Tier.HOT, 1, 0, 0),
            archive(TODAY, 1, 1_000, 300), archive(TODAY.minusDays(2), 2, 2_000, 700),
            // beyond the series asked for: in the byte totals, not in the points
            archive(TODAY.minusDays(40), 1, 500, 100));

    @Test
    void memoriesPerTierAreAnchoredOnTheLiveCountsAndWalkBackByEachDaysNetChange() {
        JsonNode out = report(CELLS, StatsReport.Period.DAY, 4);
        assertThat(out.path("tier_counts").path("hot").asLong()).isEqualTo(5);
        assertThat(out.path("memories").asLong()).isEqualTo(15);
        assertThat(out.path("agents").asLong()).isEqualTo(4);
        JsonNode points = out.path("series").path("points");
        assertThat(points).hasSize(4);
        assertThat(points.get(0).path("start").asText()).isEqualTo("2026-11-29");
        JsonNode today = points.get(3).path("tiers");
        assertThat(today.path("hot").path("memories").asLong()).isEqualTo(5);
        assertThat(today.path("hot").path("entered").asLong()).isEqualTo(4);
        assertThat(today.path("hot").path("left").asLong()).isEqualTo(1);
        assertThat(today.path("hot").path("entered_bytes").asLong()).isEqualTo(40);
        // cold's leaves are what entered warm or hot from cold
        assertThat(today.path("cold").path("left").asLong()).isEqualTo(1);
        JsonNode yesterday = points.get(2).path("tiers");
        assertThat(yesterday.path("hot").path("memories").asLong()).isEqualTo(5 - (4 - 1));
        assertThat(yesterday.path("warm").path("memories").asLong()).isEqualTo(3 - 1);
        assertThat(yesterday.path("cold").path("memories").asLong()).isEqualTo(7 - (2 - 1));
        assertThat(points.get(1).path("tiers").path("hot").path("memories").asLong()).isEqualTo(2 - 2);
        assertThat(points.get(1).path("tiers").path("cold").path("memories").asLong()).isEqualTo(6 - 3);
        assertThat(points.get(1).path("archive").path("segments").asLong()).isEqualTo(2);
        // never below zero, whatever the counts and the days disagree about
        assertThat(points.get(0).path("tiers").path("hot").path("memories").asLong()).isZero();
    }

    @Test
    void weeksAndMonthsAreSumsOfTheirDaysEndingWithTheLastDaysCounts() {
        JsonNode weeks = report(CELLS, StatsReport.Period.WEEK, 14).path("series");
        assertThat(weeks.path("period").asText()).isEqualTo("week");
        JsonNode points = weeks.path("points");
        // 14 days back from a Wednesday: part of one week, a whole week, and this week from Monday to today
        assertThat(points).hasSize(3);
        JsonNode thisWeek = points.get(2);
        assertThat(thisWeek.path("start").asText()).isEqualTo("2026-11-30");
        assertThat(thisWeek.path("end").asText()).isEqualTo("2026-12-02");
        assertThat(thisWeek.path("tiers").path("hot").path("entered").asLong()).isEqualTo(4 + 2);
        assertThat(thisWeek.path("tiers").path("hot").path("memories").asLong()).isEqualTo(5);
        assertThat(thisWeek.path("archive").path("raw_bytes").asLong()).isEqualTo(3_000);
        assertThat(points.get(1).path("tiers").path("hot").path("entered").asLong()).isEqualTo(1);
        assertThat(points.get(1).path("tiers").path("hot").path("memories").asLong()).isEqualTo(0);

        JsonNode months = report(CELLS, StatsReport.Period.MONTH, 60).path("series").path("points");
        assertThat(months).hasSize(3);
        assertThat(months.get(2).path("start").asText()).isEqualTo("2026-12-01");
        assertThat(months.get(1).path("start").asText()).isEqualTo("2026-11-01");
        assertThat(months.get(1).path("archive").path("segments").asLong()).isEqualTo(2);
        assertThat(months.get(0).path("archive").path("segments").asLong()).isEqualTo(1);
    }

    @Test
    void archiveBytesOfEveryRetainedDayAgainstRawAndAnEstimatedGzip() {
        JsonNode bytes = report(CELLS, StatsReport.Period.DAY, 1).path("bytes");
        assertThat(bytes.path("raw_bytes").asLong()).isEqualTo(3_500);
        assertThat(bytes.path("archive_bytes").asLong()).isEqualTo(1_100);
        assertThat(bytes.path("bytes_saved").asLong()).isEqualTo(2_400);
        assertThat(bytes.path("gzip_bytes_estimated").asLong()).isEqualTo(1_750);
        assertThat(bytes.path("gzip_estimate").asText()).contains("service.stats.gzip.ratio").contains("0.5");
        assertThat(bytes.path("archive_vs_gzip_estimated").asDouble()).isEqualTo(0.6286);
    }

    @Test
    void noDaysYetGivesTheLiveCountsAndZeroes() {
        JsonNode out = report(List.of(), StatsReport.Period.DAY, 2);
        assertThat(out.path("series").path("points")).hasSize(2);
        assertThat(out.path("series").path("points").get(0).path("tiers").path("cold").path("memories").asLong()).isEqualTo(7);
        assertThat(out.path("bytes").path("archive_vs_raw").isNull()).isTrue();
    }

    @Test
    void aBreakdownSumsOneDimensionsCellsOverTheDaysPerValueWithMemoriesWithoutOneLast() {
        List<DailyStats> cells = List.of(
                agent(TODAY, Tier.HOT, "agent-b", 2), agent(TODAY.minusDays(1), Tier.HOT, "agent-b", 3), agent(TODAY, Tier.COLD, "agent-a", 1),
                agent(TODAY, null, "agent-a", 5), agent(TODAY, Tier.WARM, null, 4),
                // outside the days asked for, and another dimension
                agent(TODAY.minusDays(9), Tier.HOT, "agent-b", 100),
                DailyStats.newBuilder().setDay(TODAY).setTier(Tier.HOT).setDimension(StatsDimension.TYPE).setValue("PLAN").setEntered(7).build());
        JsonNode by = CatalogIndex.JSON.valueToTree(StatsReport.breakdown(cells, StatsDimension.AGENT, TODAY.minusDays(1), TODAY));
        assertThat(by.path("dimension").asText()).isEqualTo("agent");
        JsonNode values = by.path("values");
        assertThat(values).hasSize(3);
        assertThat(values.get(0).path("value").asText()).isEqualTo("agent-a");
        assertThat(values.get(0).path("archived").asLong()).isEqualTo(5);
        assertThat(values.get(0).path("tiers").path("cold").path("entered").asLong()).isEqualTo(1);
        assertThat(values.get(1).path("value").asText()).isEqualTo("agent-b");
        assertThat(values.get(1).path("tiers").path("hot").path("entered").asLong()).isEqualTo(5);
        assertThat(values.get(1).path("tiers").path("hot").path("entered_bytes").asLong()).isEqualTo(50);
        assertThat(values.get(2).path("value").isNull()).isTrue();
        assertThat(values.get(2).path("tiers").path("warm").path("entered").asLong()).isEqualTo(4);
        assertThat(StatsReport.by(null)).isNull();
        assertThat(StatsReport.by("importance")).isEqualTo(StatsDimension.IMPORTANCE);
        assertThatThrownBy(() -> StatsReport.by("all")).hasMessageContaining("by must be");
        assertThatThrownBy(() -> StatsReport.by("rule")).hasMessageContaining("by must be");
    }

    private static DailyStats agent(LocalDate day, Tier tier, String agent, long n) {
        DailyStats.Builder cell = DailyStats.newBuilder().setDay(day).setTier(tier).setDimension(StatsDimension.AGENT).setValue(agent);
        return tier == null ? cell.setArchived(n).build() : cell.setEntered(n).setEnteredBytes(n * 10).build();
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        assertThat(StatsReport.period(null)).isEqualTo(StatsReport.Period.DAY);
        assertThat(StatsReport.period("Week")).isEqualTo(StatsReport.Period.WEEK);
        assertThat(StatsReport.days(null, StatsReport.Period.MONTH)).isEqualTo(365);
        assertThatThrownBy(() -> StatsReport.period("year")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period");
        assertThatThrownBy(() -> StatsReport.days("0", StatsReport.Period.DAY)).hasMessageContaining("days");
        assertThatThrownBy(() -> StatsReport.days("x", StatsReport.Period.DAY)).hasMessageContaining("days");
    }
}
