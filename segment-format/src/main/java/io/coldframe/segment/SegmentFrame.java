package io.coldframe.segment;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.imageio.ImageIO;

/**
 * One frame of a segment video as a person looks at it: the QR image as PNG and what its format-v2 header says
 * (role, position, parity layout, whether the segment-id hash and CRC check out), or why it does not decode.
 */
public record SegmentFrame(String segmentId, int index, int width, int height, byte[] png, Map<String, Object> header) {

    /** Frame {@code index} (0-based) of the video of segment {@code segmentId}. */
    public static SegmentFrame read(Path video, String segmentId, int index) throws IOException {
        if (index < 0 || index > FrameV2.MAX_POSITION) {
            throw new IllegalArgumentException("frame must be 0.." + FrameV2.MAX_POSITION + ", not " + index);
        }
        try (VideoIn in = VideoIn.open(video, index + 1)) {
            in.seek(index);
            VideoIn.Read read = in.next();
            if (read == null || read.position() != index) {
                throw new IllegalArgumentException("segment " + segmentId + " has no frame " + index);
            }
            if (read.image() == null) {
                throw new SegmentFormatException("frame " + index + " of segment " + segmentId + ": " + read.error());
            }
            GrayImage image = read.image();
            return new SegmentFrame(segmentId, index, image.width(), image.height(), png(image), header(image, segmentId, index));
        }
    }

    private static Map<String, Object> header(GrayImage image, String segmentId, int index) {
        Map<String, Object> out = new LinkedHashMap<>();
        QrCodec codec = QrCodec.detect(image);
        QrCodec.Decoded decoded = codec == null ? null : codec.decode(image);
        if (decoded == null) {
            out.put("decoded", false);
            out.put("error", "no QR symbol decodes in this frame");
            return out;
        }
        out.put("decoded", true);
        out.put("qr_bytes", decoded.bytes().length);
        try {
            FrameV2.Parsed h = FrameV2.parse(decoded.bytes());
            out.put("format", 2);
            out.put("role", h.parity() ? "parity " + (h.role() - 1) + " of its group" : "data");
            out.put("position", h.position());
            out.put("position_matches", h.position() == index);
            out.put("k", h.k());
            out.put("m", h.m());
            out.put("segment_id_hash", String.format("%04x", h.segmentHash()));
            out.put("segment_id_hash_matches", h.segmentHash() == FrameV2.segmentIdHash(segmentId));
            out.put("crc32", "ok");
            out.put("payload_bytes", h.payload().length);
        } catch (IllegalArgumentException e) {
            out.put("error", e.getMessage());
        }
        return out;
    }

    private static byte[] png(GrayImage image) throws IOException {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] pixels = new byte[image.width() * image.height()];
        for (int y = 0; y < image.height(); y++) {
            System.arraycopy(image.data(), y * image.stride(), pixels, y * image.width(), image.width());
        }
        out.getRaster().setDataElements(0, 0, image.width(), image.height(), pixels);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(out, "png", bytes);
        return bytes.toByteArray();
    }
}
