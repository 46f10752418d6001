package io.coldframe.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.SegmentIds;
import io.coldframe.common.Topics;
import io.coldframe.local.EmbeddedKafka;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;
import io.coldframe.segment.SegmentReader;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStoreConfig;

/**
 * Issue 11, item 1: the cold topic is deleted and recreated (offsets start at 0 again) while the archive keeps its
 * segments. The archiver must give the new incarnation's records new segment ids and leave the committed segment of
 * the old incarnation untouched; with {@code <topic>-<partition>-<first>-<last>} both were {@code ...-0-0-4} and the
 * second segment replaced the first, whose memories MongoDB no longer held.
 */
class SegmentIdIncarnationIT {

    private static final Topics TOPICS = new Topics("incarnation");

    @TempDir
    Path dir;

    @Test
    void aRecreatedColdTopicGetsNewSegmentIdsAndTheOldSegmentStaysAsCommitted() throws Exception {
        Path archive = dir.resolve("archive");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().workDir(dir.resolve("kafka")).start()) {
            kafka.createTopics(List.of(new NewTopic(TOPICS.cold(), 1, (short) 1), new NewTopic(TOPICS.segmentsCommitted(), 1, (short) 1),
                    new NewTopic(TOPICS.catalog(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(TOPICS.deadLetter(), 1, (short) 1)));
            Uuid firstIncarnation = topicId(kafka);
            produce(kafka, "old");
            String first = archiveOneSegment(kafka, archive, "first");
            assertThat(SegmentIds.parse(first).orElseThrow().topicId()).isEqualTo(SegmentIds.topicIdHex(firstIncarnation));
            String firstSha = MemoryDocuments.sha256Hex(Files.readAllBytes(archive.resolve(first + ".mkv")));

            // a replay of the same incarnation lands on the same id and is harmless
            assertThat(archiveOneSegment(kafka, archive, "replay")).isEqualTo(first);

            kafka.admin().deleteTopics(List.of(TOPICS.cold())).all().get();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> kafka.admin().listTopics().names().get().contains(TOPICS.cold()) ? false
                            : tryCreate(kafka));
            Uuid secondIncarnation = topicId(kafka);
            assertThat(secondIncarnation).isNotEqualTo(firstIncarnation);
            produce(kafka, "new");
            String second = archiveOneSegment(kafka, archive, "second");

            assertThat(second).isNotEqualTo(first).startsWith(TOPICS.cold() + "-" + SegmentIds.topicIdHex(secondIncarnation) + "-0-0-4");
            LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(archive);
            assertThat(store.list()).containsExactlyInAnyOrder(first, second);
            assertThat(MemoryDocuments.sha256Hex(Files.readAllBytes(archive.resolve(first + ".mkv")))).as("old segment untouched").isEqualTo(firstSha);
            try (SegmentReader old = SegmentReader.open(store.fetch(first)); SegmentReader neu = SegmentReader.open(store.fetch(second))) {
                assertThat(old.verify().ok()).isTrue();
                assertThat(old.get("\"old-0\"")).isPresent();
                assertThat(neu.get("\"new-0\"")).isPresent();
                assertThat(neu.get("\"old-0\"")).isEmpty();
            }
        }
    }

    private static boolean tryCreate(EmbeddedKafka kafka) {
        kafka.createTopics(List.of(new NewTopic(TOPICS.cold(), 1, (short) 1)));
        return true;
    }

    private static Uuid topicId(EmbeddedKafka kafka) throws Exception {
        return kafka.admin().describeTopics(Set.of(TOPICS.cold())).allTopicNames().get().get(TOPICS.cold()).topicId();
    }

    /** Runs a worker of a fresh consumer group (so it reads the topic from the start) until it committed one segment. */
    private String archiveOneSegment(EmbeddedKafka kafka, Path archive, String name) throws Exception {
        ArchiverConfig config = ArchiverConfig.load(Map.of(
                CommonConfigKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                CommonConfigKeys.TOPIC_PREFIX, "incarnation",
                ArchiverConfig.GROUP_ID, "archiver-" + name,
                ArchiverConfig.INSTANCE_ID, name,
                ArchiverConfig.BATCH_MAX_RECORDS, "5",
                ArchiverConfig.BATCH_LINGER_MS, "60000",
                ArchiverConfig.STAGING_DIR, dir.resolve("staging").toString(),
                SegmentStoreConfig.STORE_DIR, archive.toString()));
        String[] committed = new String[1];
        ArchiverWorker worker = new ArchiverWorker(config, new ArchiveProgressListener() {
            @Override
            public void committed(String segmentId, int memories) {
                committed[0] = segmentId;
            }
        });
        Thread thread = new Thread(worker, "archiver-" + name);
        thread.start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> committed[0] != null || !thread.isAlive());
        } finally {
            worker.close();
            thread.join(30_000);
        }
        assertThat(committed[0]).as("segment committed by worker " + name).isNotNull();
        return committed[0];
    }

    private static void produce(EmbeddedKafka kafka, String prefix) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        AvroSerde<TierChange> serde = AvroSerde.of(TierChange.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < 5; i++) {
                String id = "\"" + prefix + "-" + i + "\"";
                BsonDocument document = BsonDocument.parse("{_id: '" + prefix + "-" + i + "', agent_id: 'agent-1', text: '" + prefix + " memory " + i + "'}");
                MemoryRecord memory = MemoryRecord.newBuilder().setId(id).setAgent("agent-1").setCreatedAt(Instant.EPOCH).setSizeBytes(10)
                        .setVersion(MemoryDocuments.versionOf(document)).setDocument(MemoryDocuments.toCanonicalJson(document)).build();
                TierChange change = TierChange.newBuilder().setMemoryId(id).setAgent("agent-1").setToTier(Tier.COLD).setRule("age-cold")
                        .setChangedAt(Instant.EPOCH).setMemory(memory).build();
                producer.send(new ProducerRecord<>(TOPICS.cold(), "agent-1".getBytes(StandardCharsets.UTF_8), serde.encode(change))).get();
            }
        }
    }
}
