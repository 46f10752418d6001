package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.coldframe.archive.ArchiveCatalog;
import io.coldframe.archive.lifecycle.KafkaCatalogUpdates;
import io.coldframe.archive.lifecycle.RewriteProgress;
import io.coldframe.archive.lifecycle.SegmentRewrite;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.local.LocalStack;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStoreConfig;

/**
 * Issue 15: a segment rewritten through the real catalog topic. Dropped memories are tombstoned and no reader reports
 * them archived (the catalog the restore and gc read, the archive service's lookups); kept ones are answered from the
 * new segment byte for byte.
 */
class SegmentRewriteIT {

    private static final String PREFIX = "rwit";
    private static final String SEGMENT = "rwit.tier.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6-0-0-19";
    private static final int MEMORIES = 20;
    private static final Set<String> ERASED = Set.of("\"mem-3\"", "\"mem-7\"");
    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static LocalStack stack;
    private static LocalDirectorySegmentStore store;
    private static final Map<String, BsonDocument> archived = new HashMap<>();

    @BeforeAll
    static void archiveASegment() throws Exception {
        stack = LocalStack.builder().topicPrefix(PREFIX).start();
        store = new LocalDirectorySegmentStore(dir.resolve("store"));
        archive(SEGMENT, "mem", MEMORIES);
    }

