package io.coldframe.service;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.coldframe.common.DeadLetters;
import io.coldframe.common.KafkaConnection;

/**
 * The newest records of the dead-letter topic with the headers every stage writes (stage, reason naming the record
 * and field, source topic, partition, offset): at most {@code limit} per partition are read, newest first overall.
 */
final class DeadLetterTail {

    static final int MAX_LIMIT = 500;
    private static final int MAX_KEY_CHARS = 200;

    private final KafkaConnection kafka;
    private final String topic;
    private final Duration timeout;

    DeadLetterTail(KafkaConnection kafka, String topic, Duration timeout) {
        this.kafka = kafka;
        this.topic = topic;
        this.timeout = timeout;
    }

    List<Map<String, Object>> newest(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
        }
        Properties props = kafka.properties();
        // the stages write dead letters inside their transactions: an aborted one never happened
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "coldframe-archive-service-deadletters");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var infos = consumer.partitionsFor(topic, timeout);
            List<TopicPartition> partitions = infos == null ? List.of()
                    : infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, timeout);
            Set<TopicPartition> open = new HashSet<>();
            for (TopicPartition p : partitions) {
                long from = Math.max(begins.get(p), ends.get(p) - limit);
                if (from < ends.get(p)) {
                    consumer.seek(p, from);
                    open.add(p);
                }
            }
            consumer.pause(partitions.stream().filter(p -> !open.contains(p)).toList());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        read.add(r);
                    }
                }
                open.removeIf(p -> consumer.position(p) >= ends.get(p));
            }
        }
        return read.stream().sorted(Comparator.comparingLong((ConsumerRecord<byte[], byte[]> r) -> r.timestamp()).reversed())
                .limit(limit).map(DeadLetterTail::describe).toList();
    }

    private static Map<String, Object> describe(ConsumerRecord<byte[], byte[]> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", Instant.ofEpochMilli(r.timestamp()).toString());
        m.put("stage", DeadLetters.header(r.headers(), DeadLetters.STAGE));
        m.put("reason", DeadLetters.header(r.headers(), DeadLetters.REASON));
        m.put("key", r.key() == null ? null : abbreviate(new String(r.key(), StandardCharsets.UTF_8)));
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("topic", DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC));
        source.put("partition", DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION));
        source.put("offset", DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET));
        m.put("source", source);
        m.put("dead_letter", Map.of("partition", r.partition(), "offset", r.offset()));
        return m;
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_KEY_CHARS ? s : s.substring(0, MAX_KEY_CHARS) + "...";
    }
}
