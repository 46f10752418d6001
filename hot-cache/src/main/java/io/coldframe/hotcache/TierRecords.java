package io.coldframe.hotcache;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

import io.coldframe.common.InvalidRecordException;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.schemas.TierChange;

/** Decodes the records the hot-cache reads; a bad one raises {@link InvalidRecordException} naming record and field. */
final class TierRecords {

    private static final AvroSerde<TierChange> CHANGES = AvroSerde.of(TierChange.class);
    private static final AvroSerde<SegmentCommitted> COMMITS = AvroSerde.of(SegmentCommitted.class);

    private TierRecords() {
    }

    static String ref(ConsumerRecord<byte[], byte[]> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    /** A record of a tier topic (key: memory id; value: TierChange, or none for a tombstone). */
    static TierRecord tier(String tier, ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            throw new InvalidRecordException(ref(record), "key", "missing; tier topics are keyed by memory id");
        }
        String memoryId = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            return new TierRecord(tier, memoryId, record.timestamp(), null);
        }
        TierChange change;
        try {
            change = CHANGES.decode(record.value());
        } catch (SerializationException e) {
            throw new InvalidRecordException(ref(record), "value", "not a TierChange: " + e.getMessage());
        }
        if (!memoryId.equals(change.getMemoryId())) {
            throw new InvalidRecordException(ref(record), "memory_id", "'" + change.getMemoryId() + "' differs from the record key '" + memoryId + "'");
        }
        if (change.getMemory() == null || change.getMemory().getDocument() == null) {
            throw new InvalidRecordException(ref(record), "memory.document", "missing");
        }
        return new TierRecord(tier, memoryId, record.timestamp(), change);
    }

    static SegmentCommitted commit(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw new InvalidRecordException(ref(record), "value", "missing; expected a SegmentCommitted");
        }
        try {
            return COMMITS.decode(record.value());
        } catch (SerializationException e) {
            throw new InvalidRecordException(ref(record), "value", "not a SegmentCommitted: " + e.getMessage());
        }
    }
}