    /** Stores a segment of {@code count} memories {@code <prefix>-<i>} and publishes its catalog entries as the archiver does. */
    private static void archive(String segmentId, String prefix, int count) throws Exception {
        List<SegmentRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BsonDocument doc = BsonDocument.parse("{\"_id\": \"" + prefix + "-" + i + "\", \"agent_id\": \"agent-0\", \"n\": {\"$numberLong\": \"" + i
                    + "\"}, \"text\": \"" + "memory text ".repeat(10 + i) + "\"}");
            doc.put("created_at", new BsonDateTime(T0.plusSeconds(i).toEpochMilli()));
            archived.put(MemoryDocuments.idOf(doc.get("_id")), doc);
            records.add(SegmentRecord.of(MemoryDocuments.idOf(doc.get("_id")), doc));
        }
        Path staging = dir.resolve("fixture").resolve(segmentId);
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write(segmentId, records, staging);
        String location = store.store(segmentId, staging.resolve(segmentId + ".mkv"), staging.resolve(segmentId + ".manifest.json"),
                manifest.videoSha256());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer())) {
            for (SegmentManifest.Entry e : manifest.entries()) {
                SegmentManifest.Block b = manifest.blocks().get(e.blockIndex());
                CatalogEntry entry = new CatalogEntry(e.memoryId(), "agent-0", e.version(), segmentId, location, e.blockIndex(), b.firstFrame(),
                        b.lastFrame(), Instant.now(), Instant.ofEpochMilli(archived.get(e.memoryId()).getDateTime("created_at").getValue()), null);
                producer.send(new ProducerRecord<>(stack.topics().catalog(), e.memoryId(), CatalogTopology.ENTRIES.encode(entry)));
            }
        }
    }

    private static Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        return props;
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void erasedMemoriesAreNoLongerArchivedAnywhereAndKeptOnesMoved() throws Exception {
        KafkaCatalogUpdates catalog = new KafkaCatalogUpdates(stack.kafkaConnection(), stack.topics().catalog(), Duration.ofSeconds(30));
        SegmentRewrite rewrite = new SegmentRewrite(store, catalog, new SegmentWriter(SegmentOptions.defaults()), dir.resolve("staging"),
                RewriteProgress.NONE);

        SegmentRewrite.Result result = rewrite.rewrite(SEGMENT, record -> ERASED.contains(record.memoryId()));
        String newId = result.newSegmentId().orElseThrow();
        assertThat(result.outcome()).isEqualTo(SegmentRewrite.Outcome.REWRITTEN);
        assertThat(store.contains(SEGMENT)).isFalse();
        assertThat(store.contains(newId)).isTrue();

        ArchiveCatalog loaded = ArchiveCatalog.load(stack.kafkaConnection(), stack.topics(), Duration.ofSeconds(30),
                entry -> entry.getMemoryId().startsWith("\"mem-"));
        assertThat(loaded.size()).isEqualTo(MEMORIES - ERASED.size());
        ERASED.forEach(id -> assertThat(loaded.latest(id)).as(id).isEmpty());
        assertThat(loaded.entries()).allSatisfy(entry -> assertThat(entry.getSegmentId()).isEqualTo(newId));
        assertThat(loaded.latest("\"mem-0\"").orElseThrow().getCreatedAt()).isEqualTo(T0);
        assertThat(loaded.latest("\"mem-0\"").orElseThrow().getLocation()).endsWith(newId + ".mkv");

        // a second run finds the old segment gone and publishes nothing
        assertThat(rewrite.rewrite(SEGMENT, record -> ERASED.contains(record.memoryId())).outcome()).isEqualTo(SegmentRewrite.Outcome.NOT_STORED);
        assertThat(ArchiveCatalog.load(stack.kafkaConnection(), stack.topics(), Duration.ofSeconds(30)).recordsRead()).isEqualTo(loaded.recordsRead());

        try (ArchiveService service = service()) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                HttpResponse<String> kept = get(service, "/memories/%22mem-0%22");
                assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
            });
            for (int i = 0; i < MEMORIES; i++) {
                String id = "\"mem-" + i + "\"";
                HttpResponse<String> response = get(service, "/memories/%22mem-" + i + "%22");
                if (ERASED.contains(id)) {
                    assertThat(response.statusCode()).as(id + ": " + response.body()).isEqualTo(404);
                    continue;
                }
                assertThat(response.statusCode()).as(id + ": " + response.body()).isEqualTo(200);
                JsonNode body = CatalogIndex.JSON.readTree(response.body());
                assertThat(body.get("location").get("segment_id").asText()).isEqualTo(newId);
                assertThat(MemoryDocuments.toBson(RawBsonDocument.parse(body.get("document").toString())))
                        .isEqualTo(MemoryDocuments.toBson(archived.get(id)));
            }
            JsonNode segments = CatalogIndex.JSON.readTree(get(service, "/segments").body()).get("segments");
            List<JsonNode> rewritten = new ArrayList<>();
            segments.forEach(segment -> {
                if (segment.get("segment_id").asText().equals(newId)) {
                    rewritten.add(segment);
                }
                assertThat(segment.get("segment_id").asText()).isNotEqualTo(SEGMENT);
            });
            assertThat(rewritten).singleElement().satisfies(segment -> assertThat(segment.get("memories").asInt()).isEqualTo(MEMORIES - ERASED.size()));
        }
    }

    /**
     * An archiver's transaction, open while the rewrite reads the catalog, commits a newer entry for a memory of the
     * rewritten segment before the rewrite's own update of it: the rewrite writes that entry again after its own, so the
     * newer version stays the memory's latest.
     */
    @Test
    void anEntryAnArchiverCommitsMeanwhileStaysTheLatest() throws Exception {
        String segment = "rwit.tier.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6-1-0-4";
        archive(segment, "race", 5);
        String raced = "\"race-1\"";
        Properties txProps = producerProperties();
        txProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "rwit-archiver");
        try (KafkaProducer<String, byte[]> archiver = new KafkaProducer<>(txProps, new StringSerializer(), new ByteArraySerializer())) {
            archiver.initTransactions();
            archiver.beginTransaction();
            CatalogEntry newer = new CatalogEntry(raced, "agent-0", "newer-version", "a-later-segment", "file:///a-later-segment.mkv", 0, 0, 1,
                    Instant.now(), T0, null);
            archiver.send(new ProducerRecord<>(stack.topics().catalog(), raced, CatalogTopology.ENTRIES.encode(newer))).get();

            KafkaCatalogUpdates catalog = new KafkaCatalogUpdates(stack.kafkaConnection(), stack.topics().catalog(), Duration.ofSeconds(60));
            SegmentRewrite rewrite = new SegmentRewrite(store, catalog, new SegmentWriter(SegmentOptions.defaults()), dir.resolve("staging"),
                    RewriteProgress.NONE);
            CompletableFuture<SegmentRewrite.Result> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return rewrite.rewrite(segment, record -> record.memoryId().equals("\"race-0\""));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // the rewrite's update of race-1 is written (after the open transaction's record); only then does the archiver commit
            await().atMost(Duration.ofSeconds(60)).until(() -> uncommittedSegmentsOf(raced).stream().anyMatch(id -> id.startsWith(segment + ".rw")));
            assertThat(running).isNotDone();
            archiver.commitTransaction();

            String newId = running.get(60, TimeUnit.SECONDS).newSegmentId().orElseThrow();
            ArchiveCatalog loaded = ArchiveCatalog.load(stack.kafkaConnection(), stack.topics(), Duration.ofSeconds(30),
                    entry -> entry.getMemoryId().startsWith("\"race-"));
            assertThat(loaded.latest(raced).orElseThrow().getSegmentId()).isEqualTo("a-later-segment");
            assertThat(loaded.latest("\"race-0\"")).isEmpty();
            assertThat(loaded.latest("\"race-2\"").orElseThrow().getSegmentId()).isEqualTo(newId);
        }
    }

    /** Segment ids of every catalog record of a memory, uncommitted ones included. */
    private static List<String> uncommittedSegmentsOf(String memoryId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<String> segments = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(stack.topics().catalog()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (memoryId.equals(record.key()) && record.value() != null) {
                        segments.add(CatalogTopology.ENTRIES.decode(record.value()).getSegmentId());
                    }
                }
            }
        }
        return segments;
    }

    private static ArchiveService service() throws Exception {
        Map<String, Object> values = new HashMap<>();
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(CommonConfigKeys.TOPIC_PREFIX, PREFIX);
        values.put(CommonConfigKeys.MONGODB_URI, stack.mongoUri());
        values.put(CommonConfigKeys.MONGODB_DATABASE, stack.database());
        values.put(CommonConfigKeys.MONGODB_COLLECTION, stack.collection());
        values.put(SegmentStoreConfig.STORE_DIR, dir.resolve("store").toString());
        values.put(ArchiveServiceConfig.APPLICATION_ID, "rwit-service");
        values.put(ArchiveServiceConfig.STATE_DIR, dir.resolve("state").toString());
        values.put(ArchiveServiceConfig.CACHE_DIR, dir.resolve("cache").toString());
        values.put(ArchiveServiceConfig.HTTP_PORT, "0");
        values.put(CommonConfigKeys.OPS_PORT, "0");
        ArchiveService service = new ArchiveService(ArchiveServiceConfig.load(values));
        service.start();
        return service;
    }

    private static HttpResponse<String> get(ArchiveService service, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
