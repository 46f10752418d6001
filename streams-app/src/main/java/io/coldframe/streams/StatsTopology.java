package io.coldframe.streams;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

import io.coldframe.common.Topics;
import io.coldframe.schemas.DailyStats;
import io.coldframe.schemas.Tier;

/**
 * Tier analytics: the hot, warm and cold topics, commit events, purge results and restore marks, counted per UTC day
 * (tumbling windows on the records' timestamps) and cell ({@link StatsCells}) into {@code <prefix>.stats.daily}.
 * Every update of a cell publishes its day's whole count so far. The windows live in {@value #STORE} for
 * {@code retention}, and a record is counted as long as its day is retained (the grace period is the retention minus
 * the day), so the state holds at most retention's days of cells.
 */
public final class StatsTopology {

    /** The windowed store; its changelog is {@code <application id>-stats-daily-changelog}. */
    public static final String STORE = "stats-daily";
    /** Name of the repartition topic ({@code <application id>-stats-cells-repartition}) that brings a cell's increments together. */
    static final String CELLS = "stats-cells";
    static final Duration DAY = Duration.ofDays(1);

    private StatsTopology() {
    }

    public static Topology build(Topics topics, Duration retention) {
        if (retention.compareTo(DAY) < 0) {
            throw new IllegalArgumentException("stats retention must be at least one day, not " + retention);
        }
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, DailyStats> cells = tier(builder, topics.hot(), Tier.HOT)
                .merge(tier(builder, topics.warm(), Tier.WARM))
                .merge(tier(builder, topics.cold(), Tier.COLD))
                .merge(source(builder, topics.segmentsCommitted(), "commits").flatMap((k, v) -> StatsCells.commit(topics.segmentsCommitted(), k, v)))
                .merge(source(builder, topics.purgeResults(), "purges").flatMap((k, v) -> StatsCells.purge(topics.purgeResults(), k, v)))
                .merge(source(builder, topics.restores(), "restores").flatMap((k, v) -> StatsCells.restore(topics.restores(), k, v)));
        cells.groupByKey(Grouped.with(CELLS, Serdes.String(), StatsCells.STATS))
                .windowedBy(TimeWindows.ofSizeAndGrace(DAY, retention.minus(DAY)))
                .aggregate(StatsCells::zero, (cell, delta, total) -> StatsCells.add(total, delta),
                        Materialized.<String, DailyStats, WindowStore<Bytes, byte[]>>as(STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(StatsCells.STATS).withRetention(retention))
                .toStream(Named.as("stats-updates"))
                .map((window, total) -> {
                    LocalDate day = StatsCells.dayOf(window.window().startTime());
                    total.setDay(day);
                    return KeyValue.pair(StatsCells.topicKey(window.key(), day), total);
                }, Named.as("stats-by-day"))
                .to(topics.statsDaily(), Produced.with(Serdes.String(), StatsCells.STATS).withName("stats-sink"));
        return builder.build();
    }

    private static KStream<String, DailyStats> tier(StreamsBuilder builder, String topic, Tier tier) {
        return source(builder, topic, tier.name().toLowerCase(Locale.ROOT))
                .flatMap((k, v) -> StatsCells.tierRecord(tier, topic, k, v), Named.as("stats-" + tier.name().toLowerCase(Locale.ROOT)));
    }

    private static KStream<String, byte[]> source(StreamsBuilder builder, String topic, String name) {
        return builder.stream(List.of(topic), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("stats-source-" + name));
    }
}
