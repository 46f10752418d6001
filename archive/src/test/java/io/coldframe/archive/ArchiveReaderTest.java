package io.coldframe.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;

class ArchiveReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsEachRecordFromOnlyTheFramesOfItsBlockAndCachesTheDecodedBlock() throws Exception {
        List<SegmentRecord> records = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            text.setLength(0);
            for (int w = 0; w < 40; w++) {
                text.append("w").append((i * 7919 + w * 104729) % 100003).append(' ');
            }
            records.add(SegmentRecord.of("\"m-" + i + "\"",
                    BsonDocument.parse("{\"_id\": \"m-" + i + "\", \"agent_id\": \"a\", \"text\": \"" + text + "\"}")));
        }
        Path staging = dir.resolve("staging");
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.builder().blockTargetBytes(64 * 1024).build()).write("seg-1", records, staging);
        LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(dir.resolve("store"));
        store.store("seg-1", staging.resolve("seg-1.mkv"), staging.resolve("seg-1.manifest.json"), manifest.videoSha256());
        assertThat(manifest.blocks()).hasSizeGreaterThan(2);

        VideoFrameIndex index = VideoFrameIndex.read((o, n) -> store.readVideoRange("seg-1", o, n), store.videoSize("seg-1"));
        assertThat(index.frameCount()).isEqualTo(manifest.frameCount());

        try (ArchiveReader reader = new ArchiveReader(store, dir.resolve("cache"), 64L << 20, 16)) {
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
            try (ArchiveReader reader = new ArchiveReader(store, dir.resolve("cache-" + n), 64L << 20, 4)) {
                SegmentManifest.Block block = manifest.blocks().get(0);
                ArchiveReader.Read read = reader.read(id, "\"m-0\"", 0, block.firstFrame(), block.lastFrame()).orElseThrow();
                assertThat(read.record().document()).isEqualTo(records.get(0).document());
                assertThat(reader.framesBytesFetched()).as(id + ": by ranges, not the whole video").isLessThan(store.videoSize(id));
            }
        }
        assertThat(shared).as("frames sharing a cluster among these segments").isPositive();
    }
}
