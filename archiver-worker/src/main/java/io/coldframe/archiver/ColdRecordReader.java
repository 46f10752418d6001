package io.coldframe.archiver;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.bson.BSONException;
import org.bson.BsonDocument;
import org.bson.json.JsonParseException;

import io.coldframe.archiver.redaction.RedactionPolicy;
import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.TierChange;
import io.coldframe.segment.SegmentRecord;

/**
 * Reads cold-topic records into segment records. A record that cannot be archived exactly (undecodable, or a
 * document that does not hash to its stated version) is rejected with a reason naming the record and field. Under a
 * redaction policy the segment record is the redacted document, checked only after the original's version was; the
 * archived memory then names both versions: the original, which alone may be deleted from MongoDB, and the stored one.
 */
final class ColdRecordReader {

    private static final AvroSerde<TierChange> TIER_CHANGES = AvroSerde.of(TierChange.class);

    private final Optional<RedactionPolicy> policy;

    ColdRecordReader(Optional<RedactionPolicy> policy) {
        this.policy = policy;
    }

    Batch read(List<ConsumerRecord<byte[], byte[]>> records) {
        List<SegmentRecord> accepted = new ArrayList<>();
        List<ArchivedMemory> memories = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        Map<String, Instant> createdAt = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String recordRef = record.topic() + "-" + record.partition() + "@" + record.offset();
            try {
                TierChange change = decode(recordRef, record.value());
                SegmentRecord original = toSegmentRecord(recordRef, change);
                SegmentRecord stored = redacted(original);
                accepted.add(stored);
                memories.add(new ArchivedMemory(original.memoryId(), change.getAgent(), original.version(),
                        stored == original ? null : stored.version()));
                createdAt.put(original.memoryId(), change.getMemory().getCreatedAt());
            } catch (InvalidRecordException e) {
                rejected.add(new Rejected(record, e.getMessage()));
            }
        }
        return new Batch(accepted, memories, rejected, createdAt, policy.map(RedactionPolicy::fingerprint).orElse(null));
    }

    /** The record the segment holds: the original itself when no policy is set or the policy changed nothing. */
    private SegmentRecord redacted(SegmentRecord original) {
        if (policy.isEmpty()) {
            return original;
        }
        RedactionPolicy.Result result = policy.get().apply(original.document());
        return result.changed() ? SegmentRecord.of(original.memoryId(), result.document()) : original;
    }

    private static TierChange decode(String recordRef, byte[] value) {
        if (value == null) {
            throw new InvalidRecordException(recordRef, "value", "a tombstone has no memory to archive");
        }
        try {
            return TIER_CHANGES.decode(value);
        } catch (SerializationException e) {
            throw new InvalidRecordException(recordRef, "value", e.getMessage());
        }
    }

    /** The document as the record carries it: its exact BSON, or (records written before that) its Extended JSON. */
    private static SegmentRecord toSegmentRecord(String recordRef, TierChange change) {
        ByteBuffer bson = change.getMemory().getDocumentBson();
        String field = bson != null ? "memory.document_bson" : "memory.document";
        BsonDocument document;
        try {
            document = bson != null ? MemoryDocuments.wellFormedBson(bson) : MemoryDocuments.bsonFromJson(change.getMemory().getDocument());
        } catch (JsonParseException | BSONException | IllegalArgumentException e) {
            throw new InvalidRecordException(recordRef + " (memory " + change.getMemoryId() + ")", field, e.getMessage());
        }
        SegmentRecord segmentRecord = SegmentRecord.of(change.getMemoryId(), document);
        if (!segmentRecord.version().equals(change.getMemory().getVersion())) {
            throw new InvalidRecordException(recordRef + " (memory " + change.getMemoryId() + ")", "memory.version",
                    "document hashes to " + segmentRecord.version() + ", record says " + change.getMemory().getVersion());
        }
        return segmentRecord;
    }

    /**
     * {@code createdAt}: each memory's created_at, for its catalog entry; {@code redactionPolicy}: the fingerprint of
     * the policy applied to every record, null when none was.
     */
    record Batch(List<SegmentRecord> records, List<ArchivedMemory> memories, List<Rejected> rejected,
            Map<String, Instant> createdAt, String redactionPolicy) {
    }

    record Rejected(ConsumerRecord<byte[], byte[]> record, String reason) {
    }
}
