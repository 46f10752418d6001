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
}
