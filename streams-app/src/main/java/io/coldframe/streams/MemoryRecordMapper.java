package io.coldframe.streams;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bson.BSONException;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.json.JsonParseException;

import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.schemas.MemoryRecord;

/**
 * Extracts the attributes tiering rules look at from a memory document, and rejects ill-typed ones by field.
 *
 * <p>A document must have an importance (a level or a 0..1 score) and a date in the configured timestamp field;
 * {@code created_at} is required too unless another timestamp field is configured, in which case a missing
 * {@code created_at} is recorded as the timestamp.
 */
final class MemoryRecordMapper {

    static final Set<String> IMPORTANCE_LEVELS = Set.of("CRITICAL", "HIGH", "MEDIUM", "LOW");

    /** A memory's record (its document left empty), the facts a policy decides on, and the document. */
    record Mapped(MemoryRecord record, MemoryFacts facts, BsonDocument document) {
    }

    private final MemoryFacts.Fields fields;
    private final boolean customTimestamp;

    MemoryRecordMapper(MemoryFacts.Fields fields) {
        this.fields = fields;
        this.customTimestamp = !MemoryFields.CREATED_AT.equals(fields.timestampField());
    }

    /**
     * The ingest path: the document is at hand, so everything is read from it once. A document read lazily from BSON
     * bytes ({@link ChangeEventParser}) is hashed as it is and decoded only for its fields here, and for the form its
     * tier needs later ({@link MemoryVersion}); bytes that turn out malformed are refused as the field {@code fullDocument}.
     */
    Mapped map(String memoryId, BsonDocument document) {
        try {
            return read(memoryId, document);
        } catch (BSONException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new InvalidRecordException(memoryId, "fullDocument", "malformed BSON: " + e.getMessage());
        }
    }

    private Mapped read(String memoryId, BsonDocument document) {
        ByteBuffer bson = MemoryDocuments.bsonView(document);
        Instant timestamp = requiredTime(memoryId, document, fields.timestampField());
        Instant createdAt = customTimestamp ? optionalTime(memoryId, document, MemoryFields.CREATED_AT) : timestamp;
        MemoryRecord.Builder record = MemoryRecord.newBuilder()
                .setId(memoryId)
                .setAgent(optionalString(memoryId, document, MemoryFields.AGENT))
                .setType(optionalString(memoryId, document, MemoryFields.TYPE))
                .setCreatedAt(createdAt != null ? createdAt : timestamp)
                .setLastAccessedAt(optionalTime(memoryId, document, MemoryFields.LAST_ACCESSED_AT))
                .setAccessCount(accessCount(memoryId, document))
                .setSizeBytes(bson.remaining())
                .setVersion(MemoryDocuments.sha256Hex(bson))
                .setDocument("");
        setImportance(memoryId, document, record);
        MemoryRecord built = record.build();
        List<String> tags = fields.readsTags() ? tags(memoryId, document, fields.tagsField()) : List.of();
        return new Mapped(built, facts(built, timestamp, tags), document);
    }

    /**
     * The re-evaluation path (punctuation, rules changed): facts from the stored record, parsing its document only
     * when the policy needs a field the record does not carry.
     */
    MemoryFacts facts(MemoryRecord record) {
        if (fields.recordSuffices()) {
            return facts(record, record.getCreatedAt(), List.of());
        }
        BsonDocument document;
        try {
            document = MemoryVersion.documentOf(record);
        } catch (JsonParseException | BSONException | IllegalArgumentException e) {
            throw new InvalidRecordException(record.getId(), "document", "stored document does not parse: " + e.getMessage());
        }
        Instant timestamp = requiredTime(record.getId(), document, fields.timestampField());
        List<String> tags = fields.readsTags() ? tags(record.getId(), document, fields.tagsField()) : List.of();
        return facts(record, timestamp, tags);
    }

    private static MemoryFacts facts(MemoryRecord record, Instant timestamp, List<String> tags) {
        return new MemoryFacts(record.getId(), record.getAgent(), record.getType(), record.getImportance(),
                record.getImportanceScore(), timestamp, record.getLastAccessedAt(), record.getAccessCount(),
                record.getSizeBytes(), tags);
    }

