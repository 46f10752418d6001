package io.coldframe.archive.lifecycle;

import static io.coldframe.archive.lifecycle.RewriteFixture.NEWER;
import static io.coldframe.archive.lifecycle.RewriteFixture.OLD;
import static io.coldframe.archive.lifecycle.RewriteFixture.SHARED;
import static io.coldframe.archive.lifecycle.RewriteFixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import io.coldframe.archive.lifecycle.SegmentRewrite.Outcome;
import io.coldframe.segment.SegmentRecord;

/** Issue 15, erasure: every place a memory is kept, every segment with any version of it, and a re-run finds nothing. */
class MemoryErasureTest {

    @TempDir
    Path dir;
    private RewriteFixture fixture;
    private MongoServer server;
    private MongoClient client;
    private MongoCollection<BsonDocument> memories;
    private final List<String> tombstoned = new ArrayList<>();
    private final MemoryErasure.TierViews views = ids -> {
        tombstoned.addAll(ids);
        return List.of("t.tier.hot", "t.tier.warm");
    };

    @BeforeEach
    void archiveAndMongo() throws IOException {
        fixture = new RewriteFixture(dir, 4);
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
        memories = client.getDatabase("coldframe").getCollection("memories", BsonDocument.class);
        // the shared memory's newest version is still in MongoDB too, and so is one never archived
        memories.insertMany(List.of(fixture.sharedNewer.document(), BsonDocument.parse("{_id: 'hot-1', agent_id: 'agent-1'}")));
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    private MemoryErasure erasure(RewriteProgress progress) {
        return new MemoryErasure(fixture.store, fixture.rewrite(progress), memories, views);
    }

    @Test
    void everyVersionEverywhereIsRemovedAndTheRestStays() throws IOException {
        MemoryErasure.Receipt receipt = erasure(RewriteProgress.NONE).erase(List.of(SHARED, id(2)), false);

        assertThat(receipt.mongoDocuments()).isEqualTo(1);
        assertThat(receipt.tierViews()).containsExactly("t.tier.hot", "t.tier.warm");
        assertThat(tombstoned).containsExactlyInAnyOrder(SHARED, id(2));
        // the old segment held an old version of the shared memory and m2; the newer one only the shared memory
        assertThat(receipt.segmentsFound()).containsExactlyInAnyOrder(OLD, NEWER);
        assertThat(receipt.rewrites()).extracting(SegmentRewrite.Result::outcome).containsExactlyInAnyOrder(Outcome.REWRITTEN, Outcome.EXPIRED);
        String rewritten = receipt.rewrites().stream().flatMap(r -> r.newSegmentId().stream()).findFirst().orElseThrow();
        assertThat(fixture.store.list()).containsExactly(rewritten);
        assertThat(fixture.stored(rewritten)).extracting(SegmentRecord::memoryId).containsExactly(id(0), id(1), id(3));
        assertThat(fixture.catalog.snapshot()).containsOnlyKeys(id(0), id(1), id(3));
        assertThat(memories.countDocuments()).isEqualTo(1);

        MemoryErasure.Receipt again = erasure(RewriteProgress.NONE).erase(List.of(SHARED, id(2)), false);
        assertThat(again.mongoDocuments()).isZero();
        assertThat(again.segmentsFound()).isEmpty();
        assertThat(fixture.store.list()).containsExactly(rewritten);
    }

    @Test
    void aDryRunFindsAndChangesNothing() throws IOException {
        MemoryErasure.Receipt receipt = erasure(RewriteProgress.NONE).erase(Set.of(SHARED), true);

        assertThat(receipt.dryRun()).isTrue();
        assertThat(receipt.mongoDocuments()).isEqualTo(1);
        assertThat(receipt.segmentsFound()).containsExactlyInAnyOrder(OLD, NEWER);
        assertThat(receipt.rewrites()).isEmpty();
        assertThat(tombstoned).isEmpty();
        assertThat(memories.countDocuments()).isEqualTo(2);
        assertThat(fixture.store.list()).containsExactlyInAnyOrder(OLD, NEWER);
    }

    @Test
    void aCrashInTheMiddleIsCompletedByARerun() throws IOException {
        RewriteProgress crashOnce = new RewriteProgress() {
            @Override
            public void stored(String oldSegmentId, String newSegmentId, String location) {
                throw new IllegalStateException("killed after storing " + newSegmentId);
            }
        };
        assertThatThrownBy(() -> erasure(crashOnce).erase(List.of(id(1)), false)).hasMessageContaining("killed");
        assertThat(memories.countDocuments()).isEqualTo(2);
        assertThat(fixture.store.list()).contains(OLD, NEWER);

        MemoryErasure.Receipt receipt = erasure(RewriteProgress.NONE).erase(List.of(id(1)), false);

        assertThat(receipt.segmentsFound()).containsExactly(OLD);
        String rewritten = receipt.rewrites().get(0).newSegmentId().orElseThrow();
        assertThat(fixture.store.list()).containsExactlyInAnyOrder(NEWER, rewritten);
        assertThat(fixture.catalog.latest(id(1))).isEmpty();
        fixture.assertKeptRecordsReadable(Set.of(id(1)), rewritten);
    }
}
