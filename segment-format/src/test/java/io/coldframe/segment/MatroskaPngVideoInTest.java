package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The direct frame reader sees exactly what FFmpeg sees, frame by frame, and refuses what it cannot read. */
class MatroskaPngVideoInTest {
    @TempDir
    static Path written;
    @TempDir
    Path dir;

    static Path video;
    static SegmentManifest manifest;

    @BeforeAll
    static void writeOnce() throws IOException {
        manifest = new SegmentWriter(SegmentOptions.builder().blockTargetBytes(16 * 1024).build())
                .write("direct", TestDocs.memories(5, 60), written);
        video = written.resolve("direct.mkv");
    }

    @Test
    void everyFrameEqualsFfmpegsPixelForPixel() throws IOException {
        List<VideoIn.Read> direct = readAll(MatroskaPngVideoIn.openIfReadable(video));
        List<VideoIn.Read> ffmpeg = readAll(VideoIn.ffmpeg(video, manifest.frameCount()));
        assertThat(direct).hasSize(manifest.frameCount()).hasSameSizeAs(ffmpeg);
        for (int i = 0; i < direct.size(); i++) {
            assertThat(direct.get(i).position()).isEqualTo(i);
            assertThat(pixels(direct.get(i).image())).as("frame %d", i).isEqualTo(pixels(ffmpeg.get(i).image()));
        }
    }

    @Test
    void framesStayPackedAndTheirQrCodesReadStraightFromTheBits() throws IOException {
        QrCodec qr = QrCodec.of(manifest.video().maskPattern(), manifest.video().moduleSizePx(), manifest.video().quietZoneModules());
        List<VideoIn.Read> direct = readAll(MatroskaPngVideoIn.openIfReadable(video));
        List<VideoIn.Read> ffmpeg = readAll(VideoIn.ffmpeg(video, manifest.frameCount()));
        for (int i = 0; i < direct.size(); i++) {
            assertThat(direct.get(i).pixels()).isInstanceOf(MonoImage.class);
            QrCodec.Decoded packed = qr.decode(direct.get(i).pixels());
            assertThat(packed.method()).as("frame %d", i).isEqualTo(QrCodec.Method.GRID_FAST);
            assertThat(packed.bytes()).as("frame %d", i).isEqualTo(qr.decode(ffmpeg.get(i).image()).bytes());
        }
    }

    @Test
    void largerModulesAndAQuietZoneReadTheSameWay() throws IOException {
        Path other = Files.createDirectories(dir.resolve("wide"));
        SegmentManifest wide = new SegmentWriter(SegmentOptions.builder().moduleSizePx(3).quietZoneModules(4).build())
                .write("wide", TestDocs.memories(8, 6), other);
        Path wideVideo = other.resolve("wide.mkv");
        QrCodec qr = QrCodec.of(wide.video().maskPattern(), 3, 4);
        List<VideoIn.Read> direct = readAll(MatroskaPngVideoIn.openIfReadable(wideVideo));
        List<VideoIn.Read> ffmpeg = readAll(VideoIn.ffmpeg(wideVideo, wide.frameCount()));
        assertThat(direct).hasSize(wide.frameCount());
        for (int i = 0; i < direct.size(); i++) {
            assertThat(pixels(direct.get(i).image())).as("frame %d", i).isEqualTo(pixels(ffmpeg.get(i).image()));
            QrCodec.Decoded packed = qr.decode(direct.get(i).pixels());
            assertThat(packed.method()).isEqualTo(QrCodec.Method.GRID_FAST);
            assertThat(packed.bytes()).isEqualTo(qr.decode(ffmpeg.get(i).image()).bytes());
        }
        try (SegmentReader reader = SegmentReader.open(wideVideo)) {
            assertThat(reader.verify().clean()).isTrue();
        }
    }

    @Test
    void seeksToAnyFrame() throws IOException {
        try (VideoIn in = MatroskaPngVideoIn.openIfReadable(video); VideoIn ffmpeg = VideoIn.ffmpeg(video, manifest.frameCount())) {
            int target = manifest.frameCount() - 3;
            in.seek(target);
            ffmpeg.seek(target);
            VideoIn.Read got = in.next();
            assertThat(got.position()).isEqualTo(target);
            assertThat(pixels(got.image())).isEqualTo(pixels(ffmpeg.next().image()));
            assertThat(in.position()).isEqualTo(target + 1);
        }
    }

    @Test
    void aDamagedClusterIsOneUnreadableFrameAndTheRestStillRead() throws IOException {
        Path copy = dir.resolve("direct.mkv");
        Files.copy(video, copy);
        int victim = manifest.frameCount() / 2;
        long at;
        try (VideoIn in = MatroskaPngVideoIn.openIfReadable(copy)) {
            assertThat(in).isNotNull();
        }
        VideoFrameIndex index = VideoFrameIndex.read((o, n) -> {
            try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "r")) {
                byte[] b = new byte[(int) Math.min(n, f.length() - o)];
                f.seek(o);
                f.readFully(b);
                return b;
            }
        }, Files.size(copy));
        at = (index.frameStart(victim) + index.frameEnd(victim)) / 2;
        try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        List<VideoIn.Read> reads = readAll(MatroskaPngVideoIn.openIfReadable(copy));
        assertThat(reads).hasSize(manifest.frameCount());
        List<Integer> unreadable = new ArrayList<>();
        for (VideoIn.Read r : reads) {
            if (r.image() == null) {
                unreadable.add(r.position());
                assertThat(r.error()).contains("CRC");
            }
        }
        // a frame under 4 KiB shares its cluster with the next, so the damage may take both
        assertThat(unreadable).isNotEmpty().hasSizeLessThanOrEqualTo(2).contains(victim);
    }

    @Test
    void aVideoOfAnotherCodecIsLeftToFfmpeg() throws IOException {
        Path other = Files.createDirectories(dir.resolve("ffv1"));
        new SegmentWriter(SegmentOptions.builder().codec(VideoCodec.FFV1).build()).write("ffv1", TestDocs.memories(6, 5), other);
        Path ffv1 = other.resolve("ffv1.mkv");
        assertThat(MatroskaPngVideoIn.openIfReadable(ffv1)).isNull();
        try (VideoIn in = VideoIn.open(ffv1, 0)) {
            assertThat(in).isInstanceOf(FfmpegVideoIn.class);
            assertThat(in.next().image()).isNotNull();
        }
    }

    @Test
    void aTruncatedVideoIsLeftToFfmpeg() throws IOException {
        Path copy = dir.resolve("direct.mkv");
        Files.copy(video, copy);
        try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            f.setLength(f.length() - 200); // the cues are gone
        }
        assertThat(MatroskaPngVideoIn.openIfReadable(copy)).isNull();
    }

    private static List<VideoIn.Read> readAll(VideoIn in) {
        List<VideoIn.Read> out = new ArrayList<>();
        try (in) {
            VideoIn.Read r;
            while ((r = in.next()) != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** The image's pixels row by row, without stride padding. */
    static byte[] pixels(GrayImage image) {
        byte[] out = new byte[image.width() * image.height()];
        for (int y = 0; y < image.height(); y++) {
            System.arraycopy(image.data(), y * image.stride(), out, y * image.width(), image.width());
        }
        return out;
    }
}
