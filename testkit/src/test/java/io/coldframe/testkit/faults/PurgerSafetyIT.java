package io.coldframe.testkit.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.archive.KafkaRestoreMarks;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.DeadLetters;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Topics;
import io.coldframe.local.LocalStack;
import io.coldframe.purger.Purger;
import io.coldframe.purger.PurgerConfig;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.PurgeResult;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStoreConfig;

/**
 * The purger against forged or stale commit events (issue 11): a commit whose segment is missing, different or does
 * not hold an id@version deletes nothing and is dead-lettered; a replay does not delete a memory restored after the
 * commit; a fenced purger is not live and exits non-zero. One in-JVM purger per test on the embedded stack.
 */
class PurgerSafetyIT {

    private static final AvroSerde<SegmentCommitted> COMMITS = AvroSerde.of(SegmentCommitted.class);
    private static final AvroSerde<PurgeResult> RESULTS = AvroSerde.of(PurgeResult.class);
    private static LocalStack stack;
    private static MongoClient mongo;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start();
        mongo = MongoClients.create(stack.mongoUri());
    }

    @AfterAll
    static void stopStack() {
        if (mongo != null) {
            mongo.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static BsonDocument doc(String id) {
        return BsonDocument.parse("{_id: '" + id + "', agent_id: 'a', kind: 'note', n: {$numberInt: '7'}, text: 'memory " + id + "'}");
    }

    private static ArchivedMemory archived(BsonDocument document) {
        return new ArchivedMemory(MemoryDocuments.idOf(document.get("_id")), "a", MemoryDocuments.versionOf(document), null);
    }

    private static SegmentCommitted commit(String segmentId, String sha256, List<BsonDocument> memories) {
        return new SegmentCommitted(segmentId, 1, "file:///nowhere/" + segmentId + ".mkv", sha256, "t", 0, 0L, 0L, 0L, 0L,
                Instant.now(), memories.stream().map(PurgerSafetyIT::archived).toList(), null);
    }

    private static Map<String, Object> purgerConfig(String prefix, String collection, Path store, String instance, int opsPort) {
        return Map.of(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                CommonConfigKeys.TOPIC_PREFIX, prefix,
                CommonConfigKeys.MONGODB_URI, stack.mongoUri(),
                CommonConfigKeys.MONGODB_DATABASE, stack.database(),
                CommonConfigKeys.MONGODB_COLLECTION, collection,
                SegmentStoreConfig.STORE_DIR, store.toString(),
                PurgerConfig.GROUP_ID, prefix + "-purger",
                PurgerConfig.INSTANCE_ID, instance,
                CommonConfigKeys.OPS_PORT, Integer.toString(opsPort));
    }

    private static void publish(Topics topics, SegmentCommitted... commits) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (SegmentCommitted commit : commits) {
                producer.send(new ProducerRecord<>(topics.segmentsCommitted(), commit.getSegmentId().getBytes(StandardCharsets.UTF_8),
                        COMMITS.encode(commit))).get();
            }
        }
    }

    private static boolean present(MongoCollection<BsonDocument> memories, String id) {
        return memories.countDocuments(Filters.eq("_id", id)) == 1;
    }

    @Test
    void commitsTheStoreDoesNotConfirmDeleteNothingAndARestoreNewerThanTheCommitProtectsAgainstItsReplay() throws Exception {
        Topics topics = new Topics("psafe");
        stack.createTopics(topics);
        String collection = "psafe_memories";
        MongoCollection<BsonDocument> memories = mongo.getDatabase(stack.database()).getCollection(collection, BsonDocument.class);
        memories.drop();
        List<BsonDocument> all = List.of(doc("a"), doc("b"), doc("c"), doc("d"), doc("e"));
        memories.insertMany(all);

        // One real, verified, stored segment holding a, b and c.
        Path work = Files.createTempDirectory("purger-safety");
        Path storeDir = work.resolve("store");
        Path staging = Files.createDirectories(work.resolve("staging"));
        List<BsonDocument> segmentDocs = all.subList(0, 3);
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write("seg-1",
                segmentDocs.stream().map(d -> SegmentRecord.of(MemoryDocuments.idOf(d.get("_id")), d)).toList(), staging);
        String sha = manifest.videoSha256();
        new LocalDirectorySegmentStore(storeDir).store("seg-1", staging.resolve("seg-1.mkv"), staging.resolve("seg-1.manifest.json"), sha);

        Purger purger = new Purger(PurgerConfig.load(purgerConfig("psafe", collection, storeDir, "safety", 0)));
        Thread thread = new Thread(purger, "purger-safety");
        thread.start();
        try {
            SegmentCommitted good = commit("seg-1", sha, segmentDocs);
            publish(topics,
                    commit("seg-missing", sha, List.of(doc("d"))),                 // no such segment in the store
                    commit("seg-1", "0".repeat(64), List.of(doc("a"))),            // a different video
                    commit("seg-1", sha, List.of(doc("a"), doc("e"))),             // e@version is not in the segment
                    good);
            await().atMost(Duration.ofMinutes(2)).until(() -> results(topics).size() + deadLetterRecords(topics).size() == 4);

            assertThat(present(memories, "d")).as("a missing segment deletes nothing").isTrue();
            assertThat(present(memories, "e")).as("an id@version the segment does not hold is not deleted").isTrue();
            assertThat(List.of("a", "b", "c")).allSatisfy(id -> assertThat(present(memories, id)).as(id).isFalse());
            assertThat(results(topics)).as("only the confirmed commit was purged").hasSize(1);
            assertThat(deadLetterRecords(topics)).extracting(r -> DeadLetters.header(r.headers(), DeadLetters.REASON))
                    .anySatisfy(reason -> assertThat(reason).contains("seg-missing is not in the store"))
                    .anySatisfy(reason -> assertThat(reason).contains("hashes to " + sha + ", the commit says " + "0".repeat(64)))
                    .anySatisfy(reason -> assertThat(reason).contains("does not hold \"e\"@"));

            // a is restored (mark first, then the document, byte for byte), after seg-1's commit; then seg-1 is replayed.
            try (KafkaRestoreMarks marks = new KafkaRestoreMarks(stack.kafkaConnection(), topics.restores(), Duration.ofSeconds(30))) {
                marks.publish(List.of("\"a\""), Instant.now(), Instant.now().plus(Duration.ofDays(1)));
            }
            memories.insertOne(doc("a"));
            // counted before the replay is published: the purger may answer it before a count taken after
            int before = results(topics).size();
            publish(topics, good);
            await().atMost(Duration.ofMinutes(2)).until(() -> results(topics).size() == before + 1);
            assertThat(present(memories, "a")).as("a restore newer than the commit protects the memory from its replay").isTrue();
            assertThat(results(topics).get(before).getDeleted()).isEmpty();
        } finally {
            purger.close();
            thread.join(30_000);
        }
    }

    @Test
    void aFencedPurgerAnswersNotLiveAndExitsNonZero() throws Exception {
        Topics topics = new Topics("pfence");
        stack.createTopics(topics);
        int port = FencedService.freePort();
        Path store = Files.createTempDirectory("purger-fence");
        PurgerConfig config = PurgerConfig.load(purgerConfig("pfence", "pfence_memories", store, "fence", port));
        String group = config.getString(PurgerConfig.GROUP_ID);

        // The purger learns it was fenced at its next transaction.
        FencedService.Outcome outcome = FencedService.fence(stack.kafkaConnection(), group, group + "-fence", port,
                () -> Purger.serve(config), () -> publish(topics, commit("seg-none", "0".repeat(64), List.of(doc("x")))));

        assertThat(outcome.exitCode()).as("the main's exit code after the loop ended by itself").isEqualTo(1);
        assertThat(outcome.liveStatus()).as("/health/live once the loop ended").isEqualTo(503);
    }

    private static List<PurgeResult> results(Topics topics) {
        List<PurgeResult> results = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : InvariantAudit.readCommitted(stack.kafkaConnection(), topics.purgeResults())) {
            results.add(RESULTS.decode(record.value()));
        }
        return results;
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLetterRecords(Topics topics) {
        return InvariantAudit.readCommitted(stack.kafkaConnection(), topics.deadLetter());
    }

}
