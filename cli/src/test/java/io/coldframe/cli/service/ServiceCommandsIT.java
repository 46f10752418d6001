package io.coldframe.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

import io.coldframe.cli.restore.RestoreCommand;
import io.coldframe.cli.segment.SegmentCommand;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.local.LocalStack;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.service.ArchiveService;
import io.coldframe.service.ArchiveServiceConfig;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.testkit.MemoryGenerator;

import picocli.CommandLine;

/**
 * {@code segment get} and {@code restore} with {@code --service}: the archive service on the embedded stack answers
 * (a segment stored and its catalog entries published as the archiver publishes them), byte for byte as the store.
 */
class ServiceCommandsIT {

    private static final String SEGMENT = "svc-cli-1";
    private static final String TOKEN = "cli-token";

    @TempDir
    static Path dir;
    private static LocalStack stack;
    private static ArchiveService service;
    private static final List<BsonDocument> documents = new ArrayList<>();

    @BeforeAll
    static void archiveAndServe() throws Exception {
        stack = LocalStack.builder().topicPrefix("svccli").start();
        documents.addAll(new MemoryGenerator(11, Instant.parse("2025-06-01T00:00:00Z")).generate(30));
        List<SegmentRecord> records = new ArrayList<>();
        documents.forEach(d -> records.add(SegmentRecord.of(MemoryDocuments.idOf(d.get("_id")), d)));
        Path staging = dir.resolve("staging");
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write(SEGMENT, records, staging);
        Path store = dir.resolve("store");
        String location = new LocalDirectorySegmentStore(store).store(SEGMENT, staging.resolve(SEGMENT + ".mkv"),
                staging.resolve(SEGMENT + ".manifest.json"), manifest.videoSha256());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        AvroSerde<CatalogEntry> serde = AvroSerde.of(CatalogEntry.class);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (SegmentManifest.Entry e : manifest.entries()) {
                SegmentManifest.Block b = manifest.blocks().get(e.blockIndex());
                producer.send(new ProducerRecord<>(stack.topics().catalog(), e.memoryId(), serde.encode(new CatalogEntry(e.memoryId(),
                        "agent-x", e.version(), SEGMENT, location, e.blockIndex(), b.firstFrame(), b.lastFrame(), Instant.now(), null, null))));
            }
        }
        Map<String, Object> values = new HashMap<>();
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(CommonConfigKeys.TOPIC_PREFIX, "svccli");
        values.put(CommonConfigKeys.MONGODB_URI, stack.mongoUri());
        values.put(CommonConfigKeys.MONGODB_DATABASE, stack.database());
        values.put(CommonConfigKeys.MONGODB_COLLECTION, stack.collection());
        values.put(SegmentStoreConfig.STORE_DIR, store.toString());
        values.put(ArchiveServiceConfig.APPLICATION_ID, "svccli-service");
        values.put(ArchiveServiceConfig.STATE_DIR, dir.resolve("state").toString());
        values.put(ArchiveServiceConfig.CACHE_DIR, dir.resolve("cache").toString());
        values.put(ArchiveServiceConfig.HTTP_PORT, "0");
        values.put(CommonConfigKeys.OPS_PORT, "0");
        values.put(ArchiveServiceConfig.WRITE_TOKEN, TOKEN);
        service = new ArchiveService(ArchiveServiceConfig.load(values));
        service.start();
        // ready once every memory published is indexed
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> service.ready() && documents.stream().allMatch(d -> get(hexOf(d)).startsWith("0:")));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void segmentGetThroughTheServiceEqualsTheStoredDocument() {
        BsonDocument wanted = documents.get(7);
        String out = get(hexOf(wanted));
        assertThat(out).startsWith("0:");
        assertThat(out.substring(2).strip()).isEqualTo(MemoryDocuments.toCanonicalJson(wanted));
        assertThat(get("65f0a1b2c3d4e5f607182930")).startsWith("3:").contains("neither in MongoDB nor in the archive catalog");
    }

    @Test
    void restoreThroughTheServiceNeedsItsTokenAndPutsTheMemoryBack() {
        BsonDocument wanted = documents.get(3);
        String id = hexOf(wanted);
        assertThat(restore("--id", id, "--service", service.url())).startsWith("2:").contains("refused", "--token");
        assertThat(restore("--id", id, "--service", service.url(), "--token", TOKEN)).startsWith("0:").contains("restored 1");
        try (MongoClient client = MongoClients.create(stack.mongoUri())) {
            MongoCollection<RawBsonDocument> memories = client.getDatabase(stack.database()).getCollection(stack.collection(), RawBsonDocument.class);
            RawBsonDocument restored = memories.find(Filters.eq("_id", wanted.get("_id"))).first();
            assertThat(restored).isNotNull();
            assertThat(MemoryDocuments.toCanonicalJson(restored)).isEqualTo(MemoryDocuments.toCanonicalJson(wanted));
        }
        assertThat(restore("--id", id, "--service", service.url(), "--token", TOKEN)).startsWith("0:").contains("already present 1");
    }

    private static String hexOf(BsonDocument document) {
        return document.getObjectId("_id").getValue().toHexString();
    }

    private static String get(String id) {
        return run(new SegmentCommand(), "get", "--service", service.url(), id);
    }

    private static String restore(String... args) {
        return run(new RestoreCommand(), args);
    }

    private static String run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return code + ":" + out + err;
    }
}
