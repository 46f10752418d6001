package io.coldframe.segment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Damage for tests: a video's frames decoded, edited as bytes (null = a blank image) and written again. */
final class FrameEdits {
    private FrameEdits() {
    }

    /** Blanks the frames at these positions. */
    static void blank(Path video, SegmentManifest manifest, Set<Integer> positions) throws IOException {
        rewrite(video, manifest, frames -> positions.forEach(p -> frames.set(p, null)));
    }

    /** Replaces the payload byte {@code at} of the frame at {@code position}, keeping the frame's own CRC valid. */
    static void alterPayload(Path video, SegmentManifest manifest, int position, int at) throws IOException {
        rewrite(video, manifest, frames -> {
            byte[] f = frames.get(position);
            f[FrameV2.SIZE + at] ^= 0x5a;
            frames.set(position, FrameV2.frame(0, FrameV2.segmentIdHash(manifest.segmentId()), position,
                    manifest.parityDataFrames(), manifest.parityFrames(), f, FrameV2.SIZE, f.length - FrameV2.SIZE));
        });
    }

    /** Decodes every frame, lets the caller edit their bytes (null = blank image), writes a new video. */
    static void rewrite(Path video, SegmentManifest manifest, Consumer<List<byte[]>> edit) throws IOException {
        SegmentManifest.Video v = manifest.video();
        QrCodec qr = QrCodec.of(v.maskPattern(), v.moduleSizePx(), v.quietZoneModules());
        List<byte[]> frames = new ArrayList<>();
        try (VideoIn in = VideoIn.open(video, 0)) {
            VideoIn.Read r;
            while ((r = in.next()) != null) {
                frames.add(qr.decode(r.image()).bytes());
            }
        }
        edit.accept(frames);
        Path tmp = video.resolveSibling("rewritten.mkv");
        try (VideoOut out = new VideoOut(tmp, v.codec(), v.width(), manifest.segmentId())) {
            for (byte[] f : frames) {
                if (f == null) {
                    byte[] white = new byte[(v.width() + 7) / 8 * v.width()];
                    java.util.Arrays.fill(white, (byte) 0xff);
                    out.write(white);
                } else {
                    out.write(qr.renderMonoBlack(qr.encode(f)));
                }
            }
            out.finish();
        }
        Files.move(tmp, video, StandardCopyOption.REPLACE_EXISTING);
    }
}
