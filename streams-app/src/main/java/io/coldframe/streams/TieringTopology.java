package io.coldframe.streams;

import java.time.Duration;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import io.coldframe.common.Topics;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.internal.TieringState;

/**
 * changes topic -> tiering processor (memory store + due index + meta store) -> hot, warm, cold and dead-letter
 * topics. All three stores are persistent (RocksDB) with changelogs.
 */
public final class TieringTopology {

    /** State store names; their changelog topics are {@code <application id>-<store>-changelog}. */
    public static final String MEMORY_STORE = "tiering-memories";
    public static final String DUE_INDEX_STORE = "tiering-due-index";
    /** Small bookkeeping: the fingerprint of the policy the memory store was last evaluated with. */
    public static final String META_STORE = "tiering-meta";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";
    private static final String SOURCE = "changes-source";
    private static final String PROCESSOR = "tiering";

    /** Default of {@code censusPerPunctuation}: memories counted per punctuation after a start. */
    public static final int DEFAULT_CENSUS_PER_PUNCTUATION = 100_000;

    private TieringTopology() {
    }

    /** The topology with metrics kept in memory only; see {@link #build(Topics, TierPolicy, Duration, int, int, TieringMetrics)}. */
    public static Topology build(Topics topics, TierPolicy policy, Duration punctuationInterval, int maxDuePerPunctuation) {
        return build(topics, policy, punctuationInterval, maxDuePerPunctuation, DEFAULT_CENSUS_PER_PUNCTUATION, TieringMetrics.inMemory(),
                RestoreHolds.NONE);
    }

    /** The topology with the default change-event limit; see {@link #build(Topics, TierPolicy, Duration, int, int, TieringMetrics, RestoreHolds, int)}. */
    public static Topology build(Topics topics, TierPolicy policy, Duration punctuationInterval, int maxDuePerPunctuation,
                                 int censusPerPunctuation, TieringMetrics metrics, RestoreHolds holds) {
        return build(topics, policy, punctuationInterval, maxDuePerPunctuation, censusPerPunctuation, metrics, holds,
                StreamsAppConfig.DEFAULT_CHANGE_MAX_BYTES);
    }

    /**
     * @param maxDuePerPunctuation at most this many due memories (or, after a rules change, memories re-evaluated)
     *                             per punctuation
     * @param censusPerPunctuation at most this many memories counted per punctuation while the per-tier counts are
     *                             rebuilt after a start
     * @param metrics              shared by every task of the topology
     * @param holds                restore holds: restored memories stay out of the cold tier until their hold ends
     * @param maxChangeBytes       larger change events are dead-lettered, not tiered
     */
    public static Topology build(Topics topics, TierPolicy policy, Duration punctuationInterval, int maxDuePerPunctuation,
                                 int censusPerPunctuation, TieringMetrics metrics, RestoreHolds holds, int maxChangeBytes) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.changes());
        topology.addProcessor(PROCESSOR,
                () -> new TieringProcessor(policy, punctuationInterval, maxDuePerPunctuation, censusPerPunctuation, metrics, holds,
                        maxChangeBytes),
                SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MEMORY_STORE),
                Serdes.String(), AvroSerde.of(TieringState.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DUE_INDEX_STORE),
                Serdes.Bytes(), Serdes.ByteArray()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(META_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        topology.addSink(sinkOf(Tier.HOT), topics.hot(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        topology.addSink(sinkOf(Tier.WARM), topics.warm(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        topology.addSink(sinkOf(Tier.COLD), topics.cold(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetter(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }

    static String sinkOf(Tier tier) {
        return tier.name().toLowerCase(java.util.Locale.ROOT) + "-sink";
    }
}
