package io.coldframe.purger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.common.KafkaConnection;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.RestoreMark;

/**
 * The latest restore of each memory, read from the compacted restores topic. A restore publishes its mark before it
 * inserts the document, so once the purger has read a document, reading this topic to its end (the end offsets taken
 * after that read) shows every restore that put that document there. A memory restored after a commit is protected:
 * a replay of that commit must not delete it again, although the restored bytes equal the archived version.
 */
final class RestoreMarksView implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreMarksView.class);
    private static final AvroSerde<RestoreMark> MARKS = AvroSerde.of(RestoreMark.class);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Long> restoredAt = new HashMap<>();
    private List<TopicPartition> partitions = List.of();

    RestoreMarksView(KafkaConnection kafka, String topic) {
        this.topic = topic;
        Properties props = kafka.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "coldframe-purger-restore-marks");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Of these memories, those restored after {@code committedAt}; reads the topic to its current end first. */
    Set<String> restoredAfter(Collection<String> memoryIds, Instant committedAt) {
        catchUp();
        long commit = committedAt.toEpochMilli();
        return memoryIds.stream().filter(id -> restoredAt.getOrDefault(id, Long.MIN_VALUE) > commit).collect(Collectors.toSet());
    }

    private void catchUp() {
        if (partitions.isEmpty()) {
            // The topic may not exist yet (no restore ever ran): then nothing is protected.
            List<TopicPartition> found = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (found.isEmpty()) {
                return;
            }
            partitions = found;
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.key() == null || record.value() == null) {
                    continue;
                }
                try {
                    RestoreMark mark = MARKS.decode(record.value());
                    restoredAt.merge(mark.getMemoryId(), mark.getRestoredAt().toEpochMilli(), Math::max);
                } catch (SerializationException e) {
                    LOG.warn("ignoring an undecodable restore mark at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
