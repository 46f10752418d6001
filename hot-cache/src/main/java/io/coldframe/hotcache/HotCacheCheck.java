package io.coldframe.hotcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.KafkaConnection;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

/**
 * Compares Redis with the compacted tier topics the hot-cache keeps it equal to ({@code coldframe hot-cache check}).
 * Per agent, Redis must hold exactly the topics' memories (same version and tier), except those no newer than the
 * newest memory the per-agent cap trimmed ({@code trimmed_before} in the agent's metadata), and no more than the cap.
 * The metadata counts must match what is cached. A hot-cache that is still catching up is given until {@code wait} to converge.
 */
public final class HotCacheCheck implements AutoCloseable {

    /** One difference: {@code missing}, {@code extra}, {@code different} or {@code metadata}. */
    public record Difference(String kind, String agent, String memoryId, String detail) {
    }

    public record Report(int agents, long memoriesInTopics, long memoriesInRedis, long trimmed, List<Difference> differences) {

        public boolean consistent() {
            return differences.isEmpty();
        }

        /** The report as JSON-ready values, the first {@code shown} differences listed. */
        public Map<String, Object> toJson(int shown) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("consistent", consistent());
            out.put("agents", agents);
            out.put("memories_in_topics", memoriesInTopics);
            out.put("memories_in_redis", memoriesInRedis);
            out.put("trimmed_by_cap", trimmed);
            out.put("differences", differences.size());
            out.put("first_differences", differences.stream().limit(shown).map(d -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kind", d.kind());
                m.put("agent", d.agent());
                m.put("memory_id", d.memoryId());
                m.put("detail", d.detail());
                return m;
            }).toList());
            return out;
        }
    }

    /** What the topics say one memory is. */
    private record Expected(String agent, String tier, long createdAtMs, String version, long timestamp) {
    }

    private final HotCacheConfig config;
    private final UnifiedJedis redis;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, String> tierOfTopic = new HashMap<>();
    /** Live records per topic: memory id to what it says. */
    private final Map<String, Map<String, Expected>> live = new HashMap<>();

    public HotCacheCheck(HotCacheConfig config) {
        this.config = config;
        this.redis = RedisConnections.open(config, "coldframe-hot-cache-check");
        Map<String, Object> props = KafkaConnection.from(config).map();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        tierOfTopic.put(config.topics().hot(), HotKeys.HOT);
        tierOfTopic.put(config.topics().warm(), HotKeys.WARM);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : config.tierTopics()) {
            live.put(topic, new HashMap<>());
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(15))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Compares until Redis matches the topics or {@code wait} has passed; the last comparison's report. */
    public Report run(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            catchUp(deadline);
            Report report = compare();
            if (report.consistent() || System.nanoTime() >= deadline) {
                return report;
            }
            Thread.sleep(500);
        }
    }

    /** Reads the topics up to their current end (read_committed), keeping the latest record per memory. */
    private void catchUp(long deadline) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() >= deadline + Duration.ofSeconds(30).toNanos()) {
                throw new IllegalStateException("could not read the tier topics to their end within the wait plus 30 s");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                Map<String, Expected> memories = live.get(record.topic());
                TierRecord tierRecord;
                try {
                    tierRecord = TierRecords.tier(tierOfTopic.get(record.topic()), record);
                } catch (InvalidRecordException e) {
                    continue; // the hot-cache dead-letters it too: not in Redis, not expected
                }
                if (tierRecord.tombstone()) {
                    memories.remove(tierRecord.memoryId());
                } else {
                    var memory = tierRecord.change().getMemory();
                    memories.put(tierRecord.memoryId(), new Expected(tierRecord.change().getAgent(), tierRecord.tier(),
                            memory.getCreatedAt().toEpochMilli(), memory.getVersion(), tierRecord.timestamp()));
                }
            }
        }
    }

    private Report compare() {
        Map<String, Map<String, Expected>> byAgent = new HashMap<>();
        long inTopics = 0;
        Map<String, Expected> merged = new HashMap<>();
        for (Map<String, Expected> memories : live.values()) {
            // a memory moving between hot and warm is live in both for a moment: the later record counts
            memories.forEach((id, expected) -> merged.merge(id, expected, (a, b) -> a.timestamp() >= b.timestamp() ? a : b));
        }
        for (Map.Entry<String, Expected> entry : merged.entrySet()) {
            if (HotKeys.cacheable(entry.getValue().agent())) {
                byAgent.computeIfAbsent(entry.getValue().agent(), a -> new HashMap<>()).put(entry.getKey(), entry.getValue());
                inTopics++;
            }
        }
        Set<String> agents = new HashSet<>(byAgent.keySet());
        var scan = redis.scanIteration(1_000, HotKeys.MEMORIES_PATTERN);
        while (!scan.isIterationCompleted()) {
            for (String key : scan.nextBatchList()) {
                addAgentOf(key, agents);
            }
        }
        List<Difference> differences = new ArrayList<>();
        long inRedis = 0;
        long trimmed = 0;
        int cap = config.getInt(HotCacheConfig.AGENT_CAP);
        for (String agent : agents) {
            Map<String, Expected> expected = byAgent.getOrDefault(agent, Map.of());
            Map<String, String[]> cached = cached(agent);
            inRedis += cached.size();
            for (Map.Entry<String, String[]> entry : cached.entrySet()) {
                Expected e = expected.get(entry.getKey());
                String[] tierAndVersion = entry.getValue();
                if (e == null) {
                    differences.add(new Difference("extra", agent, entry.getKey(), "in Redis, not in the tier topics"));
                } else if (!e.tier().equals(tierAndVersion[0]) || !e.version().equals(tierAndVersion[1])) {
                    differences.add(new Difference("different", agent, entry.getKey(), "Redis has " + tierAndVersion[0] + " version "
                            + tierAndVersion[1] + ", the topic " + e.tier() + " version " + e.version()));
                }
            }
            List<String> metadata = redis.hmget(HotKeys.metadata(agent), HotKeys.HOT, HotKeys.WARM, HotKeys.TRIMMED_BEFORE);
            long trimmedBefore = metadata.get(2) == null ? Long.MIN_VALUE : Long.parseLong(metadata.get(2));
            for (Map.Entry<String, Expected> entry : expected.entrySet()) {
                if (cached.containsKey(entry.getKey())) {
                    continue;
                }
                if (entry.getValue().createdAtMs() <= trimmedBefore) {
                    trimmed++; // no newer than the newest memory the cap trimmed: it stays in MongoDB only
                } else {
                    differences.add(new Difference("missing", agent, entry.getKey(), "in the " + entry.getValue().tier()
                            + " topic, not in Redis"));
                }
            }
            if (cached.size() > cap) {
                differences.add(new Difference("over-cap", agent, null, "Redis holds " + cached.size() + " memories, the cap is " + cap));
            }
            metadataDifferences(agent, cached, metadata, differences);
        }
        return new Report(agents.size(), inTopics, inRedis, trimmed, differences);
    }

    private static void addAgentOf(String key, Set<String> agents) {
        String agent = HotKeys.agentOfMemoriesKey(key);
        if (agent != null) {
            agents.add(agent);
        }
    }

    /** The agent's cached memories: id to {tier, version}. */
    private Map<String, String[]> cached(String agent) {
        List<Tuple> members = redis.zrangeWithScores(HotKeys.memories(agent), 0, -1);
        List<Response<List<String>>> fields = new ArrayList<>();
        try (AbstractPipeline pipeline = redis.pipelined()) {
            for (Tuple member : members) {
                fields.add(pipeline.hmget(HotKeys.memory(agent, member.getElement()), "tier", "v"));
            }
            pipeline.sync();
        }
        Map<String, String[]> out = new HashMap<>();
        for (int i = 0; i < members.size(); i++) {
            List<String> values = fields.get(i).get();
            out.put(members.get(i).getElement(), new String[] {String.valueOf(values.get(0)), String.valueOf(values.get(1))});
        }
        return out;
    }

    private static void metadataDifferences(String agent, Map<String, String[]> cached, List<String> counts, List<Difference> differences) {
        for (int i = 0; i < 2; i++) {
            String tier = i == 0 ? HotKeys.HOT : HotKeys.WARM;
            long actual = cached.values().stream().filter(v -> tier.equals(v[0])).count();
            long recorded = counts.get(i) == null ? 0 : Long.parseLong(counts.get(i));
            if (actual != recorded) {
                differences.add(new Difference("metadata", agent, null, "metadata says " + recorded + " " + tier + ", Redis holds " + actual));
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
        redis.close();
    }
}
