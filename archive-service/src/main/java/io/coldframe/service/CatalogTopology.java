package io.coldframe.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import io.coldframe.common.Topics;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;

/**
 * The indexed catalog: the compacted catalog topic materialized into partitioned RocksDB stores, one task per catalog
 * partition, each store with a changelog so a moved partition is rebuilt on its new instance and a restart with its
 * state directory reads only what was written since its checkpoint.
 * <ul>
 *   <li>{@value #BY_ID}: memory id -> latest {@link CatalogEntry};</li>
 *   <li>{@value #BY_AGENT}: {@code agent NUL inverted time NUL memory id} -> memory id, so a range scan gives one agent's
 *       archived memories newest first between two times (time: the memory's created_at, else when it was archived);</li>
 *   <li>{@value #BY_SEGMENT}: {@code segment id NUL memory id} -> memory id;</li>
 *   <li>{@value #COUNTS}: {@code a NUL agent} and {@code s NUL segment id} -> memories whose latest entry is theirs;</li>
 *   <li>{@value #TIERS} and {@value #TIER_COUNTS}, from the hot and warm tier topics ({@link TierIndexer}): the tier of each
 *       memory still in MongoDB, and {@code t NUL agent NUL tier} -> memories.</li>
 * </ul>
 * The catalog topic is keyed by memory id, so an id lookup goes to the one instance owning its partition; agent and
 * segment queries ask every instance for its partitions and merge. The tier stores are a sub-topology of their own,
 * partitioned like the tier topics (also keyed by memory id).
 * <p>{@value #DAILY_STATS} is a global store of the small stats topic (every instance holds every day, so
 * {@code GET /stats} asks no other instance); it keeps the topic's bytes as they are, so restoring it from the topic is
 * a copy.
 */
public final class CatalogTopology {

    public static final String BY_ID = "catalog-by-id";
    public static final String BY_AGENT = "catalog-by-agent";
    public static final String BY_SEGMENT = "catalog-by-segment";
    public static final String COUNTS = "catalog-counts";
    public static final String TIERS = "memory-tiers";
    public static final String TIER_COUNTS = "tier-counts";
    /** Global store of the stats topic: its key -> the latest single-object-encoded {@code DailyStats}. */
    public static final String DAILY_STATS = "daily-stats";
    /** Count kind of the per-agent tier counts (in {@value #TIER_COUNTS}; the catalog's kinds are "a" and "s"). */
    static final String TIER_COUNT_KIND = "t";
    static final AvroSerde<CatalogEntry> ENTRIES = AvroSerde.of(CatalogEntry.class);
    static final char SEP = '\u0000';
    /** Agent of entries without one. */
    public static final String NO_AGENT = "";

    private CatalogTopology() {
    }

    public static Topology build(Topics topics) {
        Topology topology = new Topology();
        topology.addSource("catalog", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.catalog());
        topology.addProcessor("index", Indexer::new, "catalog");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BY_ID), Serdes.String(), ENTRIES), "index");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BY_AGENT), Serdes.String(), Serdes.String()), "index");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BY_SEGMENT), Serdes.String(), Serdes.String()), "index");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COUNTS), Serdes.String(), Serdes.Long()), "index");
        topology.addSource("tiers", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.hot(), topics.warm());
        topology.addProcessor("tier-index", () -> new TierIndexer(topics.hot()), "tiers");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIERS), Serdes.String(), Serdes.String()), "tier-index");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIER_COUNTS), Serdes.String(), Serdes.Long()),
                "tier-index");
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DAILY_STATS), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(), "daily-stats-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.statsDaily(), "daily-stats-index", LatestByKey::new);
        return topology;
    }

    /** The time an entry sorts by in its agent's timeline. */
    public static Instant timeOf(CatalogEntry entry) {
        return entry.getCreatedAt() != null ? entry.getCreatedAt() : entry.getArchivedAt();
    }

    public static String agentOf(CatalogEntry entry) {
        return entry.getAgent() == null ? NO_AGENT : entry.getAgent();
    }

    /** Timeline keys sort newest first: the time is stored as Long.MAX_VALUE - millis, fixed width. */
    static String agentKey(String agent, long millis, String memoryId) {
        return agent + SEP + inverted(millis) + SEP + memoryId;
    }

    static String inverted(long millis) {
        return String.format("%019d", Long.MAX_VALUE - Math.max(0, millis));
    }

    static String segmentKey(String segmentId, String memoryId) {
        return segmentId + SEP + memoryId;
    }

    static String agentCountKey(String agent) {
        return "a" + SEP + agent;
    }

    static String segmentCountKey(String segmentId) {
        return "s" + SEP + segmentId;
    }

    /** Keeps the stores in step: an entry replaces its memory's previous one in every index; a tombstone removes it. */
    static final class Indexer implements Processor<String, byte[], Void, Void> {
        private KeyValueStore<String, CatalogEntry> byId;
        private KeyValueStore<String, String> byAgent;
        private KeyValueStore<String, String> bySegment;
        private KeyValueStore<String, Long> counts;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            byId = context.getStateStore(BY_ID);
            byAgent = context.getStateStore(BY_AGENT);
            bySegment = context.getStateStore(BY_SEGMENT);
            counts = context.getStateStore(COUNTS);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            CatalogEntry entry = null;
            if (record.value() != null) {
                try {
                    entry = ENTRIES.decode(record.value());
                } catch (SerializationException e) {
                    return; // not a catalog entry: skipped, as ArchiveCatalog skips it
                }
            }
            String memoryId = record.key() != null ? record.key() : entry != null ? entry.getMemoryId() : null;
            if (memoryId == null) {
                return;
            }
            CatalogEntry previous = byId.get(memoryId);
            if (previous != null) {
                byAgent.delete(agentKey(agentOf(previous), timeOf(previous).toEpochMilli(), memoryId));
                bySegment.delete(segmentKey(previous.getSegmentId(), memoryId));
                add(agentCountKey(agentOf(previous)), -1);
                add(segmentCountKey(previous.getSegmentId()), -1);
            }
            if (entry == null) {
                byId.delete(memoryId);
                return;
            }
            byId.put(memoryId, entry);
            byAgent.put(agentKey(agentOf(entry), timeOf(entry).toEpochMilli(), memoryId), memoryId);
            bySegment.put(segmentKey(entry.getSegmentId(), memoryId), memoryId);
            add(agentCountKey(agentOf(entry)), 1);
            add(segmentCountKey(entry.getSegmentId()), 1);
        }

        private void add(String key, long delta) {
            Long now = counts.get(key);
            long next = (now == null ? 0 : now) + delta;
            if (next <= 0) {
                counts.delete(key);
            } else {
                counts.put(key, next);
            }
        }
    }

    /** Keeps the latest value of each key of the compacted stats topic; a tombstone removes the key. */
    static final class LatestByKey implements Processor<String, byte[], Void, Void> {
        private KeyValueStore<String, byte[]> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(DAILY_STATS);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
