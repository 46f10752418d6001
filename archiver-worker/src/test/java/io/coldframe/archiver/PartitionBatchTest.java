package io.coldframe.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import io.coldframe.common.SegmentIds;

class PartitionBatchTest {

    private static PartitionBatch batch(long first, long last) {
        PartitionBatch batch = new PartitionBatch(new TopicPartition("coldframe.tier.cold", 3), Instant.EPOCH);
        for (long offset = first; offset <= last; offset++) {
            batch.add(new ConsumerRecord<>("coldframe.tier.cold", 3, offset, new byte[0], new byte[1]));
        }
        return batch;
    }

    @Test
    void theSameRecordsOfTwoTopicIncarnationsGetDifferentIdsAndAReplayTheSameId() {
        Uuid before = Uuid.randomUuid();
        Uuid recreated = Uuid.randomUuid();

        String id = batch(0, 9).segmentId(before);

        assertThat(id).isEqualTo("coldframe.tier.cold-" + SegmentIds.topicIdHex(before) + "-3-0-9");
        assertThat(batch(0, 9).segmentId(before)).isEqualTo(id);
        assertThat(batch(0, 9).segmentId(recreated)).isNotEqualTo(id);
        assertThat(SegmentIds.parse(id).orElseThrow()).isEqualTo(
                new SegmentIds.Parsed("coldframe.tier.cold", SegmentIds.topicIdHex(before), 3, 0, 9));
    }

    @Test
    void topicIdsAreReadOncePerAssignment() {
        int[] describes = new int[1];
        Uuid id = Uuid.randomUuid();
        try (TopicIds ids = new TopicIds(topic -> {
            describes[0]++;
            return id;
        })) {
            assertThat(ids.idOf("t")).isEqualTo(id);
            assertThat(ids.idOf("t")).isEqualTo(id);
            assertThat(describes[0]).isEqualTo(1);
            ids.forget();
            ids.idOf("t");
            assertThat(describes[0]).isEqualTo(2);
        }
    }
}
