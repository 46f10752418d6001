package io.coldframe.streams;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.coldframe.common.MemoryFields;

/**
 * What a tier policy looks at for one memory: the attributes of its {@code MemoryRecord} plus those read from the
 * document itself (the configured timestamp field, tags). Built once per evaluation, so the document is parsed at
 * most once on every path.
 *
 * @param importance      level CRITICAL, HIGH, MEDIUM or LOW; null when the document gives a score instead
 * @param importanceScore the 0..1 score; null when the document gives a level
 * @param timestamp       value of the configured timestamp field ({@code created_at} by default): ages count from it
 * @param lastAccessedAt  null when never accessed
 * @param tags            the document's tags; empty when it has none or when no rule looks at tags
 */
public record MemoryFacts(String id, String agent, String type, String importance, Double importanceScore,
                          Instant timestamp, Instant lastAccessedAt, long accessCount, int sizeBytes, List<String> tags) {

    public MemoryFacts {
        Objects.requireNonNull(timestamp, "timestamp");
        tags = tags == null ? List.of() : tags;
    }

    /** The moment idle time counts from: the last access, or the timestamp for a memory never accessed. */
    public Instant idleSince() {
        return lastAccessedAt != null ? lastAccessedAt : timestamp;
    }

    /**
     * Which document fields a policy needs beyond the record's own attributes.
     *
     * @param timestampField the date field ages count from
     * @param tagsField      the field holding a string or an array of strings
     * @param readsTags      whether any rule looks at tags (tags are read, and their type checked, only then)
     */
    public record Fields(String timestampField, String tagsField, boolean readsTags) {

        public static final Fields DEFAULT = new Fields(MemoryFields.CREATED_AT, "tags", false);

        public Fields {
            Objects.requireNonNull(timestampField, "timestampField");
            Objects.requireNonNull(tagsField, "tagsField");
        }

        /** Whether facts can be had from a {@code MemoryRecord} alone, without parsing its document. */
        boolean recordSuffices() {
            return MemoryFields.CREATED_AT.equals(timestampField) && !readsTags;
        }
    }
}
