package io.coldframe.archiver;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import io.coldframe.common.SegmentIds;

/** The open batch of one cold-topic partition: consecutive records from firstOffset to lastOffset. */
final class PartitionBatch {

    private final TopicPartition partition;
    private final Instant openedAt;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    private long bytes;

    PartitionBatch(TopicPartition partition, Instant openedAt) {
        this.partition = partition;
        this.openedAt = openedAt;
    }

    void add(ConsumerRecord<byte[], byte[]> record) {
        records.add(record);
        bytes += record.serializedValueSize();
    }

    boolean isDue(BatchLimits limits, Instant now) {
        return records.size() >= limits.maxRecords()
                || bytes >= limits.maxBytes()
                || !now.isBefore(openedAt.plus(limits.linger()));
    }

    TopicPartition partition() {
        return partition;
    }

    List<ConsumerRecord<byte[], byte[]>> records() {
        return records;
    }

    long firstOffset() {
        return records.get(0).offset();
    }

    long lastOffset() {
        return records.get(records.size() - 1).offset();
    }

    /**
     * Deterministic for one topic incarnation, so that a replay of the same records lands on the same id (and the store
     * keeps the identical bytes), and unique across incarnations and clusters through the topic id ({@link SegmentIds}).
     */
    String segmentId(Uuid topicId) {
        return SegmentIds.of(partition.topic(), topicId, partition.partition(), firstOffset(), lastOffset());
    }
}
