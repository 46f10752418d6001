package io.coldframe.cli.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

import io.coldframe.archive.ArchiveCatalog;
import io.coldframe.archive.KafkaRestoreMarks;
import io.coldframe.archive.Restorer;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.archiver.ArchiverWorker;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.Progress;
import io.coldframe.local.LocalStack;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.RestoreMark;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStoreConfig;

import picocli.CommandLine;

/**
 * {@code coldframe restore} on the embedded stack. A real archiver worker archives the memories of two agents from the
 * cold topic (writing segments and, in its transaction, the catalog): a segment per agent; one memory is archived twice (a newer version
 * in a later segment), one is changed in MongoDB after archiving (so the purger would have kept it). The test then
 * deletes what the purger would have deleted and restores by id, by agent and by segment, with and without Kafka.
 */
class RestoreIT {

    private static final AvroSerde<TierChange> TIER_CHANGES = AvroSerde.of(TierChange.class);
    private static final AvroSerde<RestoreMark> MARKS = AvroSerde.of(RestoreMark.class);

    @TempDir
    static Path work;

    private static LocalStack stack;
    private static MongoClient mongo;
    private static MongoCollection<RawBsonDocument> memories;
    private static Path archiveDir;
    /** The exact bytes of each memory's latest archived version. */
    private static final Map<String, byte[]> archived = new LinkedHashMap<>();
    private static final List<String> agentA = new ArrayList<>();
    private static final List<String> agentB = new ArrayList<>();
    private static String rearchived;
    private static String changedInMongo;
    private static byte[] changedBytes;
    private static String firstSegmentOfA;

    @BeforeAll
    static void archiveTwoAgents() throws Exception {
        stack = LocalStack.builder().tierPartitions(1).start();
        mongo = MongoClients.create(stack.mongoUri());
        memories = mongo.getDatabase(stack.database()).getCollection(stack.collection(), RawBsonDocument.class);
        archiveDir = Files.createDirectories(work.resolve("archive"));

        Instant created = Instant.parse("2026-01-02T03:04:05.678Z");
        for (int i = 0; i < 10; i++) {
            agentA.add(insert(BsonDocument.parse("{_id: 'a-" + i + "', agent_id: 'agent-a', type: 'PLAN', importance: 'LOW', "
                    + "created_at: {$date: '" + created + "'}, n: {$numberLong: '" + (1L << 40) * i + "'}, ratio: 0." + i + ", "
                    + "text: 'plan number " + i + " \u2713', tags: ['x', {k: " + i + ", nested: {deep: [1, 2.5, null, true]}}], "
                    + "bin: {$binary: {base64: 'AAEC', subType: '00'}}}")));
        }
        for (int i = 0; i < 6; i++) {
            ObjectId id = new ObjectId(new java.util.Date(created.toEpochMilli()), i);
            agentB.add(insert(BsonDocument.parse("{_id: {$oid: '" + id.toHexString() + "'}, agent_id: 'agent-b', type: 'BELIEF', "
                    + "created_at: {$date: '" + created + "'}, score: {$numberDecimal: '0.25'}, text: 'belief " + i + "'}")));
        }

        ArchiverConfig config = ArchiverConfig.load(Map.of(
                CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                CommonConfigKeys.TOPIC_PREFIX, stack.topics().prefix(),
                ArchiverConfig.INSTANCE_ID, "restore-it",
                ArchiverConfig.BATCH_LINGER_MS, "500",
                SegmentStoreConfig.STORE_DIR, archiveDir.toString(),
                ArchiverConfig.STAGING_DIR, work.resolve("staging").toString()));
        ArchiverWorker worker = new ArchiverWorker(config);
        Thread thread = new Thread(worker, "archiver");
        thread.start();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            // one cold partition: a segment per agent, then one for the re-archived memory, ordered by offsets
            for (String id : agentA) {
                sendCold(producer, id);
            }
            producer.flush();
            await().atMost(Duration.ofMinutes(2)).until(() -> worker.archivedTotal() == 10);
            for (String id : agentB) {
                sendCold(producer, id);
            }
            producer.flush();
            await().atMost(Duration.ofMinutes(2)).until(() -> worker.archivedTotal() == 16);

            // a memory archived again with a newer version, in a later segment of the same partition
            rearchived = agentA.get(0);
            memories.deleteOne(Filters.eq(MemoryFields.ID, "a-0"));
            insert(BsonDocument.parse("{_id: 'a-0', agent_id: 'agent-a', type: 'PLAN', created_at: {$date: '" + created + "'}, "
                    + "text: 'plan zero, rewritten'}"));
            sendCold(producer, rearchived);
            producer.flush();
            await().atMost(Duration.ofMinutes(2)).until(() -> worker.archivedTotal() == 17);
        } finally {
            worker.close();
            thread.join();
        }
        // a memory changed in MongoDB after it was archived: the purger keeps it, and so must any restore
        changedInMongo = agentB.get(5);
        memories.deleteOne(Filters.eq(MemoryFields.ID, MemoryDocuments.idValue(changedInMongo)));
        BsonDocument newer = new BsonDocument(MemoryFields.ID, MemoryDocuments.idValue(changedInMongo)).append(MemoryFields.AGENT, new org.bson.BsonString("agent-b"))
                .append("text", new org.bson.BsonString("belief 5, revised after archiving"));
        changedBytes = MemoryDocuments.toBson(newer);
        memories.insertOne(new RawBsonDocument(changedBytes));

