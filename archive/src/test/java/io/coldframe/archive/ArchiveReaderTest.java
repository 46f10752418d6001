package io.coldframe.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.segment.VideoFrameIndex;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStore;

class ArchiveReaderTest {

    @TempDir
    Path dir;

    /**
     * A segment's first read asks the store for its manifest, the container's head and its tail (cues, last cluster)
     * and the block's frames; the index frames at the start of the stream came with the head. No HEAD for the video's
     * size (the manifest names it), no second read of what the index was built from. A later read of another block of
     * the segment is one ranged read.
     */
    @Test
    void aSegmentsFirstReadTakesAtMostFourStoreRequestsAndALaterOneOne() throws Exception {
        List<SegmentRecord> records = wordRecords(6000); // a video well beyond what a first read brings along
        Path staging = dir.resolve("staging");
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.builder().blockTargetBytes(64 * 1024).build()).write("seg-1", records, staging);
        assertThat(manifest.blocks()).hasSizeGreaterThan(4);
        LocalDirectorySegmentStore local = new LocalDirectorySegmentStore(dir.resolve("store"));
        local.store("seg-1", staging.resolve("seg-1.mkv"), staging.resolve("seg-1.manifest.json"), manifest.videoSha256());
        CountingStore store = new CountingStore(local);

