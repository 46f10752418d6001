package io.coldframe.purger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.SegmentIds;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;

class SegmentCheckTest {

    private static final String SEGMENT = "t.tier.cold-0-0-1";

    @TempDir
    Path dir;

    private final BsonDocument original = BsonDocument.parse("{_id: 'm1', agent_id: 'a', user: {email: 'ann@example.com'}}");
    private final BsonDocument redacted = original.clone().append("user", new BsonDocument("email", new BsonString("redacted:00ff")));
    private final BsonDocument other = BsonDocument.parse("{_id: 'm2', agent_id: 'a', text: 'kept as is'}");
    private LocalDirectorySegmentStore store;
    private SegmentCheck check;
    private String sha256;

    @BeforeEach
    void storeASegmentHoldingARedactedAndAnUnchangedRecord() throws Exception {
        Path staging = dir.resolve("staging");
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write(SEGMENT,
                List.of(SegmentRecord.of("\"m1\"", redacted), SegmentRecord.of("\"m2\"", other)), staging);
        store = new LocalDirectorySegmentStore(dir.resolve("archive"));
        sha256 = manifest.videoSha256();
        store.store(SEGMENT, staging.resolve(SEGMENT + LocalDirectorySegmentStore.VIDEO_SUFFIX),
                staging.resolve(SEGMENT + LocalDirectorySegmentStore.MANIFEST_SUFFIX), sha256);
        check = new SegmentCheck(store);
    }

    @Test
    void confirmsTheRedactedFormWhenTheCommitBindsItToTheOriginalVersion() throws Exception {
        assertThat(check.problem(commit(sha256, memory("\"m1\"", original, redacted), memory("\"m2\"", other, null)))).isNull();
    }

    @Test
    void refusesACommitWhoseRedactedVersionTheSegmentDoesNotHold() throws Exception {
        BsonDocument elsewhere = original.clone().append("user", new BsonDocument("email", new BsonString("redacted:1234")));

        assertThat(check.problem(commit(sha256, memory("\"m1\"", original, elsewhere))))
                .contains("does not hold \"m1\"@" + MemoryDocuments.versionOf(elsewhere))
                .contains("the redacted form of version " + MemoryDocuments.versionOf(original));
    }

    @Test
    void withoutAStoredVersionTheOriginalMustBeInTheSegment() throws Exception {
        assertThat(check.problem(commit(sha256, memory("\"m1\"", original, null))))
                .isEqualTo("segment " + SEGMENT + " does not hold \"m1\"@" + MemoryDocuments.versionOf(original));
    }

    @Test
    void refusesAVideoThatIsNotTheCommittedOneOrIsGone() throws Exception {
        assertThat(check.problem(commit("00".repeat(32), memory("\"m2\"", other, null)))).contains("hashes to " + sha256);

        Files.delete(dir.resolve("archive").resolve(SEGMENT + LocalDirectorySegmentStore.VIDEO_SUFFIX));

        assertThat(check.problem(commit(sha256, memory("\"m2\"", other, null)))).contains("is not in the store");
    }

    @Test
    void aSegmentRewrittenBeforeThePurgeIsConfirmedInItsRewriteForTheRecordsTheRewriteKept() throws Exception {
        String rewrite = SegmentIds.rewritten(SEGMENT, "0123456789abcdef");
        storeRewriteHolding(rewrite, SegmentRecord.of("\"m2\"", other));
        deleteOriginal();

        SegmentCheck.Confirmation confirmation = check.confirm(commit(sha256, memory("\"m1\"", original, redacted), memory("\"m2\"", other, null)));

        assertThat(confirmation.problem()).isNull();
        assertThat(confirmation.segmentId()).isEqualTo(rewrite);
        assertThat(confirmation.held()).extracting(ArchivedMemory::getId).containsExactly("\"m2\"");
        assertThat(confirmation.dropped()).extracting(ArchivedMemory::getId).containsExactly("\"m1\"");
    }

    @Test
    void aStoredSegmentIsConfirmedAsItIsWithEveryMemoryHeld() throws Exception {
        SegmentCheck.Confirmation confirmation = check.confirm(commit(sha256, memory("\"m2\"", other, null)));

        assertThat(confirmation.problem()).isNull();
        assertThat(confirmation.segmentId()).isEqualTo(SEGMENT);
        assertThat(confirmation.held()).hasSize(1);
        assertThat(confirmation.dropped()).isEmpty();
    }

    @Test
    void aRewriteWhoseStoredVideoIsNotTheOneItsIndexDescribesConfirmsNothing() throws Exception {
        String rewrite = SegmentIds.rewritten(SEGMENT, "0123456789abcdef");
        storeRewriteHolding(rewrite, SegmentRecord.of("\"m2\"", other));
        deleteOriginal();
        Path video = dir.resolve("archive").resolve(rewrite + LocalDirectorySegmentStore.VIDEO_SUFFIX);
        byte[] bytes = Files.readAllBytes(video);
        bytes[bytes.length / 2] ^= 1;
        Files.write(video, bytes);

        assertThat(check.confirm(commit(sha256, memory("\"m2\"", other, null))).problem())
                .contains("is not in the store").contains(rewrite).contains("hashes to");
    }

    @Test
    void withoutTheSegmentAndWithoutARewriteNothingIsConfirmed() throws Exception {
        deleteOriginal();

        assertThat(check.confirm(commit(sha256, memory("\"m2\"", other, null))).problem()).contains("is not in the store");
    }

    private void storeRewriteHolding(String rewrite, SegmentRecord... records) throws Exception {
        Path staging = dir.resolve("rewrite-staging");
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write(rewrite, List.of(records), staging);
        store.store(rewrite, staging.resolve(rewrite + LocalDirectorySegmentStore.VIDEO_SUFFIX),
                staging.resolve(rewrite + LocalDirectorySegmentStore.MANIFEST_SUFFIX), manifest.videoSha256());
    }

    private void deleteOriginal() throws Exception {
        store.delete(SEGMENT);
    }

    private static ArchivedMemory memory(String id, BsonDocument document, BsonDocument stored) {
        return new ArchivedMemory(id, "a", MemoryDocuments.versionOf(document), stored == null ? null : MemoryDocuments.versionOf(stored));
    }

    private static SegmentCommitted commit(String sha256, ArchivedMemory... memories) {
        return SegmentCommitted.newBuilder().setSegmentId(SEGMENT).setFormatVersion(2).setLocation("file:///" + SEGMENT)
                .setSha256(sha256).setSourceTopic("t.tier.cold").setSourcePartition(0).setFirstOffset(0).setLastOffset(1)
                .setRawBytes(1).setArchiveBytes(1).setCommittedAt(Instant.EPOCH).setMemories(List.of(memories))
                .setRedactionPolicy("sha256:test").build();
    }
}
