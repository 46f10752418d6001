package io.coldframe.segment;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The 22-byte header every format-v1 QR frame starts with (spec section "Frame"); read only, v2 frames
 * use {@link FrameV2}. Big-endian throughout.
 *
 * <pre>
 *  0  2  magic 0xC0 0x1D (non-ASCII on purpose: zxing then always picks byte mode)
 *  2  1  format version (1)
 *  3  1  flags (bit 0: last frame of the segment; other bits 0)
 *  4  4  segment-id hash: first 4 bytes of SHA-256(UTF-8 segment id)
 *  8  4  frame sequence number, 0-based
 * 12  4  frame count of the segment
 * 16  2  payload length (0..2931)
 * 18  4  CRC-32 (IEEE) over bytes 0..17 followed by the payload
 * 22  .. payload
 * </pre>
 */
final class FrameHeader {
    static final int MAGIC0 = 0xC0;
    static final int MAGIC1 = 0x1D;
    static final int SIZE = 22;
    static final int FLAG_LAST = 0x01;

    private FrameHeader() {
    }

    static int segmentIdHash(String segmentId) {
        return ByteSink.intBE(Hashes.sha256(segmentId.getBytes(StandardCharsets.UTF_8)), 0);
    }

    private static long crc(byte[] f, int payloadLen) {
        CRC32 crc = new CRC32();
        crc.update(f, 0, 18);
        crc.update(f, SIZE, payloadLen);
        return crc.getValue();
    }

    /** Cheap check used to accept a frame read without error correction: magic, length and CRC-32. */
    static boolean intact(byte[] f) {
        if (f.length < SIZE || (f[0] & 0xff) != MAGIC0 || (f[1] & 0xff) != MAGIC1) {
            return false;
        }
        int len = (f[16] & 0xff) << 8 | (f[17] & 0xff);
        return SIZE + len == f.length && (int) crc(f, len) == ByteSink.intBE(f, 18);
    }

    /** A parsed frame; {@code payload} excludes the header. */
    record Parsed(int formatVersion, int flags, int segmentHash, int seq, int frameCount, byte[] payload) {
    }

    /** @throws IllegalArgumentException naming what is wrong (bad magic, CRC mismatch, ...) */
    static Parsed parse(byte[] f) {
        if (f.length < SIZE) {
            throw new IllegalArgumentException("frame too short (" + f.length + " bytes)");
        }
        if ((f[0] & 0xff) != MAGIC0 || (f[1] & 0xff) != MAGIC1) {
            throw new IllegalArgumentException("not a coldframe frame (bad magic)");
        }
        int version = f[2] & 0xff;
        if (version != SegmentManifest.V1) {
            throw new IllegalArgumentException("unsupported frame format version " + version);
        }
        int len = (f[16] & 0xff) << 8 | (f[17] & 0xff);
        if (SIZE + len != f.length) {
            throw new IllegalArgumentException("payload length " + len + " does not match frame size " + f.length);
        }
        if ((int) crc(f, len) != ByteSink.intBE(f, 18)) {
            throw new IllegalArgumentException("CRC-32 mismatch");
        }
        byte[] payload = new byte[len];
        System.arraycopy(f, SIZE, payload, 0, len);
        return new Parsed(version, f[3] & 0xff, ByteSink.intBE(f, 4), ByteSink.intBE(f, 8), ByteSink.intBE(f, 12), payload);
    }
}
