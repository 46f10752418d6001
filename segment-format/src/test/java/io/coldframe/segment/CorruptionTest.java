package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged v2 archives: a lost or damaged frame per parity group is rebuilt and named; more than that is
 * reported naming exactly the frames, blocks and records that could not be repaired.
 */
class CorruptionTest {
    @TempDir
    static Path pristine;
    @TempDir
    Path dir;

    static List<SegmentRecord> records;
    static SegmentManifest manifest;

    @BeforeAll
    static void writeOnce() throws IOException {
        records = TestDocs.memories(21, 120);
        manifest = new SegmentWriter(SegmentOptions.builder().blockTargetBytes(16 * 1024).build())
                .write("victim", records, pristine);
        assertThat(manifest.blocks().size()).isGreaterThanOrEqualTo(4);
        assertThat(manifest.frameCount()).isGreaterThan(2 * SegmentOptions.DEFAULT_PARITY_GROUP_FRAMES);
    }

    private Path copy() throws IOException {
        Files.copy(pristine.resolve("victim.mkv"), dir.resolve("victim.mkv"));
        Files.copy(pristine.resolve("victim.manifest.json"), dir.resolve("victim.manifest.json"));
        return dir.resolve("victim.mkv");
    }

    private static VerificationReport verify(Path video) throws IOException {
        try (SegmentReader r = SegmentReader.open(video)) {
            return r.verify();
        }
    }

    private static void assertEverythingReads(Path video) throws IOException {
        try (SegmentReader r = SegmentReader.open(video)) {
            for (SegmentRecord want : records) {
                SegmentRecord got = r.get(want.memoryId()).orElseThrow();
                assertThat(got.version()).isEqualTo(want.version());
            }
        }
    }