        try (ArchiveReader reader = new ArchiveReader(store, dir.resolve("cache"), 64L << 20, 4, 4, 2)) {
            SegmentManifest.Block last = manifest.blocks().get(manifest.blocks().size() - 1);
            String lastId = manifest.entries().stream().filter(e -> e.blockIndex() == last.index()).findFirst().orElseThrow().memoryId();
            assertThat(reader.read("seg-1", lastId, last.index(), last.firstFrame(), last.lastFrame()).orElseThrow().record().document())
                    .isEqualTo(records.stream().filter(r -> r.memoryId().equals(lastId)).findFirst().orElseThrow().document());
            assertThat(store.requests.get()).as("requests of the segment's first read").isLessThanOrEqualTo(4);

            store.requests.set(0);
            // a block the first read's head and tail did not bring along
            VideoFrameIndex frames = VideoFrameIndex.read((o, n) -> local.readVideoRange("seg-1", o, n), local.videoSize("seg-1"));
            SegmentManifest.Block middle = manifest.blocks().stream()
                    .filter(b -> frames.frameStart(b.firstFrame()) > 192 * 1024 && frames.frameEnd(b.lastFrame()) < frames.videoSize() - 64 * 1024)
                    .findFirst().orElseThrow();
            String middleId = manifest.entries().stream().filter(e -> e.blockIndex() == middle.index()).findFirst().orElseThrow().memoryId();
            assertThat(reader.read("seg-1", middleId, middle.index(), middle.firstFrame(), middle.lastFrame()).orElseThrow().record().document())
                    .isEqualTo(records.stream().filter(r -> r.memoryId().equals(middleId)).findFirst().orElseThrow().document());
            assertThat(store.requests.get()).as("requests of a later read of the segment").isEqualTo(1);
        }
    }

    /**
     * A segment's reader stays open for its later blocks, except where its demuxer may have buffered the copy while the
     * frames were not fetched yet (just past the last block it read): every block reads back right either way, and the
     * bound on open readers closes the least recently used.
     */
    @Test
    void readersStayOpenBetweenBlocksOfASegmentWithinTheirBound() throws Exception {
        LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(dir.resolve("store"));
        List<SegmentRecord> records = wordRecords(2000);
        SegmentManifest a = write(store, "seg-a", records);
        SegmentManifest b = write(store, "seg-b", records);
        int blocks = a.blocks().size();
        assertThat(blocks).isGreaterThan(4);

        try (ArchiveReader reader = new ArchiveReader(store, dir.resolve("cache-down"), 64L << 20, 4, 4, 2)) {
            for (int block = blocks - 1; block >= 0; block--) {
                assertReadsBack(reader, "seg-a", a, block, records);
            }
            assertThat(reader.readersOpened()).as("blocks read last to first: one reader").isEqualTo(1);
        }
        try (ArchiveReader reader = new ArchiveReader(store, dir.resolve("cache-up"), 64L << 20, 4, 4, 2)) {
            for (int block = 0; block < blocks; block++) {
                assertReadsBack(reader, "seg-a", a, block, records);
            }
        }
        try (ArchiveReader reader = new ArchiveReader(store, dir.resolve("cache-bound"), 64L << 20, 4, 1, 2)) {
            for (int block = blocks - 1; block >= blocks - 3; block--) {
                assertReadsBack(reader, "seg-a", a, block, records);
                assertReadsBack(reader, "seg-b", b, block, records);
            }
            assertThat(reader.readersOpened()).as("one open reader for two segments read in turn").isEqualTo(6);
        }
    }

    private SegmentManifest write(SegmentStore store, String id, List<SegmentRecord> records) throws IOException {
        Path staging = dir.resolve("staging-" + id);
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.builder().blockTargetBytes(64 * 1024).build()).write(id, records, staging);
        store.store(id, staging.resolve(id + ".mkv"), staging.resolve(id + ".manifest.json"), manifest.videoSha256());
        return manifest;
    }

    private static void assertReadsBack(ArchiveReader reader, String segmentId, SegmentManifest manifest, int block,
            List<SegmentRecord> records) throws IOException {
        SegmentManifest.Block b = manifest.blocks().get(block);
        for (SegmentManifest.Entry entry : manifest.entries().stream().filter(e -> e.blockIndex() == block).toList()) {
            SegmentRecord expected = records.stream().filter(r -> r.memoryId().equals(entry.memoryId())).findFirst().orElseThrow();
            assertThat(reader.read(segmentId, entry.memoryId(), block, b.firstFrame(), b.lastFrame()).orElseThrow().record().document())
                    .as("%s %s", segmentId, entry.memoryId()).isEqualTo(expected.document());
        }
    }

    @Test
    void readsEachRecordFromOnlyTheFramesOfItsBlockAndCachesTheDecodedBlock() throws Exception {
        List<SegmentRecord> records = wordRecords(2000);
        Path staging = dir.resolve("staging");
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.builder().blockTargetBytes(64 * 1024).build()).write("seg-1", records, staging);
        LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(dir.resolve("store"));
        store.store("seg-1", staging.resolve("seg-1.mkv"), staging.resolve("seg-1.manifest.json"), manifest.videoSha256());
        assertThat(manifest.blocks()).hasSizeGreaterThan(2);

        VideoFrameIndex index = VideoFrameIndex.read((o, n) -> store.readVideoRange("seg-1", o, n), store.videoSize("seg-1"));
        assertThat(index.frameCount()).isEqualTo(manifest.frameCount());

        try (ArchiveReader reader = new ArchiveReader(store, dir.resolve("cache"), 64L << 20, 16, 4, 2)) {
            for (int b = manifest.blocks().size() - 1; b >= 0; b--) {
                SegmentManifest.Block block = manifest.blocks().get(b);
                SegmentManifest.Entry entry = manifest.entries().stream().filter(e -> e.blockIndex() == block.index()).findFirst().orElseThrow();
                long before = reader.framesBytesFetched();
                ArchiveReader.Read read = reader.read("seg-1", entry.memoryId(), b, block.firstFrame(), block.lastFrame()).orElseThrow();
                SegmentRecord expected = records.stream().filter(r -> r.memoryId().equals(entry.memoryId())).findFirst().orElseThrow();
                assertThat(read.record().document()).isEqualTo(expected.document());
                long fetched = reader.framesBytesFetched() - before;
                long blockBytes = index.frameEnd(block.lastFrame()) - index.frameStart(block.firstFrame());
                assertThat(fetched).as("block %d", b).isLessThanOrEqualTo(blockBytes + index.frameEnd(8) - index.frameStart(0));
                assertThat(reader.read("seg-1", entry.memoryId(), b, block.firstFrame(), block.lastFrame()).orElseThrow().cached()).isTrue();
            }
        }
    }

    /**
     * FFmpeg's Matroska muxer starts a new cluster at a keyframe only when the open one holds over 4 KiB, so a frame
     * that compresses below that (a short last data frame) shares its cluster with the next: two cue points name one
     * cluster. Such segments are still read by ranges, not as whole videos.
     */
    @Test
    void readsByRangesSegmentsWhereSmallFramesShareACluster() throws Exception {
        LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(dir.resolve("store"));
        int shared = 0;
        for (int n = 3; n <= 30; n++) {
            List<SegmentRecord> records = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                records.add(SegmentRecord.of("\"m-" + i + "\"", BsonDocument.parse("{\"_id\": \"m-" + i + "\", \"text\": \""
                        + Long.toString((n * 1_000_003L + i) * 2_654_435_761L, 36).repeat(20 + (i * 31 + n) % 60) + "\"}")));
            }
            String id = "seg-" + n;
            Path staging = dir.resolve("staging-" + n);
            SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write(id, records, staging);
            store.store(id, staging.resolve(id + ".mkv"), staging.resolve(id + ".manifest.json"), manifest.videoSha256());
            VideoFrameIndex index = VideoFrameIndex.read((o, len) -> store.readVideoRange(id, o, len), store.videoSize(id));
            assertThat(index.frameCount()).as(id).isEqualTo(manifest.frameCount());
            for (int f = 1; f < index.frameCount(); f++) {
                shared += index.frameStart(f) == index.frameStart(f - 1) ? 1 : 0;
            }
            try (ArchiveReader reader = new ArchiveReader(store, dir.resolve("cache-" + n), 64L << 20, 4, 4, 1)) {
                SegmentManifest.Block block = manifest.blocks().get(0);
                ArchiveReader.Read read = reader.read(id, "\"m-0\"", 0, block.firstFrame(), block.lastFrame()).orElseThrow();
                assertThat(read.record().document()).isEqualTo(records.get(0).document());
                assertThat(reader.framesBytesFetched()).as(id + ": by ranges, not the whole video").isLessThan(store.videoSize(id));
            }
        }
        assertThat(shared).as("frames sharing a cluster among these segments").isPositive();
    }

    private static List<SegmentRecord> wordRecords(int count) {
        List<SegmentRecord> records = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.setLength(0);
            for (int w = 0; w < 40; w++) {
                text.append("w").append((i * 7919 + w * 104729) % 100003).append(' ');
            }
            records.add(SegmentRecord.of("\"m-" + i + "\"",
                    BsonDocument.parse("{\"_id\": \"m-" + i + "\", \"agent_id\": \"a\", \"text\": \"" + text + "\"}")));
        }
        return records;
    }

    /** Counts the requests a reader sends to the store. */
    private static final class CountingStore implements SegmentStore {
        final AtomicInteger requests = new AtomicInteger();
        private final SegmentStore store;

        CountingStore(SegmentStore store) {
            this.store = store;
        }

        @Override
        public String store(String segmentId, Path stagedVideo, Path stagedManifest, String videoSha256) throws IOException {
            return store.store(segmentId, stagedVideo, stagedManifest, videoSha256);
        }

        @Override
        public boolean contains(String segmentId) throws IOException {
            requests.incrementAndGet();
            return store.contains(segmentId);
        }

        @Override
        public Path fetch(String segmentId) throws IOException {
            requests.addAndGet(2);
            return store.fetch(segmentId);
        }

        @Override
        public Path fetchManifest(String segmentId) throws IOException {
            requests.incrementAndGet();
            return store.fetchManifest(segmentId);
        }

        @Override
        public List<String> list() throws IOException {
            requests.incrementAndGet();
            return store.list();
        }

        @Override
        public Instant storedAt(String segmentId) throws IOException {
            requests.incrementAndGet();
            return store.storedAt(segmentId);
        }

        @Override
        public void delete(String segmentId) throws IOException {
            store.delete(segmentId);
        }

        @Override
        public byte[] readVideoRange(String segmentId, long offset, int length) throws IOException {
            requests.incrementAndGet();
            return store.readVideoRange(segmentId, offset, length);
        }

        @Override
        public long videoSize(String segmentId) throws IOException {
            requests.incrementAndGet();
            return store.videoSize(segmentId);
        }

        @Override
        public byte[] readVideoTail(String segmentId, int length) throws IOException {
            requests.incrementAndGet();
            return store.readVideoTail(segmentId, length);
        }
    }
}
