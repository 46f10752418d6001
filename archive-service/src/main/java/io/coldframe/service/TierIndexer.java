package io.coldframe.service;

import java.util.Locale;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.TierChange;

/**
 * Materializes the compacted hot and warm tier topics (keyed by memory id, {@link TierChange} values, a tombstone when
 * a memory leaves the tier) into {@value CatalogTopology#TIERS}: memory id -> {@code tier NUL agent}, and per-agent
 * counts in {@value CatalogTopology#TIER_COUNTS}. The tiering app decides tiers; this only remembers its decisions.
 * A memory moving from hot to warm gets a warm record and a hot tombstone, in either order: a tombstone removes the
 * memory only while the store still has it in that tombstone's tier.
 */
final class TierIndexer implements Processor<String, byte[], Void, Void> {

    static final String HOT = "hot";
    static final String WARM = "warm";
    private static final AvroSerde<TierChange> CHANGES = AvroSerde.of(TierChange.class);

    private final String hotTopic;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, String> tiers;
    private KeyValueStore<String, Long> counts;

    TierIndexer(String hotTopic) {
        this.hotTopic = hotTopic;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        tiers = context.getStateStore(CatalogTopology.TIERS);
        counts = context.getStateStore(CatalogTopology.TIER_COUNTS);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String memoryId = record.key();
        if (memoryId == null) {
            return;
        }
        String topicTier = context.recordMetadata().map(RecordMetadata::topic).map(t -> t.equals(hotTopic) ? HOT : WARM).orElse(null);
        String previous = tiers.get(memoryId);
        if (record.value() == null) {
            if (previous != null && tierOf(previous).equals(topicTier)) {
                tiers.delete(memoryId);
                add(previous, -1);
            }
            return;
        }
        TierChange change;
        try {
            change = CHANGES.decode(record.value());
        } catch (SerializationException e) {
            return; // not a tier change: skipped, as the catalog indexer skips what is not an entry
        }
        String now = value(change.getToTier().name().toLowerCase(Locale.ROOT), change.getAgent());
        if (previous != null) {
            add(previous, -1);
        }
        tiers.put(memoryId, now);
        add(now, 1);
    }

    static String value(String tier, String agent) {
        return tier + CatalogTopology.SEP + (agent == null ? CatalogTopology.NO_AGENT : agent);
    }

    static String tierOf(String value) {
        return value.substring(0, value.indexOf(CatalogTopology.SEP));
    }

    static String agentOf(String value) {
        return value.substring(value.indexOf(CatalogTopology.SEP) + 1);
    }

    /** Count key of an agent's memories in a tier. */
    static String countKey(String agent, String tier) {
        return CatalogTopology.TIER_COUNT_KIND + CatalogTopology.SEP + agent + CatalogTopology.SEP + tier;
    }

    private void add(String value, long delta) {
        String key = countKey(agentOf(value), tierOf(value));
        Long n = counts.get(key);
        long next = (n == null ? 0 : n) + delta;
        if (next <= 0) {
            counts.delete(key);
        } else {
            counts.put(key, next);
        }
    }
}
