package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The embedded broker runs transactions (RF 1 transaction log) and survives a stop/start on the same ports and data. */
class EmbeddedKafkaIT {

    @Test
    void transactionsWorkAndDataSurvivesARestart() throws Exception {
        Path workDir;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            workDir = kafka.workDir();
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic("compacted", 2, Map.of("cleanup.policy", "compact"));
            kafka.createTopic("compacted", 2, Map.of("cleanup.policy", "compact")); // existing: left as is
            try (Admin admin = kafka.admin()) {
                TopicDescription description = admin.describeTopics(List.of("compacted")).allTopicNames().get().get("compacted");
                assertThat(description.partitions()).hasSize(2);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
                assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value())
                        .isEqualTo("compact");
            }

            produceTransactionally(kafka, "tx-1", "k1", "before-restart");
            assertThat(readCommitted(kafka, 1)).containsExactly("before-restart");

            long t0 = System.nanoTime();
            kafka.stop();
            long t1 = System.nanoTime();
            assertThat(kafka.isRunning()).isFalse();
            kafka.start();
            long t2 = System.nanoTime();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            System.out.printf("[EmbeddedKafkaIT] restart: stop %d ms, start %d ms%n",
                    Duration.ofNanos(t1 - t0).toMillis(), Duration.ofNanos(t2 - t1).toMillis());

            // Same transactional id after the restart: the coordinator recovered its state from the log.
            produceTransactionally(kafka, "tx-1", "k1", "after-restart");
            assertThat(readCommitted(kafka, 2)).containsExactly("before-restart", "after-restart");
        }
        assertThat(Files.exists(workDir)).isFalse();
    }

    private static void produceTransactionally(EmbeddedKafka kafka, String transactionalId, String key, String value) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("compacted", 0, key, value));
            producer.commitTransaction();
        }
    }

    private static List<String> readCommitted(EmbeddedKafka kafka, int expected) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition("compacted", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
