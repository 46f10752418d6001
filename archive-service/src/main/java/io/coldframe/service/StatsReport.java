package io.coldframe.service;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.coldframe.schemas.DailyStats;
import io.coldframe.schemas.StatsDimension;
import io.coldframe.schemas.Tier;

/**
 * The analytics part of {@code GET /stats}: tier counts, agents and memories, archive bytes against raw and gzip, and
 * the daily, weekly or monthly series from the {@code ALL} cells of {@code <prefix>.stats.daily}. Weeks (ISO, from
 * Monday) and months are sums of their days, computed here rather than stored. Memories per tier at the end of a
 * period are anchored on the live counts: today's are the counts now, an earlier day's are the next day's minus that
 * next day's net change, so they stay right however many days the retention dropped.
 */
final class StatsReport {

    enum Period { DAY, WEEK, MONTH }

    static final int MAX_DAYS = 36_600;

    /** The live memories per tier: hot and warm as the tier topics say, cold as archived (the catalog's memories). */
    record TierCounts(long hot, long warm, long cold) {
        long of(Tier tier) {
            return switch (tier) {
                case HOT -> hot;
                case WARM -> warm;
                case COLD -> cold;
            };
        }
    }

    private final double gzipRatio;

    StatsReport(double gzipRatio) {
        this.gzipRatio = gzipRatio;
    }

