package io.coldframe.hotcache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.coldframe.schemas.MemoryRecord;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

/**
 * Applies a batch of tier records to Redis in pipelines: the agents of the batch's memories (one round trip), then
 * every write (one round trip), then trimming of agents over their cap. Each write is an idempotent script on one
 * agent's keys, so applying a batch again, as a replay from the committed offsets does, changes nothing.
 */
public final class RedisTierWriter {

    /** What one batch did. {@code missingMarkers}: resync markers Redis no longer holds (it lost data). */
    public record Outcome(int upserts, int removals, int trimmed, int notCacheable, Set<String> missingMarkers) {
    }

    private final UnifiedJedis redis;
    private final DocumentCodec codec;
    private final int agentCap;

    public RedisTierWriter(UnifiedJedis redis, DocumentCodec codec, int agentCap) {
        this.redis = redis;
        this.codec = codec;
        this.agentCap = agentCap;
    }

    /**
     * Writes {@code records} (in topic order per partition), the latest archive time per agent, and checks that
     * {@code markers} still exist. Throws a {@code JedisException} when Redis does not acknowledge; nothing is
     * then known to be written, and the caller replays the batch.
     */
    public Outcome apply(List<TierRecord> records, Map<String, Long> lastArchived, Set<String> markers) {
        Map<String, TierRecord> latest = latestPerMemoryAndTier(records);
        Map<String, String> owners = owners(latest.values());
        Map<String, String> addedAgents = new HashMap<>();
        for (TierRecord record : latest.values()) {
            if (!record.tombstone()) {
                addedAgents.put(record.memoryId(), record.change().getAgent());
            }
        }
        int upserts = 0;
        int notCacheable = 0;
        Map<String, List<Response<Object>>> cards = new LinkedHashMap<>();
        Map<String, Response<Object>> removals = new LinkedHashMap<>();
        Map<String, Response<Boolean>> markerChecks = new LinkedHashMap<>();
        try (AbstractPipeline pipeline = redis.pipelined()) {
            for (String marker : markers) {
                markerChecks.put(marker, pipeline.exists(marker));
            }
            for (TierRecord record : latest.values()) {
                String owner = owners.get(record.memoryId());
                if (record.tombstone()) {
                    String agent = owner != null ? owner : addedAgents.get(record.memoryId());
                    if (HotKeys.cacheable(agent)) {
                        removals.put(agent + '\u0000' + record.memoryId(),
                                remove(pipeline, agent, record.memoryId(), record.tier(), Long.toString(record.timestamp())));
                    }
                    continue;
                }
                String agent = record.change().getAgent();
                if (owner != null && !owner.equals(agent)) {
                    // the document moved to another agent: it leaves the old agent's keys
                    remove(pipeline, owner, record.memoryId(), "", Long.toString(record.timestamp()));
                    pipeline.del(HotKeys.owner(record.memoryId()));
                }
                if (!HotKeys.cacheable(agent)) {
                    notCacheable++;
                    continue;
                }
                cards.computeIfAbsent(agent, a -> new ArrayList<>()).add(upsert(pipeline, agent, record));
                pipeline.set(HotKeys.owner(record.memoryId()), agent);
                upserts++;
            }
            lastArchived.forEach((agent, ms) -> keepLatest(pipeline, agent, HotKeys.LAST_ARCHIVED, ms));
            pipeline.sync();
        }
        int removed = forgetOwnersOfRemoved(removals, addedAgents.keySet());
        int trimmed = trim(cards);
        Set<String> missing = new LinkedHashSet<>();
        markerChecks.forEach((marker, exists) -> {
            if (!exists.get()) {
                missing.add(marker);
            }
        });
        return new Outcome(upserts, removed, trimmed, notCacheable, missing);
    }

    /** Compaction within the batch: only the last record of a memory per tier topic matters. */
    private static Map<String, TierRecord> latestPerMemoryAndTier(List<TierRecord> records) {
        Map<String, TierRecord> latest = new LinkedHashMap<>();
        for (TierRecord record : records) {
            String key = record.tier() + '\u0000' + record.memoryId();
            latest.remove(key);
            latest.put(key, record);
        }
        return latest;
    }

    private Map<String, String> owners(Iterable<TierRecord> records) {
        Map<String, Response<String>> pending = new LinkedHashMap<>();
        try (AbstractPipeline pipeline = redis.pipelined()) {
            for (TierRecord record : records) {
                pending.computeIfAbsent(record.memoryId(), id -> pipeline.get(HotKeys.owner(id)));
            }
            pipeline.sync();
        }
        Map<String, String> owners = new HashMap<>();
        pending.forEach((id, agent) -> {
            if (agent.get() != null) {
                owners.put(id, agent.get());
            }
        });
        return owners;
    }

