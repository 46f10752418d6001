package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged archives: verify reports the frame, block or record; open/get throw naming them. */
class CorruptionTest {
    @TempDir
    static Path pristine;
    @TempDir
    Path dir;

    static List<SegmentRecord> records;
    static SegmentManifest manifest;

    @BeforeAll
    static void writeOnce() throws IOException {
        records = TestDocs.memories(21, 60);
        manifest = new SegmentWriter(SegmentOptions.builder().blockTargetBytes(16 * 1024).build())
                .write("victim", records, pristine);
        assertThat(manifest.blocks().size()).isGreaterThanOrEqualTo(4);
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

    @Test
    void overwrittenVideoBytesAreReportedByFrameAndBlock() throws IOException {
        Path video = copy();
        long size = Files.size(video);
        try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "rw")) {
            f.seek(size / 2);
            f.write(new byte[600]); // a run of zeros in the middle of some frame's PNG data
        }
        VerificationReport report = verify(video);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).anyMatch(p -> p.startsWith("video: sha-256 mismatch"));
        assertThat(report.problems()).anyMatch(p -> p.matches("frame \\d+: .*"));
        assertThat(report.problems()).anyMatch(p -> p.matches("block \\d+: unreadable, frame\\(s\\) \\[\\d+.*"));
        assertThat(report.recordsVerified()).isLessThan(records.size()).isGreaterThan(0);
    }

    @Test
    void aSingleFlippedBitAnywhereIsFlagged() throws IOException {
        Path video = copy();
        long size = Files.size(video);
        try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "rw")) {
            // whatever it hits (PNG data, container), the file hash catches it even if every frame decodes
            f.seek(size / 3);
            int b = f.read();
            f.seek(size / 3);
            f.write(b ^ 0x01);
        }
        VerificationReport report = verify(video);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).contains("video: sha-256 mismatch (file changed since it was written)");
    }

    @Test
    void aFrameWithValidQrButAlteredPayloadFailsTheBlockHash() throws IOException {
        Path video = copy();
        int block = 2;
        SegmentManifest.Block b = manifest.blocks().get(block);
        int frame = b.lastFrame();
        // re-encode the video with one payload byte of that frame changed (valid QR, valid frame CRC)
        rewrite(video, frames -> {
            byte[] p = frames.get(frame);
            long inFrame = b.streamOffset() + b.length() - 1 - (long) frame * QrCodec.PAYLOAD_CAPACITY;
            p[(int) inFrame] ^= 0x5a; // last byte of the block's compressed data
        });
        VerificationReport report = verify(video);
        assertThat(report.problems()).anyMatch(p -> p.startsWith("video: ")); // size or sha-256 differs
        assertThat(report.problems()).anyMatch(p -> p.startsWith("block " + block + ": sha-256 mismatch"));
        assertThat(report.problems()).noneMatch(p -> p.startsWith("frame "));
        assertThat(report.recordsVerified()).isEqualTo(records.size() - b.bodyCount());
        try (SegmentReader r = SegmentReader.open(video)) {
            String inDamagedBlock = manifest.entries().stream().filter(e -> e.blockIndex() == block).findFirst()
                    .orElseThrow().memoryId();
            assertThatThrownBy(() -> r.get(inDamagedBlock)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("block " + block + ": sha-256 mismatch").hasMessageContaining("victim.mkv");
            String elsewhere = manifest.entries().stream().filter(e -> e.blockIndex() == 0).findFirst()
                    .orElseThrow().memoryId();
            assertThat(r.get(elsewhere)).isPresent();
        }
    }

    @Test
    void truncatedVideoIsReportedAndGetNamesTheMissingFrame() throws IOException {
        Path video = copy();
        long size = Files.size(video);
        try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "rw")) {
            f.setLength(size * 6 / 10);
        }
        VerificationReport report = verify(video);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).anyMatch(p -> p.matches("video: \\d+ bytes, manifest says \\d+ \\(truncated\\?\\)"));
        assertThat(report.problems()).anyMatch(p -> p.matches("video: \\d+ frames read, manifest says \\d+ \\(truncated\\?\\)"));
        assertThat(report.problems()).anyMatch(p -> p.matches("frames \\d+-\\d+: missing"));
        assertThat(report.framesRead()).isLessThan(manifest.frameCount());
        assertThat(report.recordsVerified()).isGreaterThan(0).isLessThan(records.size());

        SegmentManifest.Block last = manifest.blocks().get(manifest.blocks().size() - 1);
        String inLastBlock = manifest.entries().stream().filter(e -> e.blockIndex() == last.index()).findFirst()
                .orElseThrow().memoryId();
        try (SegmentReader r = SegmentReader.open(video)) {
            assertThatThrownBy(() -> r.get(inLastBlock)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageMatching("(?s).*frame \\d+: missing from the video.*");
            assertThat(r.get(records.get(0).memoryId())).isPresent();
        }
    }

    @Test
    void videoCutToItsFirstBytesIsReportedAsUnopenable() throws IOException {
        Path video = copy();
        try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "rw")) {
            f.setLength(100);
        }
        VerificationReport report = verify(video);
        assertThat(report.ok()).isFalse();
        assertThat(report.framesRead()).isZero();
        assertThat(report.problems()).anyMatch(p -> p.startsWith("video: cannot open segment video"));
    }

    @Test
    void changedManifestVersionIsRefusedOnOpen() throws IOException {
        Path video = copy();
        Path m = dir.resolve("victim.manifest.json");
        Files.writeString(m, Files.readString(m).replace("\"formatVersion\": 1", "\"formatVersion\": 2"));
        assertThatThrownBy(() -> SegmentReader.open(video)).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("victim.manifest.json")
                .hasMessageContaining("unsupported segment format version 2");
    }

    @Test
    void editedRecordVersionInManifestIsReportedByMemoryId() throws IOException {
        Path video = copy();
        Path m = dir.resolve("victim.manifest.json");
        SegmentRecord victim = records.get(17);
        String json = Files.readString(m);
        String forged = "f".repeat(64);
        Files.writeString(m, json.replace("\"version\": \"" + victim.version() + "\"", "\"version\": \"" + forged + "\""));
        try (SegmentReader r = SegmentReader.open(video)) {
            VerificationReport report = r.verify();
            assertThat(report.problems()).anyMatch(p -> p.startsWith("record \"" + victim.memoryId() + "\": version mismatch"));
            assertThat(report.recordsVerified()).isEqualTo(records.size() - 1);
            assertThatThrownBy(() -> r.get(victim.memoryId())).isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("record \"" + victim.memoryId() + "\": version mismatch");
        }
    }

    @Test
    void missingFilesAndGarbageManifestAreNamed() throws IOException {
        assertThatThrownBy(() -> SegmentReader.open(dir.resolve("nope.mkv"))).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("segment video not found").hasMessageContaining("nope.mkv");
        Path video = copy();
        Files.delete(dir.resolve("victim.manifest.json"));
        assertThatThrownBy(() -> SegmentReader.open(video)).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("manifest not found").hasMessageContaining("victim.manifest.json");
        Files.writeString(dir.resolve("victim.manifest.json"), "{not json", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SegmentReader.open(video)).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("victim.manifest.json").hasMessageContaining("not valid JSON");
    }

    @Test
    void framesOfAnotherSegmentAreRecognised() throws IOException {
        new SegmentWriter(SegmentOptions.defaults()).write("other", TestDocs.memories(99, 5), dir);
        Path video = copy();
        Files.copy(dir.resolve("other.mkv"), video, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        VerificationReport report = verify(video);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).anyMatch(p -> p.matches("frame 0: belongs to another segment .*"));
        assertThat(report.recordsVerified()).isZero();
    }

    /** Decodes every frame payload, lets the caller edit them, writes a new video with valid frames. */
    private static void rewrite(Path video, Consumer<List<byte[]>> edit) throws IOException {
        SegmentManifest.Video v = manifest.video();
        QrCodec qr = new QrCodec(v.maskPattern(), v.moduleSizePx(), v.quietZoneModules());
        List<byte[]> payloads = new ArrayList<>();
        try (VideoIn in = new VideoIn(video, 0)) {
            VideoIn.Read r;
            while ((r = in.next()) != null) {
                payloads.add(FrameHeader.parse(qr.decode(r.image()).bytes()).payload());
            }
        }
        edit.accept(payloads);
        ByteSink stream = new ByteSink(1024);
        payloads.forEach(stream::write);
        byte[] s = stream.toByteArray();
        int hash = FrameHeader.segmentIdHash(manifest.segmentId());
        Path tmp = video.resolveSibling("rewritten.mkv");
        try (VideoOut out = new VideoOut(tmp, v.codec(), v.width(), manifest.segmentId())) {
            int cap = QrCodec.PAYLOAD_CAPACITY;
            for (int i = 0; i < payloads.size(); i++) {
                int len = Math.min(cap, s.length - i * cap);
                out.write(qr.renderMonoBlack(qr.encode(FrameHeader.frame(hash, i, payloads.size(), s, i * cap, len))));
            }
            out.finish();
        }
        Files.move(tmp, video, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
