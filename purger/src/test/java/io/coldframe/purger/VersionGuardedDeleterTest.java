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
        return new ArchivedMemory(MemoryDocuments.idOf(document.get("_id")), "a", MemoryDocuments.versionOf(document));
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
}
