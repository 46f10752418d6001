package io.coldframe.archive.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.bson.BsonDocument;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;

/**
 * A store with two committed segments and their catalog: {@link #OLD} holds memories m0..m{n-1} (several blocks, many
 * BSON types) and an old version of {@link #SHARED}, whose latest version lies in {@link #NEWER}. Checks the rewrite's
 * invariant: every kept record is readable from the old or the new segment, and where the catalog points.
 */
final class RewriteFixture {

    static final String OLD = "t.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6-0-0-9";
    static final String NEWER = "t.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6-0-10-19";
    static final String SHARED = "\"shared\"";
    /** Small blocks, so a segment of a few records has several and catalog pointers to blocks are really checked. */
    static final SegmentOptions OPTIONS = SegmentOptions.builder().blockTargetBytes(1024).threads(1).build();

    final Path dir;
    final LocalDirectorySegmentStore store;
    final InMemoryCatalog catalog = new InMemoryCatalog();
    final List<SegmentRecord> oldRecords = new ArrayList<>();
    final SegmentRecord sharedNewer;

    RewriteFixture(Path dir, int memories) throws IOException {
        this.dir = dir;
        store = new LocalDirectorySegmentStore(dir.resolve("store"));
        for (int i = 0; i < memories; i++) {
            oldRecords.add(record("{_id: 'm" + i + "', agent_id: 'agent-1', n: {$numberLong: '" + i + "'}, d: {$numberDecimal: '" + i
                    + ".10'}, at: {$date: '2025-0" + (1 + i % 9) + "-01T00:00:00Z'}, bin: {$binary: {base64: 'AAEC', subType: '04'}}, "
                    + "text: '" + "memory ".repeat(20 + i) + "', re: {$regularExpression: {pattern: 'a+', options: 'i'}}}"));
        }
        oldRecords.add(record("{_id: 'shared', agent_id: 'agent-1', v: 1}"));
        sharedNewer = record("{_id: 'shared', agent_id: 'agent-1', v: 2}");
        catalog.archived(OLD, storeSegment(OLD, oldRecords));
        catalog.archived(NEWER, storeSegment(NEWER, List.of(sharedNewer)));
    }

    SegmentRewrite rewrite(RewriteProgress progress) {
        return new SegmentRewrite(store, catalog, new SegmentWriter(OPTIONS), dir.resolve("staging"), progress);
    }

    static Predicate<SegmentRecord> memories(Set<String> memoryIds) {
        return record -> memoryIds.contains(record.memoryId());
    }

    static String id(int memory) {
        return "\"m" + memory + "\"";
    }

    private static SegmentRecord record(String json) {
        BsonDocument document = BsonDocument.parse(json);
        return SegmentRecord.of(MemoryDocuments.idOf(document.get("_id")), document);
    }

    private SegmentManifest storeSegment(String id, List<SegmentRecord> records) throws IOException {
        Path staging = Files.createDirectories(dir.resolve("fixture").resolve(id));
        SegmentManifest manifest = new SegmentWriter(OPTIONS).write(id, records, staging);
        store.store(id, staging.resolve(id + LocalDirectorySegmentStore.VIDEO_SUFFIX), staging.resolve(SegmentManifest.fileNameFor(id)),
                manifest.videoSha256());
        return manifest;
    }

    /** Records of a stored segment, or none when it is not stored. */
    List<SegmentRecord> stored(String segmentId) throws IOException {
        if (!store.contains(segmentId)) {
            return List.of();
        }
        try (SegmentReader reader = SegmentReader.open(store.fetch(segmentId))) {
            assertThat(reader.verify().ok()).as("%s verifies", segmentId).isTrue();
            return reader.records().toList();
        }
    }

    /**
     * The invariant at any moment of a rewrite of {@link #OLD} dropping {@code droppedIds}: every kept record is in the
     * old or the new stored segment byte for byte, and the catalog entry of each memory it held points at a stored
     * segment whose block holds that memory's version; the shared memory's entry still points at {@link #NEWER}.
     */
    void assertKeptRecordsReadable(Set<String> droppedIds, String newSegmentId) throws IOException {
        List<SegmentRecord> readable = new ArrayList<>(stored(OLD));
        readable.addAll(stored(newSegmentId));
        for (SegmentRecord kept : oldRecords) {
            if (droppedIds.contains(kept.memoryId())) {
                continue;
            }
            assertThat(readable).as("kept record %s in the old or the new segment", kept.memoryId())
                    .anySatisfy(record -> assertSameRecord(record, kept));
            if (!kept.memoryId().equals(SHARED)) {
                CatalogEntry entry = catalog.latest(kept.memoryId()).orElseThrow();
                assertThat(entry.getVersion()).isEqualTo(kept.version());
                try (SegmentReader reader = SegmentReader.open(store.fetch(entry.getSegmentId()))) {
                    assertThat(reader.block(entry.getBlockIndex())).as("block the catalog names for %s", kept.memoryId())
                            .anySatisfy(record -> assertSameRecord(record, kept));
                }
            }
        }
        assertThat(catalog.latest(SHARED).orElseThrow().getSegmentId()).isEqualTo(NEWER);
        assertThat(stored(NEWER)).singleElement().satisfies(record -> assertSameRecord(record, sharedNewer));
    }

    /** After completion: only the new segment and {@link #NEWER} stored, each kept record once, nothing dropped anywhere. */
    void assertCompleted(Set<String> droppedIds, String newSegmentId) throws IOException {
        assertThat(store.list()).containsExactlyInAnyOrder(NEWER, newSegmentId);
        assertKeptRecordsReadable(droppedIds, newSegmentId);
        List<String> keptIds = oldRecords.stream().map(SegmentRecord::memoryId).filter(id -> !droppedIds.contains(id)).toList();
        assertThat(stored(newSegmentId)).extracting(SegmentRecord::memoryId).containsExactlyElementsOf(keptIds);
        for (String dropped : droppedIds) {
            if (!dropped.equals(SHARED)) {
                assertThat(catalog.latest(dropped)).as("catalog entry of dropped %s", dropped).isEmpty();
            }
        }
        assertThat(Files.exists(dir.resolve("staging").resolve(newSegmentId))).as("staging cleared").isFalse();
    }

    static void assertSameRecord(SegmentRecord actual, SegmentRecord expected) {
        assertThat(actual.memoryId()).isEqualTo(expected.memoryId());
        assertThat(actual.version()).isEqualTo(expected.version());
        assertThat(MemoryDocuments.toBson(actual.document())).isEqualTo(MemoryDocuments.toBson(expected.document()));
    }
}
