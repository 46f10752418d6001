package io.coldframe.streams;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.DailyStats;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.PurgeResult;
import io.coldframe.schemas.RestoreMark;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.schemas.StatsDimension;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;

/**
 * Turns one record of a tier, commit, purge or restore topic into the counter increments ({@link DailyStats} deltas)
 * of the cells it counts in, keyed by {@link #cellKey}. A tier change counts in four cells of its tier: ALL and its
 * agent, type and importance (per-dimension totals, not their product, so a day has tiers x (1 + agents + types +
 * importances) cells however they combine).
 */
final class StatsCells {

    private static final Logger LOG = LoggerFactory.getLogger(StatsCells.class);
    static final char SEP = '\u0000';
    /** The tier part of the archive's cells. */
    static final String ARCHIVE = "ARCHIVE";
    static final AvroSerde<DailyStats> STATS = AvroSerde.of(DailyStats.class);
    private static final AvroSerde<TierChange> CHANGES = AvroSerde.of(TierChange.class);
    private static final AvroSerde<SegmentCommitted> COMMITS = AvroSerde.of(SegmentCommitted.class);
    private static final AvroSerde<PurgeResult> PURGES = AvroSerde.of(PurgeResult.class);
    private static final AvroSerde<RestoreMark> RESTORES = AvroSerde.of(RestoreMark.class);

    private StatsCells() {
    }

    /** A record of the hot, warm or cold topic: a tier change, or (hot and warm) a tombstone when a memory left the tier. */
    static List<KeyValue<String, DailyStats>> tierRecord(Tier topicTier, String topic, String key, byte[] value) {
        if (value == null) {
            DailyStats removed = delta(topicTier, StatsDimension.ALL, null);
            removed.setRemoved(1L);
            return List.of(KeyValue.pair(cellKey(removed), removed));
        }
        TierChange change = decode(CHANGES, topic, key, value);
        if (change == null) {
            return List.of();
        }
        MemoryRecord memory = change.getMemory();
        Tier from = change.getFromTier();
        Tier to = change.getToTier();
        List<KeyValue<String, DailyStats>> out = new ArrayList<>(4);
        for (StatsDimension dimension : StatsDimension.values()) {
            String dimensionValue = switch (dimension) {
                case ALL -> null;
                case AGENT -> change.getAgent();
                case TYPE -> memory.getType();
                case IMPORTANCE -> memory.getImportance();
            };
            DailyStats cell = delta(to, dimension, dimensionValue);
            if (from == to) {
                cell.setUpdated(1L);
            } else {
                cell.setEntered(1L);
                cell.setEnteredBytes((long) memory.getSizeBytes());
                if (from == null) {
                    cell.setFirstSeen(1L);
                } else {
                    switch (from) {
                        case HOT -> cell.setFromHot(1L);
                        case WARM -> cell.setFromWarm(1L);
                        case COLD -> cell.setFromCold(1L);
                    }
                }
            }
            out.add(KeyValue.pair(cellKey(cell), cell));
        }
        return out;
    }

    /** A commit event: a segment and its memories (per agent too) and bytes. */
    static List<KeyValue<String, DailyStats>> commit(String topic, String key, byte[] value) {
        SegmentCommitted commit = value == null ? null : decode(COMMITS, topic, key, value);
        if (commit == null) {
            return List.of();
        }
        DailyStats all = delta(null, StatsDimension.ALL, null);
        all.setSegments(1L);
        all.setArchived((long) commit.getMemories().size());
        all.setRawBytes(commit.getRawBytes());
        all.setArchiveBytes(commit.getArchiveBytes());
        all.setBytesSaved(commit.getRawBytes() - commit.getArchiveBytes());
        List<KeyValue<String, DailyStats>> out = new ArrayList<>();
        out.add(KeyValue.pair(cellKey(all), all));
        Map<String, Long> perAgent = new TreeMap<>();
        commit.getMemories().forEach(m -> perAgent.merge(m.getAgent() == null ? "" : m.getAgent(), 1L, Long::sum));
        perAgent.forEach((agent, n) -> {
            DailyStats cell = delta(null, StatsDimension.AGENT, agent.isEmpty() ? null : agent);
            cell.setArchived(n);
            out.add(KeyValue.pair(cellKey(cell), cell));
        });
        return out;
    }

    static List<KeyValue<String, DailyStats>> purge(String topic, String key, byte[] value) {
        PurgeResult result = value == null ? null : decode(PURGES, topic, key, value);
        if (result == null) {
            return List.of();
        }
        DailyStats all = delta(null, StatsDimension.ALL, null);
        all.setPurged((long) result.getDeleted().size());
        all.setPurgeSkipped((long) result.getSkipped().size());
        return List.of(KeyValue.pair(cellKey(all), all));
    }

    /** A restore mark; a tombstone of the compacted restores topic (cleanup) restores nothing. */
    static List<KeyValue<String, DailyStats>> restore(String topic, String key, byte[] value) {
        if (value == null || decode(RESTORES, topic, key, value) == null) {
            return List.of();
        }
        DailyStats all = delta(null, StatsDimension.ALL, null);
        all.setRestored(1L);
        return List.of(KeyValue.pair(cellKey(all), all));
    }

    /** Another stage owns these topics and dead-letters what it cannot read; here an undecodable record is only skipped. */
    private static <T extends SpecificRecord> T decode(AvroSerde<T> serde, String topic, String key, byte[] value) {
        try {
            return serde.decode(value);
        } catch (SerializationException e) {
            LOG.warn("stats: skipped record with key {} of {}: {}", key, topic, e.getMessage());
            return null;
        }
    }

    private static DailyStats delta(Tier tier, StatsDimension dimension, String value) {
        return DailyStats.newBuilder().setDay(LocalDate.EPOCH).setTier(tier).setDimension(dimension).setValue(value).build();
    }

    /** The cell within a day: {@code dimension NUL tier|ARCHIVE NUL value}, value empty when null, else prefixed with '='. */
    static String cellKey(DailyStats cell) {
        return cell.getDimension().name() + SEP + (cell.getTier() == null ? ARCHIVE : cell.getTier().name()) + SEP
                + (cell.getValue() == null ? "" : "=" + cell.getValue());
    }

    /** The key on the stats topic: {@code dimension NUL day NUL tier|ARCHIVE NUL value}, so one dimension's days sort together. */
    static String topicKey(String cellKey, LocalDate day) {
        int sep = cellKey.indexOf(SEP);
        return cellKey.substring(0, sep) + SEP + day + cellKey.substring(sep);
    }

    static LocalDate dayOf(Instant windowStart) {
        return LocalDate.ofInstant(windowStart, ZoneOffset.UTC);
    }

    static DailyStats zero() {
        return delta(null, StatsDimension.ALL, null);
    }

    /** Adds every counter (each long field) of {@code delta} to {@code total}, which takes the delta's cell. */
    static DailyStats add(DailyStats total, DailyStats delta) {
        total.setTier(delta.getTier());
        total.setDimension(delta.getDimension());
        total.setValue(delta.getValue());
        for (Schema.Field field : DailyStats.getClassSchema().getFields()) {
            if (field.schema().getType() == Schema.Type.LONG) {
                total.put(field.pos(), (Long) total.get(field.pos()) + (Long) delta.get(field.pos()));
            }
        }
        return total;
    }
}
