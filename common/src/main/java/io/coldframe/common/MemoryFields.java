package io.coldframe.common;

/** Field names of a memory document in MongoDB, as agents write them. */
public final class MemoryFields {

    public static final String ID = "_id";
    public static final String AGENT = "agent_id";
    public static final String TYPE = "type";
    public static final String IMPORTANCE = "importance";
    public static final String CREATED_AT = "created_at";
    public static final String LAST_ACCESSED_AT = "last_accessed_at";
    public static final String ACCESS_COUNT = "access_count";

    private MemoryFields() {
    }
}
