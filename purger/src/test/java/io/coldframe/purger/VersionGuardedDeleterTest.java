package io.coldframe.purger;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;

import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.SkipReason;
import io.coldframe.schemas.SkippedMemory;

class VersionGuardedDeleterTest {

    private static MongoServer server;
    private static MongoClient client;
    private MongoCollection<BsonDocument> memories;
    private VersionGuardedDeleter deleter;

    @BeforeAll
    static void startMongo() {
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
    }

    @AfterAll
    static void stopMongo() {
        client.close();
        server.shutdown();
    }

    @BeforeEach
    void emptyCollection() {
        memories = client.getDatabase("coldframe").getCollection("memories", BsonDocument.class);
        memories.drop();
        deleter = new VersionGuardedDeleter(memories);
    }

    private static BsonDocument document(String id) {
        return BsonDocument.parse("{_id: '" + id + "', agent_id: 'a', n: {$numberInt: '1'}, nested: {x: [1, 2.5, 'y']}}");
    }

    private static ArchivedMemory archived(BsonDocument document) {
        return new ArchivedMemory(MemoryDocuments.idOf(document.get("_id")), "a", MemoryDocuments.versionOf(document), null);
    }

    @Test
    void deletesTheArchivedVersionAndOnlyOnce() {
        BsonDocument kept = document("other");
        memories.insertMany(List.of(document("m1"), document("m2"), kept));

        PurgeOutcome first = deleter.purge(List.of(archived(document("m1")), archived(document("m2"))));
        PurgeOutcome replay = deleter.purge(List.of(archived(document("m1")), archived(document("m2"))));

        assertThat(first.deleted()).containsExactlyInAnyOrder("\"m1\"", "\"m2\"");
        assertThat(first.skipped()).isEmpty();
        assertThat(replay.deleted()).isEmpty();
        assertThat(replay.skipped()).extracting(SkippedMemory::getReason).containsOnly(SkipReason.ALREADY_ABSENT);
        assertThat(memories.find().into(new java.util.ArrayList<>())).containsExactly(kept);
    }

    @Test
    void keepsADocumentChangedAfterItWasArchived() {
        BsonDocument original = document("m1");
        memories.insertOne(original);
        memories.updateOne(Filters.eq("_id", "m1"), Updates.set("note", "written after archiving"));

        PurgeOutcome outcome = deleter.purge(List.of(archived(original)));

        assertThat(outcome.deleted()).isEmpty();
        assertThat(outcome.skipped()).containsExactly(new SkippedMemory("\"m1\"", SkipReason.CHANGED_SINCE_ARCHIVED));
        assertThat(memories.countDocuments()).isEqualTo(1);
    }

    @Test
    void aChangeOfTypeAloneIsAChange() {
        BsonDocument original = document("m1");
        memories.insertOne(original.clone().append("n", new BsonDouble(1.0)));

        PurgeOutcome outcome = deleter.purge(List.of(archived(original)));

        assertThat(outcome.skipped()).extracting(SkippedMemory::getReason).containsExactly(SkipReason.CHANGED_SINCE_ARCHIVED);
        assertThat(memories.countDocuments()).isEqualTo(1);
    }

    @Test
    void anOlderArchivedVersionBesideTheCurrentOneDeletesOnlyTheCurrentOne() {
        BsonDocument older = document("m1");
        BsonDocument current = document("m1").append("v", new BsonString("2"));
        memories.insertOne(current);

        PurgeOutcome outcome = deleter.purge(List.of(archived(older), archived(current)));

        assertThat(outcome.deleted()).containsExactly("\"m1\"");
        assertThat(outcome.skipped()).containsExactly(new SkippedMemory("\"m1\"", SkipReason.CHANGED_SINCE_ARCHIVED));
        assertThat(memories.countDocuments()).isZero();
    }

    @Test
    void theDeleteGuardItselfMissesADocumentChangedAfterTheRead() {
        BsonDocument original = document("m1");
        memories.insertOne(original);
        var guard = VersionGuardedDeleter.exactDocument(original);
        memories.updateOne(Filters.eq("_id", "m1"), Updates.set("added", "concurrently"));

        assertThat(memories.deleteMany(guard).getDeletedCount()).isZero();
        memories.updateOne(Filters.eq("_id", "m1"), Updates.unset("added"));
        assertThat(memories.deleteMany(guard).getDeletedCount()).isEqualTo(1);
    }

    /** A memory with a 3072-float embedding: about 40 KB of BSON, so 500 of them make a guard far above 16 MB. */
    private static BsonDocument embedded(String id, int floats, long seed) {
        java.util.Random random = new java.util.Random(seed);
        org.bson.BsonArray embedding = new org.bson.BsonArray();
        for (int i = 0; i < floats; i++) {
            embedding.add(new BsonDouble(random.nextFloat()));
        }
        return new BsonDocument("_id", new BsonString(id)).append("agent_id", new BsonString("a")).append("embedding", embedding);
    }