        List<String> segments = new LocalDirectorySegmentStore(archiveDir).list();
        for (String segmentId : segments) {
            SegmentManifest manifest = SegmentManifest.read(archiveDir.resolve(segmentId + ".manifest.json"));
            if (manifest.entries().size() == 10) {
                firstSegmentOfA = segmentId;
            }
        }
        assertThat(segments).hasSize(3);
        assertThat(firstSegmentOfA).isNotNull();
    }

    /** Inserts the document and remembers its exact bytes as MongoDB holds them: what the archiver archives. */
    private static String insert(BsonDocument document) {
        memories.insertOne(new RawBsonDocument(MemoryDocuments.toBson(document)));
        RawBsonDocument stored = memories.find(Filters.eq(MemoryFields.ID, document.get(MemoryFields.ID))).first();
        String id = MemoryDocuments.idOf(stored.get(MemoryFields.ID));
        archived.put(id, MemoryDocuments.toBson(stored));
        return id;
    }

    private static void sendCold(KafkaProducer<byte[], byte[]> producer, String id) {
        BsonDocument document = new RawBsonDocument(archived.get(id));
        String agent = document.getString(MemoryFields.AGENT).getValue();
        Instant now = Instant.now();
        MemoryRecord memory = MemoryRecord.newBuilder().setId(id).setAgent(agent).setCreatedAt(now).setAccessCount(0)
                .setSizeBytes(archived.get(id).length).setVersion(MemoryDocuments.versionOf(document))
                .setDocument(MemoryDocuments.toCanonicalJson(document)).build();
        TierChange change = TierChange.newBuilder().setMemoryId(id).setAgent(agent).setFromTier(Tier.WARM).setToTier(Tier.COLD)
                .setRule("test").setChangedAt(now).setMemory(memory).build();
        producer.send(new ProducerRecord<>(stack.topics().cold(), agent.getBytes(StandardCharsets.UTF_8), TIER_CHANGES.encode(change)));
    }

    @AfterAll
    static void stop() {
        if (mongo != null) {
            mongo.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** What the purger would have left: every archived memory deleted, except the one changed since archiving. */
    @BeforeEach
    void purge() {
        for (String id : archived.keySet()) {
            if (!id.equals(changedInMongo)) {
                memories.deleteOne(Filters.eq(MemoryFields.ID, MemoryDocuments.idValue(id)));
            }
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run restore(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--mongo-uri", stack.mongoUri(), "--database", stack.database(), "--collection", stack.collection(),
                "--topic-prefix", stack.topics().prefix()));
        if (!all.contains("--archive-dir")) {
            all.addAll(List.of("--archive-dir", archiveDir.toString()));
        }
        if (!all.contains("--bootstrap-servers")) {
            all.addAll(List.of("--bootstrap-servers", stack.bootstrapServers()));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new RestoreCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(all.toArray(String[]::new));
        System.out.println("restore " + String.join(" ", args) + " -> " + code + "\n" + out + err);
        return new Run(code, out.toString(), err.toString());
    }

    private static byte[] inMongo(String id) {
        RawBsonDocument document = memories.find(Filters.eq(MemoryFields.ID, MemoryDocuments.idValue(id))).first();
        return document == null ? null : MemoryDocuments.toBson(document);
    }

    private static Map<String, RestoreMark> marks() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        Map<String, RestoreMark> marks = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            String topic = stack.topics().restores();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    marks.put(new String(record.key(), StandardCharsets.UTF_8), MARKS.decode(record.value()));
                }
            }
        }
        return marks;
    }

    @Test
    void byIdRestoresTheExactLatestArchivedVersionAndPublishesItsMark() {
        Instant before = Instant.now();

        Run run = restore("--id", "a-1", "--id", "\"a-2\"", "--id", "a-0");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("restored 3, already present 0, not found 0, failed 0");
        for (String id : List.of("\"a-1\"", "\"a-2\"", "\"a-0\"")) {
            assertThat(inMongo(id)).as("exact BSON of %s", id).isEqualTo(archived.get(id));
        }
        assertThat(new RawBsonDocument(inMongo("\"a-0\"")).getString("text").getValue()).isEqualTo("plan zero, rewritten");
        Map<String, RestoreMark> marks = marks();
        for (String id : List.of("\"a-1\"", "\"a-2\"", "\"a-0\"")) {
            RestoreMark mark = marks.get(id);
            assertThat(mark).as("mark of %s", id).isNotNull();
            assertThat(mark.getRestoredAt()).isAfterOrEqualTo(before.minusSeconds(1));
            assertThat(Duration.between(mark.getRestoredAt(), mark.getHoldUntil())).isEqualTo(Duration.ofDays(7));
        }

        Run again = restore("--id", "a-1", "--id", "no-such-memory");
        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.out()).contains("restored 0, already present 1, not found 1");
        assertThat(again.err()).contains("\"no-such-memory\"");
    }

    @Test
    void byAgentRestoresEveryMemoryOfTheAgentAndLeavesTheNewerDocumentUntouched() {
        String objectIdHex = new RawBsonDocument(archived.get(agentB.get(0))).getObjectId(MemoryFields.ID).getValue().toHexString();

        Run run = restore("--agent", "agent-b", "--hold", "30d");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("restored 5, already present 1, not found 0, failed 0");
        for (String id : agentB) {
            assertThat(inMongo(id)).as("%s", id).isEqualTo(id.equals(changedInMongo) ? changedBytes : archived.get(id));
        }
        assertThat(marks()).doesNotContainKey(changedInMongo);
        RestoreMark mark = marks().get(agentB.get(0));
        assertThat(Duration.between(mark.getRestoredAt(), mark.getHoldUntil())).isEqualTo(Duration.ofDays(30));

        memories.deleteOne(Filters.eq(MemoryFields.ID, MemoryDocuments.idValue(agentB.get(0))));
        assertThat(restore("--id", objectIdHex).out()).contains("restored 1,");
        assertThat(inMongo(agentB.get(0))).isEqualTo(archived.get(agentB.get(0)));
    }

    @Test
    void bySegmentRestoresItsMemoriesButNotOnesWithANewerArchivedVersion() {
        Run run = restore("--segment", archiveDir.resolve(firstSegmentOfA + ".mkv").toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("restored 9, already present 0, superseded 1, not found 0, failed 0");
        assertThat(run.err()).contains("\"a-0\" (in ");
        assertThat(inMongo("\"a-0\"")).isNull();
        for (String id : agentA.subList(1, 10)) {
            assertThat(inMongo(id)).as("%s", id).isEqualTo(archived.get(id));
        }
        assertThat(restore("--segment", "coldframe.tier.cold-9-0-0").exitCode()).isEqualTo(3);
    }

    @Test
    void marksArePublishedBeforeTheDocumentsAreInserted() throws Exception {
        List<CatalogEntry> entries = ArchiveCatalog.load(stack.kafkaConnection(), stack.topics(), Duration.ofSeconds(30)).byAgent("agent-a");
        assertThat(entries).hasSize(10);
        assertThat(entries.stream().filter(e -> e.getMemoryId().equals(rearchived)).findFirst().orElseThrow().getSegmentId())
                .isNotEqualTo(firstSegmentOfA);
        List<String> checked = new CopyOnWriteArrayList<>();
        try (KafkaRestoreMarks kafka = new KafkaRestoreMarks(stack.kafkaConnection(), stack.topics().restores(), Duration.ofSeconds(30))) {
            Restorer.Marks marks = (ids, restoredAt, holdUntil) -> {
                ids.forEach(id -> assertThat(inMongo(id)).as("%s not inserted before its mark", id).isNull());
                kafka.publish(ids, restoredAt, holdUntil);
                checked.addAll(ids);
            };
            Restorer restorer = new Restorer(new LocalDirectorySegmentStore(archiveDir), memories, marks, Duration.ofHours(1), false,
                    note -> { }, Progress.SILENT, Clock.systemUTC());
            Restorer.Result result = restorer.restore(entries.stream().map(Restorer::target).toList(), new Restorer.Result());
            assertThat(result.restored()).isEqualTo(10);
        }
        assertThat(checked).hasSize(10);
        assertThat(Set.copyOf(checked)).isEqualTo(Set.copyOf(agentA));
    }

    @Test
    void withoutKafkaNothingIsInsertedUnlessMarksAreWaivedThenTheStoreIsScanned() {
        String noKafka = "127.0.0.1:1";

        Run refused = restore("--id", "a-3", "--bootstrap-servers", noKafka, "--kafka-timeout", "2s");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("not reachable").contains("--no-mark");
        assertThat(inMongo("\"a-3\"")).isNull();

        Run byId = restore("--id", "a-3", "--id", "a-0", "--bootstrap-servers", noKafka, "--kafka-timeout", "2s", "--no-mark");
        assertThat(byId.exitCode()).isZero();
        assertThat(byId.err()).contains("catalog unavailable").contains("scanning the manifests");
        assertThat(inMongo("\"a-3\"")).isEqualTo(archived.get("\"a-3\""));
        assertThat(inMongo("\"a-0\"")).as("latest version from the later segment").isEqualTo(archived.get("\"a-0\""));

        Run byAgent = restore("--agent", "agent-a", "--bootstrap-servers", noKafka, "--kafka-timeout", "2s", "--no-mark");
        assertThat(byAgent.exitCode()).isZero();
        assertThat(byAgent.err()).contains("reading every record");
        assertThat(byAgent.out()).contains("restored 8, already present 2");
        for (String id : agentA) {
            assertThat(inMongo(id)).as("%s", id).isEqualTo(archived.get(id));
        }
    }

    @Test
    void aDryRunChangesNothing() {
        Run run = restore("--agent", "agent-a", "--dry-run");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("dry run, nothing changed: would have restored 10");
        for (String id : agentA) {
            assertThat(inMongo(id)).isNull();
        }
    }
}
