package io.coldframe.hotcache;

/** What the hot-cache reports as it runs: metrics, and the steps tests wait for. */
public interface HotCacheListener {

    HotCacheListener NONE = new HotCacheListener() {
    };

    /** A batch is in Redis and its offsets are committed. */
    default void committed(RedisTierWriter.Outcome outcome, int records) {
    }

    default void deadLettered(String field, String reason) {
    }

    default void redisRetrying(int attempt, long backoffMs, String problem) {
    }

    /** Redis lost the resync marker of a partition: it is replayed from the start of the compacted topic. */
    default void resyncing(String topic, int partition) {
    }
}