    private Response<Object> upsert(AbstractPipeline pipeline, String agent, TierRecord record) {
        MemoryRecord memory = record.change().getMemory();
        byte[] stored = codec.encode(memory.getDocument());
        return pipeline.eval(HotScripts.UPSERT, keys(agent, record.memoryId()), List.of(
                HotKeys.utf8(record.memoryId()),
                HotKeys.utf8(Long.toString(memory.getCreatedAt().toEpochMilli())),
                HotKeys.utf8(record.tier()),
                HotKeys.utf8(Long.toString(record.timestamp())),
                stored,
                HotKeys.utf8(memory.getVersion()),
                HotKeys.utf8(Integer.toString(memory.getSizeBytes())),
                HotKeys.utf8(Integer.toString(stored.length))));
    }

    private static void keepLatest(AbstractPipeline pipeline, String agent, String field, long ms) {
        pipeline.eval(HotScripts.KEEP_LATEST, List.of(HotKeys.utf8(HotKeys.metadata(agent))),
                List.of(HotKeys.utf8(field), HotKeys.utf8(Long.toString(ms))));
    }

    private static Response<Object> remove(AbstractPipeline pipeline, String agent, String memoryId, String tier, String ts) {
        return pipeline.eval(HotScripts.REMOVE, keys(agent, memoryId),
                List.of(HotKeys.utf8(memoryId), HotKeys.utf8(tier), HotKeys.utf8(ts)));
    }

    private static List<byte[]> keys(String agent, String memoryId) {
        return List.of(HotKeys.utf8(HotKeys.memory(agent, memoryId)), HotKeys.utf8(HotKeys.memories(agent)),
                HotKeys.utf8(HotKeys.metadata(agent)));
    }

    /**
     * A removed memory's owner entry goes too; one kept (cached in the other tier) keeps it, and so does one the batch
     * also added (moved from hot to warm within the batch).
     */
    private int forgetOwnersOfRemoved(Map<String, Response<Object>> removals, Set<String> added) {
        List<String> removedIds = new ArrayList<>();
        int removed = 0;
        for (Map.Entry<String, Response<Object>> entry : removals.entrySet()) {
            if (((Long) entry.getValue().get()) == 1L) {
                removed++;
                String memoryId = entry.getKey().substring(entry.getKey().indexOf('\u0000') + 1);
                if (!added.contains(memoryId)) {
                    removedIds.add(memoryId);
                }
            }
        }
        if (!removedIds.isEmpty()) {
            try (AbstractPipeline pipeline = redis.pipelined()) {
                removedIds.forEach(id -> pipeline.del(HotKeys.owner(id)));
                pipeline.sync();
            }
        }
        return removed;
    }

    /** Agents over the cap lose their oldest memories from Redis (they stay in MongoDB). */
    private int trim(Map<String, List<Response<Object>>> cards) {
        Map<String, Response<List<Tuple>>> oldest = new LinkedHashMap<>();
        try (AbstractPipeline pipeline = redis.pipelined()) {
            cards.forEach((agent, responses) -> {
                long count = responses.stream().mapToLong(card -> (Long) card.get()).max().orElse(0);
                if (count > agentCap) {
                    oldest.put(agent, pipeline.zrangeWithScores(HotKeys.memories(agent), 0, count - agentCap - 1));
                }
            });
            pipeline.sync();
        }
        if (oldest.isEmpty()) {
            return 0;
        }
        int trimmed = 0;
        try (AbstractPipeline pipeline = redis.pipelined()) {
            for (Map.Entry<String, Response<List<Tuple>>> entry : oldest.entrySet()) {
                long newestTrimmed = Long.MIN_VALUE;
                for (Tuple member : entry.getValue().get()) {
                    remove(pipeline, entry.getKey(), member.getElement(), "", HotScripts.ANY_TIME);
                    pipeline.del(HotKeys.owner(member.getElement()));
                    newestTrimmed = Math.max(newestTrimmed, (long) member.getScore());
                    trimmed++;
                }
                // what `hot-cache check` needs to tell a trimmed memory from a lost one
                keepLatest(pipeline, entry.getKey(), HotKeys.TRIMMED_BEFORE, newestTrimmed);
            }
            pipeline.sync();
        }
        return trimmed;
    }
}
