package io.coldframe.hotcache;

import java.nio.charset.StandardCharsets;

/**
 * The Redis key layout. Every key of one agent carries the agent in a hash tag ({@code {A}}), so a Redis Cluster
 * keeps them in one slot and a Lua script may touch them together:
 * <ul>
 *   <li>{@code agent:{A}:memories}: sorted set, member = memory id, score = created_at in ms;</li>
 *   <li>{@code agent:{A}:memory:<id>}: hash {@code d} (compressed document), {@code tier}, {@code v} (version),
 *       {@code b} (document bytes), {@code ts} (time of the tier record, orders records of two tier topics);</li>
 *   <li>{@code agent:{A}:metadata}: hash {@code hot}, {@code warm} (memories per tier), {@code bytes},
 *       {@code stored_bytes} (compressed), {@code last_archived} (ms of the agent's latest committed segment),
 *       {@code trimmed_before} (newest created_at the per-agent cap trimmed);</li>
 *   <li>{@code memory:<id>:agent}: the agent of a cached memory, for tombstones (which carry only the id);</li>
 *   <li>{@code hotcache:{G}:synced:<topic>-<partition>}: resync marker of a tier partition for group G.</li>
 * </ul>
 */
public final class HotKeys {

    public static final String MEMORIES_PATTERN = "agent:*:memories";
    static final byte[] DOCUMENT = utf8("d");
    static final byte[] TIER = utf8("tier");
    static final byte[] VERSION = utf8("v");
    public static final String HOT = "hot";
    public static final String WARM = "warm";
    public static final String BYTES = "bytes";
    public static final String LAST_ARCHIVED = "last_archived";
    public static final String TRIMMED_BEFORE = "trimmed_before";

    private HotKeys() {
    }

    public static String memories(String agent) {
        return "agent:{" + agent + "}:memories";
    }

    public static String memory(String agent, String memoryId) {
        return "agent:{" + agent + "}:memory:" + memoryId;
    }

    public static String metadata(String agent) {
        return "agent:{" + agent + "}:metadata";
    }

    public static String owner(String memoryId) {
        return "memory:" + memoryId + ":agent";
    }

    public static String syncMarker(String group, String topic, int partition) {
        return "hotcache:{" + group + "}:synced:" + topic + "-" + partition;
    }

    /** The agent in a {@link #memories} key, or null when the key is not one. */
    public static String agentOfMemoriesKey(String key) {
        if (!key.startsWith("agent:{") || !key.endsWith("}:memories")) {
            return null;
        }
        return key.substring("agent:{".length(), key.length() - "}:memories".length());
    }

    /**
     * Whether memories of this agent can be cached: an empty agent would make an empty hash tag, which Redis Cluster
     * ignores (the agent's keys would scatter over slots). Null and empty agents are not cached; they stay in MongoDB.
     */
    public static boolean cacheable(String agent) {
        return agent != null && !agent.isEmpty();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