    private static void setImportance(String memoryId, BsonDocument document, MemoryRecord.Builder record) {
        BsonValue value = document.get(MemoryFields.IMPORTANCE);
        if (value == null || value.isNull()) {
            throw new InvalidRecordException(memoryId, MemoryFields.IMPORTANCE,
                    "missing; tiering needs a level (one of " + IMPORTANCE_LEVELS + ") or a 0..1 score");
        }
        if (value.isString()) {
            String level = value.asString().getValue().toUpperCase(Locale.ROOT);
            if (!IMPORTANCE_LEVELS.contains(level)) {
                throw new InvalidRecordException(memoryId, MemoryFields.IMPORTANCE,
                        "unknown level '" + value.asString().getValue() + "', expected one of " + IMPORTANCE_LEVELS + " or a 0..1 score");
            }
            record.setImportance(level);
        } else if (value.isNumber()) {
            double score = value.asNumber().doubleValue();
            if (!(score >= 0.0 && score <= 1.0)) {
                throw new InvalidRecordException(memoryId, MemoryFields.IMPORTANCE, "score " + score + " is outside 0..1");
            }
            record.setImportanceScore(score);
        } else {
            throw new InvalidRecordException(memoryId, MemoryFields.IMPORTANCE, "expected a level or a 0..1 score, got " + value.getBsonType());
        }
    }

    private static Instant requiredTime(String memoryId, BsonDocument document, String field) {
        Instant time = optionalTime(memoryId, document, field);
        if (time == null) {
            throw new InvalidRecordException(memoryId, field, "missing; tiering needs it");
        }
        return time;
    }

    private static Instant optionalTime(String memoryId, BsonDocument document, String field) {
        BsonValue value = document.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return switch (value.getBsonType()) {
            case DATE_TIME -> Instant.ofEpochMilli(value.asDateTime().getValue());
            case INT64 -> Instant.ofEpochMilli(value.asInt64().getValue());
            // seconds: what Python's time.time() and Unix tools write; an int32 cannot hold today's milliseconds
            case INT32 -> Instant.ofEpochSecond(value.asInt32().getValue());
            case DOUBLE -> Instant.ofEpochMilli(Math.round(value.asDouble().getValue() * 1000));
            case STRING -> parseTime(memoryId, field, value.asString().getValue());
            default -> throw new InvalidRecordException(memoryId, field, "expected a date, got " + value.getBsonType());
        };
    }

    /**
     * An ISO-8601 instant or date-time with offset; without an offset (as Python's {@code datetime.isoformat()} writes a
     * naive time) it is read as UTC; a space may stand for the {@code T}.
     */
    private static Instant parseTime(String memoryId, String field, String text) {
        String iso = text.strip().replace(' ', 'T');
        try {
            return OffsetDateTime.parse(iso, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                return LocalDateTime.parse(iso, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new InvalidRecordException(memoryId, field, "not an ISO-8601 date-time: '" + text + "'");
            }
        }
    }

    private static String optionalString(String memoryId, BsonDocument document, String field) {
        BsonValue value = document.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new InvalidRecordException(memoryId, field, "expected a string, got " + value.getBsonType());
        }
        return value.asString().getValue();
    }

    private static long accessCount(String memoryId, BsonDocument document) {
        BsonValue value = document.get(MemoryFields.ACCESS_COUNT);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!value.isNumber() || value.asNumber().doubleValue() < 0) {
            throw new InvalidRecordException(memoryId, MemoryFields.ACCESS_COUNT, "expected a non-negative number, got " + value);
        }
        return value.asNumber().longValue();
    }

    private static List<String> tags(String memoryId, BsonDocument document, String field) {
        BsonValue value = document.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (value.isString()) {
            return List.of(value.asString().getValue());
        }
        if (!value.isArray()) {
            throw new InvalidRecordException(memoryId, field, "expected a string or an array of strings, got " + value.getBsonType());
        }
        List<String> tags = new ArrayList<>(value.asArray().size());
        for (BsonValue tag : value.asArray()) {
            if (!tag.isString()) {
                throw new InvalidRecordException(memoryId, field, "expected an array of strings, found a " + tag.getBsonType());
            }
            tags.add(tag.asString().getValue());
        }
        return tags;
    }
}
