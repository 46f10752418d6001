package io.coldframe.hotcache;

import java.nio.charset.StandardCharsets;

/**
 * The Lua scripts that change one agent's keys atomically (all three keys share the agent's hash tag, so they run on
 * one Cluster node). Each is idempotent: applying a record twice leaves what applying it once left, which makes a
 * replay from the committed offsets harmless and keeps the metadata counts exact.
 */
final class HotScripts {

    /**
     * KEYS: memory, memories, metadata. ARGV: id, score, tier, ts, document, version, bytes, stored bytes.
     * Skips a record older ({@code ts}) than the stored one (the other tier topic already moved the memory on).
     * Returns the agent's cached count after the write, or -1 when skipped as stale.
     */
    static final byte[] UPSERT = utf8("""
            local old = redis.call('HMGET', KEYS[1], 'tier', 'ts', 'b', 'sb')
            if old[2] and tonumber(old[2]) > tonumber(ARGV[4]) then return -1 end
            if old[1] then
              redis.call('HINCRBY', KEYS[3], old[1], -1)
              redis.call('HINCRBY', KEYS[3], 'bytes', -tonumber(old[3]))
              redis.call('HINCRBY', KEYS[3], 'stored_bytes', -tonumber(old[4]))
            end
            redis.call('HSET', KEYS[1], 'tier', ARGV[3], 'ts', ARGV[4], 'd', ARGV[5], 'v', ARGV[6], 'b', ARGV[7], 'sb', ARGV[8])
            redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
            redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
            redis.call('HINCRBY', KEYS[3], 'bytes', ARGV[7])
            redis.call('HINCRBY', KEYS[3], 'stored_bytes', ARGV[8])
            return redis.call('ZCARD', KEYS[2])
            """);

    /**
     * KEYS: memory, memories, metadata. ARGV: id, tier ('' = any), ts. Removes the memory when it is cached in that
     * tier and not newer than {@code ts} (a tombstone of the hot topic must not remove a memory the warm topic
     * already holds). Returns 1 when removed, 0 otherwise.
     */
    static final byte[] REMOVE = utf8("""
            local old = redis.call('HMGET', KEYS[1], 'tier', 'ts', 'b', 'sb')
            if not old[1] then
              redis.call('ZREM', KEYS[2], ARGV[1])
              return 0
            end
            if ARGV[2] ~= '' and old[1] ~= ARGV[2] then return 0 end
            if tonumber(old[2]) > tonumber(ARGV[3]) then return 0 end
            redis.call('DEL', KEYS[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('HINCRBY', KEYS[3], old[1], -1)
            redis.call('HINCRBY', KEYS[3], 'bytes', -tonumber(old[3]))
            redis.call('HINCRBY', KEYS[3], 'stored_bytes', -tonumber(old[4]))
            return 1
            """);

    /**
     * KEYS: metadata. ARGV: field, ms. Keeps the larger of the stored and the given time: {@code last_archived} (a
     * segment holding one of the agent's memories committed), {@code trimmed_before} (newest created_at the cap trimmed).
     */
    static final byte[] KEEP_LATEST = utf8("""
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if (not current) or tonumber(current) < tonumber(ARGV[2]) then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            end
            return 1
            """);

    /** A ts later than any record's: trimming removes whatever is cached. */
    static final String ANY_TIME = "9007199254740991";

    private HotScripts() {
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
