package io.coldframe.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Memories ordered by the moment their tier next changes. Keys are the 8-byte big-endian due time followed by
 * the memory id, so a range scan from zero to now visits exactly the memories that are due, oldest first,
 * however many memories are not.
 */
final class DueIndex {

    private static final byte[] PRESENT = new byte[0];

    /** One index entry: the memory and the due time it is filed under. */
    record Entry(long dueMs, String memoryId) {
    }

    /**
     * @param entries   up to the limit of due entries, earliest first
     * @param remaining how many more are due after those (counted up to a cap)
     */
    record Batch(List<Entry> entries, long remaining) {
    }

    private final KeyValueStore<Bytes, byte[]> store;

    DueIndex(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    void add(Instant due, String memoryId) {
        store.put(key(due.toEpochMilli(), memoryId), PRESENT);
    }

    void remove(Instant due, String memoryId) {
        remove(due.toEpochMilli(), memoryId);
    }

    void remove(long dueMs, String memoryId) {
        store.delete(key(dueMs, memoryId));
    }

    /**
     * Up to {@code limit} entries due at or before {@code now}, earliest first, and how many more are due (counted
     * up to {@code countCap}, so that measuring a huge backlog stays bounded too).
     */
    Batch due(Instant now, int limit, long countCap) {
        List<Entry> entries = new ArrayList<>();
        long remaining = 0;
        long nowMs = now.toEpochMilli();
        Bytes to = Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(nowMs + 1).array());
        try (KeyValueIterator<Bytes, byte[]> iterator = store.range(Bytes.wrap(new byte[Long.BYTES]), to)) {
            while (iterator.hasNext()) {
                byte[] key = iterator.next().key.get();
                long dueMs = ByteBuffer.wrap(key).getLong();
                if (dueMs > nowMs) {
                    break; // the bare upper bound key itself sorts before any key at that time
                }
                if (entries.size() < limit) {
                    entries.add(new Entry(dueMs, new String(key, Long.BYTES, key.length - Long.BYTES, StandardCharsets.UTF_8)));
                } else if (++remaining >= countCap) {
                    break;
                }
            }
        }
        return new Batch(entries, remaining);
    }

    private static Bytes key(long dueMs, String memoryId) {
        byte[] id = memoryId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length).putLong(Math.max(0, dueMs)).put(id).array());
    }
}