    static Period period(String raw) {
        if (raw == null || raw.isBlank()) {
            return Period.DAY;
        }
        try {
            return Period.valueOf(raw.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("period must be day, week or month, not '" + raw + "'");
        }
    }

    /** The dimension a breakdown is asked for ({@code by=agent|type|importance}), or null for none. */
    static StatsDimension by(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String name = raw.strip().toUpperCase(Locale.ROOT);
        if (!name.equals(StatsDimension.ALL.name())) {
            for (StatsDimension dimension : StatsDimension.values()) {
                if (dimension.name().equals(name)) {
                    return dimension;
                }
            }
        }
        throw new IllegalArgumentException("by must be agent, type or importance, not '" + raw + "'");
    }

    /**
     * Per value of one dimension over the days from {@code from} to {@code today}: what entered each tier, the updates,
     * and (agents) what was archived; values sorted, a memory without one under null.
     */
    static Map<String, Object> breakdown(List<DailyStats> cells, StatsDimension dimension, LocalDate from, LocalDate today) {
        Map<String, Map<String, Object>> byValue = new TreeMap<>();
        Map<String, Object> none = null;
        for (DailyStats cell : cells) {
            if (cell.getDimension() != dimension || cell.getDay().isBefore(from) || cell.getDay().isAfter(today)) {
                continue;
            }
            Map<String, Object> value;
            if (cell.getValue() == null) {
                none = none != null ? none : newValue(null);
                value = none;
            } else {
                value = byValue.computeIfAbsent(cell.getValue(), StatsReport::newValue);
            }
            if (cell.getTier() == null) {
                value.merge("archived", cell.getArchived(), (a, b) -> (Long) a + (Long) b);
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Long> tier = (Map<String, Long>) ((Map<String, Object>) value.get("tiers")).get(name(cell.getTier()));
                tier.merge("entered", cell.getEntered(), Long::sum);
                tier.merge("entered_bytes", cell.getEnteredBytes(), Long::sum);
                tier.merge("updated", cell.getUpdated(), Long::sum);
            }
        }
        List<Map<String, Object>> values = new ArrayList<>(byValue.values());
        if (none != null) {
            values.add(none);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dimension", dimension.name().toLowerCase(Locale.ROOT));
        out.put("from", from.toString());
        out.put("to", today.toString());
        out.put("values", values);
        return out;
    }

    private static Map<String, Object> newValue(String name) {
        Map<String, Object> tiers = new LinkedHashMap<>();
        for (Tier tier : Tier.values()) {
            Map<String, Long> counts = new LinkedHashMap<>();
            counts.put("entered", 0L);
            counts.put("entered_bytes", 0L);
            counts.put("updated", 0L);
            tiers.put(name(tier), counts);
        }
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("value", name);
        value.put("tiers", tiers);
        value.put("archived", 0L);
        return value;
    }

    /** Days covered when none are asked for: a month of days, 12 weeks, a year of months. */
    static int days(String raw, Period period) {
        if (raw == null || raw.isBlank()) {
            return switch (period) {
                case DAY -> 30;
                case WEEK -> 84;
                case MONTH -> 365;
            };
        }
        try {
            int days = Integer.parseInt(raw.strip());
            if (days >= 1 && days <= MAX_DAYS) {
                return days;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("days must be a whole number from 1 to " + MAX_DAYS + ", not '" + raw + "'");
    }

    /**
     * @param cells   the stats topic's {@code ALL} cells of every retained day
     * @param agents  agents with memories in a tier or the archive
     */
    Map<String, Object> report(List<DailyStats> cells, TierCounts now, long agents, Period period, int days, LocalDate today) {
        Map<LocalDate, Map<Tier, DailyStats>> tierDays = new TreeMap<>();
        Map<LocalDate, DailyStats> archiveDays = new TreeMap<>();
        long raw = 0;
        long archive = 0;
        long saved = 0;
        for (DailyStats cell : cells) {
            if (cell.getDimension() != StatsDimension.ALL || cell.getDay().isAfter(today)) {
                continue;
            }
            if (cell.getTier() == null) {
                archiveDays.put(cell.getDay(), cell);
                raw += cell.getRawBytes();
                archive += cell.getArchiveBytes();
                saved += cell.getBytesSaved();
            } else {
                tierDays.computeIfAbsent(cell.getDay(), d -> new EnumMap<>(Tier.class)).put(cell.getTier(), cell);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> tierCounts = new LinkedHashMap<>();
        for (Tier tier : Tier.values()) {
            tierCounts.put(name(tier), now.of(tier));
        }
        out.put("tier_counts", tierCounts);
        out.put("agents", agents);
        out.put("memories", now.hot() + now.warm() + now.cold());
        out.put("bytes", bytes(raw, archive, saved));
        out.put("series", series(tierDays, archiveDays, now, period, days, today));
        return out;
    }

    private Map<String, Object> bytes(long raw, long archive, long saved) {
        long gzip = Math.round(raw * gzipRatio);
        Map<String, Object> bytes = new LinkedHashMap<>();
        bytes.put("raw_bytes", raw);
        bytes.put("archive_bytes", archive);
        bytes.put("bytes_saved", saved);
        bytes.put("gzip_bytes_estimated", gzip);
        bytes.put("gzip_estimate", "raw_bytes x " + gzipRatio + " (" + ArchiveServiceConfig.STATS_GZIP_RATIO
                + "): segments record no gzip size; the default is gzip -9 of the demo corpus against its BSON bytes");
        bytes.put("archive_vs_raw", raw == 0 ? null : round((double) archive / raw));
        bytes.put("archive_vs_gzip_estimated", gzip == 0 ? null : round((double) archive / gzip));
        bytes.put("over", "segments committed in the retained days of the stats topic");
        return bytes;
    }

    private static Map<String, Object> series(Map<LocalDate, Map<Tier, DailyStats>> tierDays, Map<LocalDate, DailyStats> archiveDays,
                                              TierCounts now, Period period, int days, LocalDate today) {
        LocalDate from = today.minusDays(days - 1L);
        // memories per tier at the end of each day, from today back to the first day of the series
        Map<LocalDate, Map<Tier, Long>> endOf = new TreeMap<>();
        Map<Tier, Long> running = new EnumMap<>(Tier.class);
        for (Tier tier : Tier.values()) {
            running.put(tier, now.of(tier));
        }
        for (LocalDate day = today; !day.isBefore(from); day = day.minusDays(1)) {
            endOf.put(day, new EnumMap<>(running));
            Map<Tier, DailyStats> cells = tierDays.getOrDefault(day, Map.of());
            for (Tier tier : Tier.values()) {
                running.put(tier, Math.max(0, running.get(tier) - (entered(cells, tier) - left(cells, tier))));
            }
        }
        List<Map<String, Object>> points = new ArrayList<>();
        for (LocalDate start = startOf(from, period); !start.isAfter(today); start = next(start, period)) {
            LocalDate first = start.isBefore(from) ? from : start;
            LocalDate last = next(start, period).minusDays(1);
            last = last.isAfter(today) ? today : last;
            points.add(point(first, last, tierDays, archiveDays, endOf.get(last)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("period", period.name().toLowerCase(Locale.ROOT));
        out.put("days", days);
        out.put("from", from.toString());
        out.put("to", today.toString());
        out.put("points", points);
        return out;
    }

    private static Map<String, Object> point(LocalDate first, LocalDate last, Map<LocalDate, Map<Tier, DailyStats>> tierDays,
                                             Map<LocalDate, DailyStats> archiveDays, Map<Tier, Long> memoriesAtEnd) {
        Map<String, Object> tiers = new LinkedHashMap<>();
        for (Tier tier : Tier.values()) {
            long entered = 0;
            long enteredBytes = 0;
            long left = 0;
            long updated = 0;
            for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
                Map<Tier, DailyStats> cells = tierDays.getOrDefault(day, Map.of());
                DailyStats cell = cells.get(tier);
                entered += entered(cells, tier);
                left += left(cells, tier);
                if (cell != null) {
                    enteredBytes += cell.getEnteredBytes();
                    updated += cell.getUpdated();
                }
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("memories", memoriesAtEnd.get(tier));
            t.put("entered", entered);
            t.put("entered_bytes", enteredBytes);
            t.put("left", left);
            t.put("updated", updated);
            tiers.put(name(tier), t);
        }
        DailyStats sum = DailyStats.newBuilder().setDay(first).setDimension(StatsDimension.ALL).build();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            DailyStats cell = archiveDays.get(day);
            if (cell != null) {
                sum.setSegments(sum.getSegments() + cell.getSegments());
                sum.setArchived(sum.getArchived() + cell.getArchived());
                sum.setRawBytes(sum.getRawBytes() + cell.getRawBytes());
                sum.setArchiveBytes(sum.getArchiveBytes() + cell.getArchiveBytes());
                sum.setBytesSaved(sum.getBytesSaved() + cell.getBytesSaved());
                sum.setPurged(sum.getPurged() + cell.getPurged());
                sum.setRestored(sum.getRestored() + cell.getRestored());
            }
        }
        Map<String, Object> archive = new LinkedHashMap<>();
        archive.put("segments", sum.getSegments());
        archive.put("archived", sum.getArchived());
        archive.put("raw_bytes", sum.getRawBytes());
        archive.put("archive_bytes", sum.getArchiveBytes());
        archive.put("bytes_saved", sum.getBytesSaved());
        archive.put("purged", sum.getPurged());
        archive.put("restored", sum.getRestored());
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("start", first.toString());
        point.put("end", last.toString());
        point.put("tiers", tiers);
        point.put("archive", archive);
        return point;
    }

    private static long entered(Map<Tier, DailyStats> cells, Tier tier) {
        DailyStats cell = cells.get(tier);
        return cell == null ? 0 : cell.getEntered();
    }

    /** Hot and warm: their tombstones (moved on or deleted). Cold has none: what left it entered hot or warm from cold. */
    private static long left(Map<Tier, DailyStats> cells, Tier tier) {
        if (tier != Tier.COLD) {
            DailyStats cell = cells.get(tier);
            return cell == null ? 0 : cell.getRemoved();
        }
        long left = 0;
        for (Tier other : List.of(Tier.HOT, Tier.WARM)) {
            DailyStats cell = cells.get(other);
            left += cell == null ? 0 : cell.getFromCold();
        }
        return left;
    }

    private static LocalDate startOf(LocalDate day, Period period) {
        return switch (period) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
        };
    }

    private static LocalDate next(LocalDate start, Period period) {
        return switch (period) {
            case DAY -> start.plusDays(1);
            case WEEK -> start.plusWeeks(1);
            case MONTH -> start.plusMonths(1);
        };
    }

    private static String name(Tier tier) {
        return tier.name().toLowerCase(Locale.ROOT);
    }

    private static double round(double ratio) {
        return Math.round(ratio * 10_000) / 10_000.0;
    }
}
