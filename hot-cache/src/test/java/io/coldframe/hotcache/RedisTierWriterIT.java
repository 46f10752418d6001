package io.coldframe.hotcache;

import static io.coldframe.hotcache.TierChanges.entered;
import static io.coldframe.hotcache.TierChanges.left;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.RedisClient;

/** The writer and the reader on a real redis-server. */
class RedisTierWriterIT {

    private static TestRedis server;
    private static RedisClient redis;

    @BeforeAll
    static void startRedis() throws Exception {
        server = new TestRedis();
        redis = server.client();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
        server.close();
    }

    @BeforeEach
    void empty() {
        redis.flushAll();
    }

    private RedisTierWriter writer(int cap) {
        return new RedisTierWriter(redis, new DocumentCodec(DocumentCodec.ZSTD), cap);
    }

    private static void apply(RedisTierWriter writer, TierRecord... records) {
        writer.apply(List.of(records), Map.of(), Set.of());
    }

    @Test
    void aHotMemoryIsCachedWithItsDocumentAndCounted() {
        apply(writer(100), entered("hot", "agent-1", "\"m1\"", 1_000, 5, "hello"));

        assertThat(redis.zscore(HotKeys.memories("agent-1"), "\"m1\"")).isEqualTo(1_000.0);
        assertThat(redis.hgetAll(HotKeys.metadata("agent-1"))).containsEntry("hot", "1").containsKey("bytes");
        assertThat(new RecentMemories(redis).newest("agent-1", 10)).singleElement().satisfies(cached -> {
            assertThat(cached.documentJson()).contains("\"text\": \"hello\"");
            assertThat(cached.tier()).isEqualTo("hot");
            assertThat(cached.createdAtMs()).isEqualTo(1_000);
        });
    }

    @Test
    void aReplayedBatchChangesNothing() {
        RedisTierWriter writer = writer(100);
        TierRecord[] batch = {entered("hot", "a", "\"m1\"", 1_000, 5, "x"), entered("hot", "a", "\"m2\"", 2_000, 6, "y"),
                left("hot", "\"m1\"", 7)};
        apply(writer, batch);
        Map<String, String> metadata = redis.hgetAll(HotKeys.metadata("a"));

        apply(writer, batch);
        apply(writer, batch);

        assertThat(redis.zrange(HotKeys.memories("a"), 0, -1)).containsExactly("\"m2\"");
        assertThat(redis.hgetAll(HotKeys.metadata("a"))).isEqualTo(metadata).containsEntry("hot", "1");
    }

    @Test
    void aTombstoneRemovesTheMemoryItsCountAndItsOwner() {
        RedisTierWriter writer = writer(100);
        apply(writer, entered("hot", "a", "\"m1\"", 1_000, 5, "x"));
        apply(writer, left("hot", "\"m1\"", 9));

        assertThat(redis.zcard(HotKeys.memories("a"))).isZero();
        assertThat(redis.exists(HotKeys.memory("a", "\"m1\""))).isFalse();
        assertThat(redis.exists(HotKeys.owner("\"m1\""))).isFalse();
        assertThat(redis.hgetAll(HotKeys.metadata("a"))).containsEntry("hot", "0").containsEntry("bytes", "0");
    }

    @Test
    void aHotTombstoneReadAfterTheWarmEntryKeepsTheMemoryWarm() {
        RedisTierWriter writer = writer(100);
        apply(writer, entered("hot", "a", "\"m1\"", 1_000, 5, "x"));
        // the warm topic's record is read before the hot topic's tombstone of the same move
        apply(writer, entered("warm", "a", "\"m1\"", 1_000, 9, "x"));
        apply(writer, left("hot", "\"m1\"", 9));

        assertThat(redis.hget(HotKeys.memory("a", "\"m1\""), "tier")).isEqualTo("warm");
        assertThat(redis.hgetAll(HotKeys.metadata("a"))).containsEntry("hot", "0").containsEntry("warm", "1");
        // and it leaves with the warm tombstone, the owner entry still naming its agent
        apply(writer, left("warm", "\"m1\"", 20));
        assertThat(redis.zcard(HotKeys.memories("a"))).isZero();
    }

    @Test
    void theMoveWithinOneBatchKeepsTheOwnerForTheLaterTombstone() {
        RedisTierWriter writer = writer(100);
        apply(writer, entered("hot", "a", "\"m1\"", 1_000, 5, "x"));
        apply(writer, left("hot", "\"m1\"", 9), entered("warm", "a", "\"m1\"", 1_000, 9, "x"));

        assertThat(redis.get(HotKeys.owner("\"m1\""))).isEqualTo("a");
        apply(writer, left("warm", "\"m1\"", 20));
        assertThat(redis.zcard(HotKeys.memories("a"))).isZero();
    }

    @Test
    void anAgentOverItsCapKeepsOnlyItsNewest() {
        RedisTierWriter writer = writer(3);
        for (int i = 1; i <= 5; i++) {
            apply(writer, entered("hot", "a", "\"m" + i + "\"", i * 1_000L, i, "t" + i));
        }

        assertThat(redis.zrange(HotKeys.memories("a"), 0, -1)).containsExactly("\"m3\"", "\"m4\"", "\"m5\"");
        assertThat(redis.exists(HotKeys.memory("a", "\"m1\""))).isFalse();
        assertThat(redis.hgetAll(HotKeys.metadata("a"))).containsEntry("hot", "3").containsEntry("trimmed_before", "2000");
        assertThat(new RecentMemories(redis).newest("a", 2)).extracting(RecentMemories.Cached::memoryId)
                .containsExactly("\"m5\"", "\"m4\"");
    }

    @Test
    void memoriesWithoutAnAgentAreNotCached() {
        RedisTierWriter.Outcome outcome = writer(100).apply(List.of(entered("hot", "", "\"m1\"", 1_000, 5, "x")), Map.of(), Set.of());

        assertThat(outcome.notCacheable()).isEqualTo(1);
        assertThat(redis.dbSize()).isZero();
    }

    @Test
    void theLatestArchiveTimeOnlyMovesForward() {
        RedisTierWriter writer = writer(100);
        writer.apply(List.of(), Map.of("a", 500L), Set.of());
        writer.apply(List.of(), Map.of("a", 300L), Set.of());

        assertThat(redis.hget(HotKeys.metadata("a"), "last_archived")).isEqualTo("500");
    }

    @Test
    void missingMarkersAreReported() {
        redis.set("marker-1", "1");

        RedisTierWriter.Outcome outcome = writer(100).apply(List.of(), Map.of(), Set.of("marker-1", "marker-2"));

        assertThat(outcome.missingMarkers()).containsExactly("marker-2");
    }
}
