package io.coldframe.segment;

import java.util.zip.CRC32;

/**
 * The 13-byte header of every format-v2 QR frame (spec section "Frames (v2)"). Big-endian.
 *
 * <pre>
 *  0  1  magic 0xC2 (v1 frames start 0xC0; non-ASCII so encoders always pick byte mode)
 *  1  1  role: 0 = data frame, 1 + j = parity frame j of its group
 *  2  2  segment-id hash: first 2 bytes of SHA-256(UTF-8 segment id)
 *  4  3  position of the frame in the video, 0-based
 *  7  1  k, data frames per parity group
 *  8  1  m, parity frames per parity group
 *  9  4  CRC-32 (IEEE) over bytes 0..8 followed by the payload
 * 13  .. payload (its length is the QR symbol's byte count minus 13)
 * </pre>
 *
 * Why so small: a v1 header carried the frame count, a payload length and a last-frame flag (22 bytes);
 * the QR byte count already gives the length, and the index inside the video gives the frame count.
 */
final class FrameV2 {
    static final int MAGIC = 0xC2;
    static final int SIZE = 13;
    static final int PAYLOAD = QrCodec.CAPACITY - SIZE;
    static final int MAX_POSITION = (1 << 24) - 1;

    private FrameV2() {
    }

    static int segmentIdHash(String segmentId) {
        return FrameHeader.segmentIdHash(segmentId) >>> 16;
    }

    /** Header + payload bytes. */
    static byte[] frame(int role, int segmentHash, int position, int k, int m, byte[] payload, int off, int len) {
        if (position > MAX_POSITION) {
            throw new IllegalArgumentException("segment too large: more than " + MAX_POSITION + " frames");
        }
        byte[] f = new byte[SIZE + len];
        f[0] = (byte) MAGIC;
        f[1] = (byte) role;
        f[2] = (byte) (segmentHash >>> 8);
        f[3] = (byte) segmentHash;
        f[4] = (byte) (position >>> 16);
        f[5] = (byte) (position >>> 8);
        f[6] = (byte) position;
        f[7] = (byte) k;
        f[8] = (byte) m;
        System.arraycopy(payload, off, f, SIZE, len);
        ByteSink.putIntBE(f, 9, crc(f));
        return f;
    }

    private static int crc(byte[] f) {
        CRC32 crc = new CRC32();
        crc.update(f, 0, 9);
        crc.update(f, SIZE, f.length - SIZE);
        return (int) crc.getValue();
    }

    /** Magic and CRC-32 check out (how a frame read without QR error correction is accepted). */
    static boolean intact(byte[] f) {
        return f.length >= SIZE && (f[0] & 0xff) == MAGIC && crc(f) == ByteSink.intBE(f, 9);
    }

    record Parsed(int role, int segmentHash, int position, int k, int m, byte[] payload) {
        boolean parity() {
            return role != 0;
        }
    }

    /** @throws IllegalArgumentException naming what is wrong */
    static Parsed parse(byte[] f) {
        if (f.length < SIZE) {
            throw new IllegalArgumentException("frame too short (" + f.length + " bytes)");
        }
        if ((f[0] & 0xff) != MAGIC) {
            throw new IllegalArgumentException((f[0] & 0xff) == FrameHeader.MAGIC0
                    ? "format-v1 frame inside a v2 segment" : "not a coldframe v2 frame (bad magic)");
        }
        if (crc(f) != ByteSink.intBE(f, 9)) {
            throw new IllegalArgumentException("CRC-32 mismatch");
        }
        int k = f[7] & 0xff;
        int m = f[8] & 0xff;
        int role = f[1] & 0xff;
        if (k < 1 || k + m > 255 || role > m) {
            throw new IllegalArgumentException("bad parity layout in header (k " + k + ", m " + m + ", role " + role + ")");
        }
        byte[] payload = new byte[f.length - SIZE];
        System.arraycopy(f, SIZE, payload, 0, payload.length);
        int position = (f[4] & 0xff) << 16 | (f[5] & 0xff) << 8 | (f[6] & 0xff);
        return new Parsed(role, (f[2] & 0xff) << 8 | (f[3] & 0xff), position, k, m, payload);
    }
}
