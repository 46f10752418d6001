package io.coldframe.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Topics;
import io.coldframe.local.EmbeddedKafka;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;
import io.coldframe.store.SegmentStoreConfig;

/**
 * Issue 11: a store that refuses to replace a segment with other bytes ({@code SegmentConflictException}) made the
 * archiver retry that batch for ever, visible only in its log. The refusal is counted on the ops endpoint
 * ({@code coldframe_archiver_segment_conflicts_total}, which the ColdframeSegmentConflict alert watches).
 */
class SegmentConflictMetricIT {

    private static final Topics TOPICS = new Topics("conflict");
    private static final Pattern CONFLICTS = Pattern.compile("(?m)^coldframe_archiver_segment_conflicts_total(?:\\{[^}]*})? (\\S+)$");

    @TempDir
    Path dir;

    @Test
    void aSegmentIdTakenByOtherBytesIsCountedOnTheOpsEndpoint() throws Exception {
        Path archive = dir.resolve("archive");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            kafka.createTopics(List.of(new NewTopic(TOPICS.cold(), 1, (short) 1), new NewTopic(TOPICS.segmentsCommitted(), 1, (short) 1),
                    new NewTopic(TOPICS.catalog(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(TOPICS.deadLetter(), 1, (short) 1)));
            produce(kafka);
            ArchiverConfig first = config(kafka, archive, "first", 0);
            String segment = archiveOneSegment(first);
            // Another segment took the id (say an older encoder's orphan): same name, other bytes.
            Path video = archive.resolve(segment + ".mkv");
            Files.write(video, "other bytes under the same segment id".getBytes(StandardCharsets.UTF_8));

            int port = freePort();
            ArchiverConfig replay = config(kafka, archive, "replay", port);
            try (ArchiverOps ops = new ArchiverOps(replay)) {
                ArchiverWorker worker = new ArchiverWorker(replay, ops);
                ops.liveness(worker::isAlive);
                ops.start();
                assertThat(conflicts(port)).isZero();
                Thread thread = new Thread(worker, "archiver-replay");
                thread.start();
                try {
                    await().atMost(Duration.ofSeconds(90)).until(() -> conflicts(port) >= 1 || !thread.isAlive());
                } finally {
                    worker.close();
                    thread.join(30_000);
                }
                assertThat(conflicts(port)).isGreaterThanOrEqualTo(1);
                assertThat(worker.segmentsTotal()).as("nothing committed over the other segment").isZero();
            }
            assertThat(Files.readString(video)).as("the stored object was not replaced").isEqualTo("other bytes under the same segment id");
        }
    }

    private ArchiverConfig config(EmbeddedKafka kafka, Path archive, String name, int opsPort) {
        return ArchiverConfig.load(Map.of(
                CommonConfigKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                CommonConfigKeys.TOPIC_PREFIX, TOPICS.prefix(),
                CommonConfigKeys.OPS_PORT, Integer.toString(opsPort),
                CommonConfigKeys.OPS_BIND_ADDRESS, "127.0.0.1",
                ArchiverConfig.GROUP_ID, "archiver-" + name,
                ArchiverConfig.INSTANCE_ID, name,
                ArchiverConfig.BATCH_MAX_RECORDS, "5",
                ArchiverConfig.STAGING_DIR, dir.resolve("staging").toString(),
                SegmentStoreConfig.STORE_DIR, archive.toString()));
    }

    private static String archiveOneSegment(ArchiverConfig config) throws Exception {
        String[] committed = new String[1];
        ArchiverWorker worker = new ArchiverWorker(config, new ArchiveProgressListener() {
            @Override
            public void committed(String segmentId, int memories) {
                committed[0] = segmentId;
            }
        });
        Thread thread = new Thread(worker, "archiver-first");
        thread.start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> committed[0] != null || !thread.isAlive());
        } finally {
            worker.close();
            thread.join(30_000);
        }
        assertThat(committed[0]).as("first segment committed").isNotNull();
        return committed[0];
    }

    private static double conflicts(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher matcher = CONFLICTS.matcher(response.body());
        assertThat(matcher.find()).as("coldframe_archiver_segment_conflicts_total on /metrics").isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void produce(EmbeddedKafka kafka) throws Exception {
        Properties props = kafka.connection().properties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        AvroSerde<TierChange> serde = AvroSerde.of(TierChange.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < 5; i++) {
                String id = "\"conflict-" + i + "\"";
                BsonDocument document = BsonDocument.parse("{_id: 'conflict-" + i + "', agent_id: 'agent-1', text: 'memory " + i + "'}");
                MemoryRecord memory = MemoryRecord.newBuilder().setId(id).setAgent("agent-1").setCreatedAt(Instant.EPOCH).setSizeBytes(10)
                        .setVersion(MemoryDocuments.versionOf(document)).setDocument(MemoryDocuments.toCanonicalJson(document)).build();
                TierChange change = TierChange.newBuilder().setMemoryId(id).setAgent("agent-1").setToTier(Tier.COLD).setRule("age-cold")
                        .setChangedAt(Instant.EPOCH).setMemory(memory).build();
                producer.send(new ProducerRecord<>(TOPICS.cold(), "agent-1".getBytes(StandardCharsets.UTF_8), serde.encode(change))).get();
            }
        }
    }
}
