package io.coldframe.hotcache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/** Reads an agent's newest cached memories: the sorted set newest first, then their documents, in two round trips. */
public final class RecentMemories {

    /** One cached memory: its id, created_at (ms), tier ({@code hot}/{@code warm}) and document (canonical Extended JSON). */
    public record Cached(String memoryId, long createdAtMs, String tier, String documentJson) {
    }

    private final UnifiedJedis redis;

    public RecentMemories(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** How many memories of {@code agent} Redis holds. */
    public long count(String agent) {
        return redis.zcard(HotKeys.memories(agent));
    }

    /**
     * The agent's newest {@code limit} cached memories, newest first. A member whose memory key vanished between
     * the two reads (trimmed or removed meanwhile) is left out.
     */
    public List<Cached> newest(String agent, int limit) {
        var members = redis.zrevrangeWithScores(HotKeys.memories(agent), 0, limit - 1L);
        List<Response<List<byte[]>>> fields = new ArrayList<>(members.size());
        try (AbstractPipeline pipeline = redis.pipelined()) {
            for (var member : members) {
                fields.add(pipeline.hmget(HotKeys.utf8(HotKeys.memory(agent, member.getElement())), HotKeys.DOCUMENT, HotKeys.TIER));
            }
            pipeline.sync();
        }
        List<Cached> out = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            List<byte[]> values = fields.get(i).get();
            if (values.get(0) == null) {
                continue;
            }
            out.add(new Cached(members.get(i).getElement(), (long) members.get(i).getScore(), new String(values.get(1),
                    StandardCharsets.UTF_8), DocumentCodec.decode(values.get(0))));
        }
        return out;
    }
}