    @Test
    void deletesDocumentsWith3072FloatEmbeddingsInBatchesBoundedByBytes() {
        List<BsonDocument> documents = new java.util.ArrayList<>();
        for (int i = 0; i < 520; i++) {
            documents.add(embedded("e" + i, 3072, i));
        }
        for (int from = 0; from < documents.size(); from += 100) {
            memories.insertMany(documents.subList(from, from + 100 > documents.size() ? documents.size() : from + 100));
        }
        assertThat(MemoryDocuments.toBson(documents.get(0)).length).isGreaterThan(33_000);

        PurgeOutcome outcome = deleter.purge(documents.stream().map(VersionGuardedDeleterTest::archived).toList());

        assertThat(outcome.deleted()).hasSize(520);
        assertThat(outcome.skipped()).isEmpty();
        assertThat(memories.countDocuments()).isZero();
    }

    @Test
    void deletesOne15MegabyteDocument() {
        BsonDocument big = embedded("big", 700_000, 7).append("text", new BsonString("x".repeat(4_000_000)));
        assertThat(MemoryDocuments.toBson(big).length).isBetween(15_000_000, 16_000_000);
        memories.insertOne(big);
        memories.insertOne(document("small"));

        PurgeOutcome outcome = deleter.purge(List.of(archived(big), archived(document("small"))));

        assertThat(outcome.deleted()).containsExactlyInAnyOrder("\"big\"", "\"small\"");
        assertThat(memories.countDocuments()).isZero();
    }

    @Test
    void aByteBudgetOfOneDocumentStillDeletesEveryCandidateAndKeepsTheChangedOne() {
        VersionGuardedDeleter tiny = new VersionGuardedDeleter(null, memories, VersionGuardedDeleter.Mode.GUARD_ONLY, 1);
        BsonDocument changed = document("m3");
        memories.insertMany(List.of(document("m1"), document("m2"), changed.clone().append("n", new BsonString("1"))));

        PurgeOutcome outcome = tiny.purge(List.of(archived(document("m1")), archived(document("m2")), archived(changed)));

        assertThat(outcome.deleted()).containsExactly("\"m1\"", "\"m2\"");
        assertThat(outcome.skipped()).containsExactly(new SkippedMemory("\"m3\"", SkipReason.CHANGED_SINCE_ARCHIVED));
        assertThat(memories.countDocuments()).isEqualTo(1);
    }

    @Test
    void aProtectedCandidateStaysAndIsReported() {
        memories.insertMany(List.of(document("m1"), document("m2")));

        PurgeOutcome outcome = deleter.purge(List.of(archived(document("m1")), archived(document("m2"))),
                candidates -> candidates.contains("\"m2\"") ? java.util.Set.of("\"m2\"") : java.util.Set.of());

        assertThat(outcome.deleted()).containsExactly("\"m1\"");
        assertThat(outcome.protectedIds()).containsExactly("\"m2\"");
        assertThat(outcome.skipped()).containsExactly(new SkippedMemory("\"m2\"", SkipReason.CHANGED_SINCE_ARCHIVED));
        assertThat(memories.countDocuments()).isEqualTo(1);
    }

    @Test
    void theByteComparisonTellsAnIntFromADoubleAndLetterCaseWhereEqDoesNot() {
        BsonDocument archivedDoc = BsonDocument.parse("{_id: 'm1', n: {$numberInt: '1'}, s: 'Alpha'}");
        String version = MemoryDocuments.versionOf(archivedDoc);
        org.bson.RawBsonDocument asDouble = raw(BsonDocument.parse("{_id: 'm1', n: {$numberDouble: '1.0'}, s: 'Alpha'}"));
        org.bson.RawBsonDocument asLong = raw(BsonDocument.parse("{_id: 'm1', n: {$numberLong: '1'}, s: 'Alpha'}"));
        org.bson.RawBsonDocument lowerCase = raw(BsonDocument.parse("{_id: 'm1', n: {$numberInt: '1'}, s: 'alpha'}"));

        assertThat(VersionGuardedDeleter.isExactVersion(raw(archivedDoc), List.of(version))).isTrue();
        assertThat(VersionGuardedDeleter.isExactVersion(asDouble, List.of(version))).isFalse();
        assertThat(VersionGuardedDeleter.isExactVersion(asLong, List.of(version))).isFalse();
        assertThat(VersionGuardedDeleter.isExactVersion(lowerCase, List.of(version))).isFalse();
    }

    @Test
    void errorsARetryCannotCureArePermanent() {
        assertThat(VersionGuardedDeleter.isPermanent(10334)).as("BSONObjectTooLarge").isTrue();
        assertThat(VersionGuardedDeleter.isPermanent(2)).as("BadValue").isTrue();
        assertThat(VersionGuardedDeleter.isPermanent(11600)).as("InterruptedAtShutdown").isFalse();
        assertThat(VersionGuardedDeleter.isPermanent(112)).as("WriteConflict").isFalse();
    }

    private static org.bson.RawBsonDocument raw(BsonDocument document) {
        return new org.bson.RawBsonDocument(MemoryDocuments.toBson(document));
    }
}
