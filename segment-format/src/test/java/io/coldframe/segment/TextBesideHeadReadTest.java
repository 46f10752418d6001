package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Codec 2 blocks of many frames, which a reader decodes with the bzip2 text beside the head's frames: every record
 * comes back exactly, lost frames in either part are rebuilt, and a changed byte still fails the block's hash.
 */
class TextBesideHeadReadTest {
    @TempDir
    static Path pristine;
    @TempDir
    Path dir;

    static List<SegmentRecord> records;
    static SegmentManifest manifest;
    static SegmentManifest.Block large;

    @BeforeAll
    static void writeOnce() throws IOException {
        records = TestDocs.memories(5, 400);
        manifest = new SegmentWriter(SegmentOptions.builder().build()).write("texts", records, pristine); // 1 MiB blocks
        large = manifest.blocks().stream().filter(b -> b.lastFrame() - b.firstFrame() >= 40).findFirst().orElseThrow();
        try (SegmentReaderV2 reader = SegmentReaderV2.open(pristine.resolve("texts.mkv"), manifest, 1)) {
            assertThat(reader.index().blocks().get(large.index()).codec()).as("a codec 2 block, or this test reads none")
                    .isEqualTo(BlockCompression.ZSTD_BZIP2.id());
        }
    }

    private Path copy() throws IOException {
        Files.copy(pristine.resolve("texts.mkv"), dir.resolve("texts.mkv"));
        Files.copy(pristine.resolve("texts.manifest.json"), dir.resolve("texts.manifest.json"));
        return dir.resolve("texts.mkv");
    }

    private static List<SegmentRecord> recordsOf(SegmentManifest.Block block) {
        return manifest.entries().stream().filter(e -> e.blockIndex() == block.index())
                .map(e -> records.stream().filter(r -> r.memoryId().equals(e.memoryId())).findFirst().orElseThrow()).toList();
    }

    @Test
    void everyRecordComesBackExactlyFromFreshAndFromKeptReaders() throws IOException {
        Path video = pristine.resolve("texts.mkv");
        try (SegmentReader kept = SegmentReader.open(video)) {
            for (int i = 0; i < records.size(); i++) {
                SegmentRecord want = records.get(i);
                if (i % 25 == 0) { // a fresh reader has no frame or block cached: every part of a block is read
                    try (SegmentReader fresh = SegmentReader.open(video)) {
                        assertThat(fresh.get(want.memoryId()).orElseThrow().document()).isEqualTo(want.document());
                    }
                }
                SegmentRecord got = kept.get(want.memoryId()).orElseThrow();
                assertThat(got.version()).isEqualTo(want.version());
                assertThat(got.document()).isEqualTo(want.document());
            }
        }
    }

    @Test
    void aGetDecodesEachFrameOfItsBlockOnce() throws IOException {
        try (SegmentReader fresh = SegmentReader.open(pristine.resolve("texts.mkv"))) {
            assertThat(fresh.get(recordsOf(large).get(0).memoryId())).isPresent();
            // the probe of frame 0, the index frames, the block's frames (parity frames among them)
            int indexFrames = (int) (manifest.blocks().get(0).streamOffset() / FrameV2.PAYLOAD) + 1;
            assertThat(fresh.framesDecoded()).isLessThanOrEqualTo(1 + indexFrames + large.lastFrame() - large.firstFrame() + 1);
        }
    }

    @Test
    void lostFramesInTheHeadAndInTheTextAreRebuiltAndNamed() throws IOException {
        Path video = copy();
        int head = large.firstFrame() + 1;
        int text = large.lastFrame();
        assertThat(text / SegmentOptions.DEFAULT_PARITY_GROUP_FRAMES).as("two parity groups")
                .isGreaterThan(head / SegmentOptions.DEFAULT_PARITY_GROUP_FRAMES);
        FrameEdits.blank(video, manifest, Set.of(head, text));
        try (SegmentReader r = SegmentReader.open(video)) {
            for (SegmentRecord want : recordsOf(large)) {
                assertThat(r.get(want.memoryId()).orElseThrow().version()).isEqualTo(want.version());
            }
            assertThat(r.repairs()).hasSize(2).anyMatch(p -> p.contains("frame " + head)).anyMatch(p -> p.contains("frame " + text));
        }
    }

    @Test
    void aChangedByteInTheTextFailsTheBlockHashByName() throws IOException {
        Path video = copy();
        FrameEdits.alterPayload(video, manifest, large.lastFrame(), 5);
        String inBlock = recordsOf(large).get(0).memoryId();
        try (SegmentReader r = SegmentReader.open(video)) {
            assertThatThrownBy(() -> r.get(inBlock)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("block " + large.index() + ": sha-256 mismatch");
        }
    }
}