    @Test
    void aFlippedByteInTheMiddleIsRepairedAndNamed() throws IOException {
        Path video = copy();
        long size = Files.size(video);
        try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "rw")) {
            f.seek(size / 2);
            int b = f.read();
            f.seek(size / 2);
            f.write(b ^ 0xff);
        }
        VerificationReport report = verify(video);
        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.clean()).isFalse();
        assertThat(report.recordsVerified()).isEqualTo(records.size());
        assertThat(report.repairs()).contains("video: sha-256 differs from the sidecar (file damaged since it was written); "
                + "contents checked frame by frame");
        assertThat(report.repairs()).anyMatch(p -> p.matches("frame \\d+: .*; rebuilt from parity group \\d+"));
        assertEverythingReads(video);
        try (SegmentReader r = SegmentReader.open(video)) {
            assertThat(r.records()).hasSize(records.size());
            assertThat(r.repairs()).anyMatch(p -> p.contains("rebuilt from parity group"));
        }
    }

    @Test
    void overwrittenBytesInTheMiddleAreRepaired() throws IOException {
        Path video = copy();
        VideoFrameIndex index = VideoFrameIndex.read((o, n) -> {
            try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "r")) {
                byte[] b = new byte[(int) Math.min(n, f.length() - o)];
                f.seek(o);
                f.readFully(b);
                return b;
            }
        }, Files.size(video));
        int victim = index.frameCount() / 3;
        try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "rw")) {
            f.seek((index.frameStart(victim) + index.frameEnd(victim)) / 2 - 300);
            f.write(new byte[600]); // a run of zeros inside one frame's PNG data
        }
        VerificationReport report = verify(video);
        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.repairs()).anyMatch(p -> p.contains("rebuilt from parity group"));
        assertEverythingReads(video);
    }

    @Test
    void twoLostFramesOfOneGroupAreNamedExactly() throws IOException {
        Path video = copy();
        int groupFrames = SegmentOptions.DEFAULT_PARITY_GROUP_FRAMES;
        int a = groupFrames + 2;
        int b = groupFrames + 5; // both in parity group 1
        FrameEdits.blank(video, manifest, Set.of(a, b));
        VerificationReport report = verify(video);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).anyMatch(p -> p.startsWith("parity group 1 (frames " + groupFrames + "-"
                + (2 * groupFrames - 1) + "): 2 frames lost, parity rebuilds at most 1: frame " + a + " (QR not decodable)"
                + " frame " + b + " (QR not decodable)"));
        assertThat(report.problems()).anyMatch(p -> p.matches("block \\d+: unreadable, frame\\(s\\) \\[.*" + a + ".*\\] lost; "
                + "\\d+ record\\(s\\) affected \\(write order #\\d+\\.\\.#\\d+\\)"));
        assertThat(report.problems()).noneMatch(p -> p.contains("parity group 0") || p.contains("parity group 2"));
        assertThat(report.recordsVerified()).isGreaterThan(0).isLessThan(records.size());

        SegmentManifest.Block hit = manifest.blocks().stream().filter(bl -> bl.firstFrame() <= a && bl.lastFrame() >= a)
                .findFirst().orElseThrow();
        String inHit = manifest.entries().stream().filter(e -> e.blockIndex() == hit.index()).findFirst().orElseThrow()
                .memoryId();
        try (SegmentReader r = SegmentReader.open(video)) {
            assertThatThrownBy(() -> r.get(inHit)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("parity group 1").hasMessageContaining("victim.mkv");
            assertThat(r.get(records.get(0).memoryId())).isPresent();
        }
    }

    @Test
    void oneLostFramePerGroupIsRebuiltEverywhere() throws IOException {
        Path video = copy();
        int groupFrames = SegmentOptions.DEFAULT_PARITY_GROUP_FRAMES;
        Set<Integer> lost = new java.util.TreeSet<>();
        for (int p = 0; p < manifest.frameCount(); p += groupFrames) {
            // frame 0 too: the first frame, which opening probes, holds the start of the index
            lost.add(p == 0 ? 0 : p + Math.min(3, manifest.frameCount() - 1 - p));
        }
        FrameEdits.blank(video, manifest, lost);
        VerificationReport report = verify(video);
        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.repairs()).hasSizeGreaterThanOrEqualTo(lost.size());
        assertEverythingReads(video);
    }

    @Test
    void aFrameWithValidQrButAlteredPayloadFailsTheBlockHash() throws IOException {
        Path video = copy();
        SegmentManifest.Block b = manifest.blocks().get(2);
        int frame = b.lastFrame();
        FrameEdits.alterPayload(video, manifest, frame, 5);
        VerificationReport report = verify(video);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).anyMatch(p -> p.startsWith("block 2: sha-256 mismatch"));
        try (SegmentReader r = SegmentReader.open(video)) {
            String inDamagedBlock = manifest.entries().stream().filter(e -> e.blockIndex() == 2).findFirst()
                    .orElseThrow().memoryId();
            assertThatThrownBy(() -> r.get(inDamagedBlock)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("block 2: sha-256 mismatch").hasMessageContaining("victim.mkv");
            assertThat(r.get(records.get(0).memoryId())).isPresent();
        }
    }

    @Test
    void truncatedVideoIsReportedAndGetNamesTheLostFrames() throws IOException {
        Path video = copy();
        try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "rw")) {
            f.setLength(Files.size(video) * 6 / 10);
        }
        VerificationReport report = verify(video);
        assertThat(report.ok()).isFalse();
        assertThat(report.repairs()).anyMatch(p -> p.matches("video: \\d+ bytes, the sidecar says \\d+ \\(truncated\\?\\).*"));
        assertThat(report.repairs()).anyMatch(p -> p.matches("video: \\d+ frames read, the index implies \\d+"));
        assertThat(report.problems()).anyMatch(p -> p.matches("parity group \\d+ .*frame \\d+ \\(missing\\).*"));
        assertThat(report.recordsVerified()).isGreaterThan(0).isLessThan(records.size());
        try (SegmentReader r = SegmentReader.open(video)) {
            String last = records.get(records.size() - 1).memoryId();
            assertThatThrownBy(() -> r.get(last)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageMatching("(?s).*parity group \\d+.*missing.*");
            assertThat(r.get(records.get(0).memoryId())).isPresent();
        }
    }

    @Test
    void videoCutToItsFirstBytesCannotBeOpened() throws IOException {
        Path video = copy();
        try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "rw")) {
            f.setLength(100);
        }
        assertThatThrownBy(() -> SegmentReader.open(video)).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("cannot open segment video").hasMessageContaining("victim.mkv");
    }

    @Test
    void opensFromTheVideoAloneWithoutItsSidecar() throws IOException {
        Path video = copy();
        Files.delete(dir.resolve("victim.manifest.json"));
        try (SegmentReader r = SegmentReader.open(video)) {
            assertThat(r.manifest().segmentId()).isEqualTo("victim");
            assertThat(r.manifest().recordCount()).isEqualTo(records.size());
            assertThat(r.manifest().frameCount()).isEqualTo(manifest.frameCount());
            assertThat(r.manifest().videoSha256()).isEqualTo(manifest.videoSha256());
            VerificationReport report = r.verify();
            assertThat(report.clean()).as(report.toString()).isTrue();
        }
        assertEverythingReads(video);
    }

    @Test
    void changedSidecarVersionIsRefusedOnOpen() throws IOException {
        Path video = copy();
        Path m = dir.resolve("victim.manifest.json");
        Files.writeString(m, Files.readString(m).replace("\"formatVersion\": 2", "\"formatVersion\": 3"));
        assertThatThrownBy(() -> SegmentReader.open(video)).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("victim.manifest.json")
                .hasMessageContaining("unsupported segment format version 3");
    }

    @Test
    void missingVideoAndGarbageSidecarAreNamed() throws IOException {
        assertThatThrownBy(() -> SegmentReader.open(dir.resolve("nope.mkv"))).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("segment video not found").hasMessageContaining("nope.mkv");
        Path video = copy();
        Files.writeString(dir.resolve("victim.manifest.json"), "{not json", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SegmentReader.open(video)).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("victim.manifest.json").hasMessageContaining("not valid JSON");
    }

    @Test
    void anotherSegmentsVideoBesideThisSidecarIsRecognised() throws IOException {
        new SegmentWriter(SegmentOptions.defaults()).write("other", TestDocs.memories(99, 5), dir);
        Path video = copy();
        Files.copy(dir.resolve("other.mkv"), video, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> SegmentReader.open(video)).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("holds segment \"other\"").hasMessageContaining("victim");
    }

    /** Writes the video again with the frames at the given positions replaced by blank images. */
}
