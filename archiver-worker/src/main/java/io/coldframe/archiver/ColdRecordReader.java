package io.coldframe.archiver;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.bson.BsonDocument;
import org.bson.json.JsonParseException;

import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.TierChange;
import io.coldframe.segment.SegmentRecord;

/**
 * Reads cold-topic records into segment records. A record that cannot be archived exactly (undecodable, or a
 * document that does not hash to its stated version) is rejected with a reason naming the record and field.
 */
final class ColdRecordReader {

    private static final AvroSerde<TierChange> TIER_CHANGES = AvroSerde.of(TierChange.class);

    Batch read(List<ConsumerRecord<byte[], byte[]>> records) {
        List<SegmentRecord> accepted = new ArrayList<>();
        List<ArchivedMemory> memories = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        java.util.Map<String, java.time.Instant> createdAt = new java.util.HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String recordRef = record.topic() + "-" + record.partition() + "@" + record.offset();
            try {
                TierChange change = decode(recordRef, record.value());
                SegmentRecord segmentRecord = toSegmentRecord(recordRef, change);
                accepted.add(segmentRecord);
                memories.add(new ArchivedMemory(segmentRecord.memoryId(), change.getAgent(), segmentRecord.version()));
                createdAt.put(segmentRecord.memoryId(), change.getMemory().getCreatedAt());
            } catch (InvalidRecordException e) {
                rejected.add(new Rejected(record, e.getMessage()));
            }
        }
        return new Batch(accepted, memories, rejected, createdAt);
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

    private static SegmentRecord toSegmentRecord(String recordRef, TierChange change) {
        BsonDocument document;
        try {
            document = MemoryDocuments.fromJson(change.getMemory().getDocument());
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new InvalidRecordException(recordRef + " (memory " + change.getMemoryId() + ")", "memory.document", e.getMessage());
        }
        SegmentRecord segmentRecord = SegmentRecord.of(change.getMemoryId(), document);
        if (!segmentRecord.version().equals(change.getMemory().getVersion())) {
            throw new InvalidRecordException(recordRef + " (memory " + change.getMemoryId() + ")", "memory.version",
                    "document hashes to " + segmentRecord.version() + ", record says " + change.getMemory().getVersion());
        }
        return segmentRecord;
    }

    /** {@code createdAt}: each memory's created_at, for its catalog entry. */
    record Batch(List<SegmentRecord> records, List<ArchivedMemory> memories, List<Rejected> rejected,
            java.util.Map<String, java.time.Instant> createdAt) {
    }

    record Rejected(ConsumerRecord<byte[], byte[]> record, String reason) {
    }
}
