package io.coldframe.archive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.TierChange;

/**
 * Counts memories per tier the way an analytics consumer would: the live keys of the compacted hot and warm
 * topics, and the distinct memories ever sent to cold. Also counts memories per deciding rule.
 */
public final class TierCounts {

    public record Counts(long hot, long warm, long cold, Map<String, Long> byRule) {
    }

    private TierCounts() {
    }

    public static Counts read(KafkaConnection kafka, Topics topics) {
        Properties props = kafka.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AvroSerde<TierChange> changes = AvroSerde.of(TierChange.class);
        Map<String, TierChange> hot = new HashMap<>();
        Map<String, TierChange> warm = new HashMap<>();
        Map<String, TierChange> cold = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            readAll(consumer, topics.hot(), record -> latestByKey(hot, record, changes));
            readAll(consumer, topics.warm(), record -> latestByKey(warm, record, changes));
            readAll(consumer, topics.cold(), record -> {
                TierChange change = changes.decode(record.value());
                cold.put(change.getMemoryId(), change);
            });
        }
        Map<String, Long> byRule = java.util.stream.Stream.of(hot, warm, cold)
                .flatMap(tier -> tier.values().stream())
                .collect(Collectors.groupingBy(TierChange::getRule, java.util.TreeMap::new, Collectors.counting()));
        return new Counts(hot.size(), warm.size(), cold.size(), byRule);
    }

    private static void latestByKey(Map<String, TierChange> view, ConsumerRecord<byte[], byte[]> record, AvroSerde<TierChange> changes) {
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            view.remove(key);
        } else {
            view.put(key, changes.decode(record.value()));
        }
    }

    private static void readAll(KafkaConsumer<byte[], byte[]> consumer, String topic,
                                java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            consumer.poll(Duration.ofMillis(200)).forEach(sink);
        }
    }
}
