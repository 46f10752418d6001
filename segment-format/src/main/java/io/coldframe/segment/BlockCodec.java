package io.coldframe.segment;

import com.github.luben.zstd.Zstd;
import java.util.Arrays;
import java.util.List;

/**
 * Blocks: groups of record bodies compressed together (spec section "Block").
 *
 * <p>Raw (uncompressed) block: {@code u32 bodyCount}, then {@code u32 length} per body, then the bodies
 * back to back. The table makes a block readable without the manifest (disaster recovery: the documents
 * carry their own _id; versions can be recomputed). Per-body hashes are deliberately not stored here:
 * 32 incompressible bytes per record cost ~2.5% of the segment, and the block SHA-256 already covers it.
 *
 * <p>In the frame stream each block is wrapped in a 48-byte envelope: {@code "CFBK"}, u32 index,
 * u32 compressed length, u32 raw length, SHA-256 of the compressed bytes; then one zstd frame.
 * Big-endian.
 */
final class BlockCodec {
    static final byte[] MAGIC = {'C', 'F', 'B', 'K'};
    static final int ENVELOPE_HEADER = 48;
    static final int TABLE_ENTRY = 4;

    private BlockCodec() {
    }

    /** Raw block bytes; {@code offsets[i]} receives where body i starts inside them. */
    static byte[] raw(List<byte[]> bodies, int[] offsets) {
        int n = bodies.size();
        long size = 4L + (long) TABLE_ENTRY * n;
        for (byte[] b : bodies) {
            size += b.length;
        }
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("block too large: " + size);
        }
        byte[] raw = new byte[(int) size];
        ByteSink.putIntBE(raw, 0, n);
        int p = 4 + TABLE_ENTRY * n;
        for (int i = 0; i < n; i++) {
            byte[] b = bodies.get(i);
            ByteSink.putIntBE(raw, 4 + TABLE_ENTRY * i, b.length);
            System.arraycopy(b, 0, raw, p, b.length);
            offsets[i] = p;
            p += b.length;
        }
        return raw;
    }

    /**
     * Checks an envelope against the manifest's block description and returns the raw block.
     *
     * @throws IllegalArgumentException with a message like "sha-256 mismatch" (the caller adds "block N: ")
     */
    static byte[] open(byte[] envelope, SegmentManifest.Block expected) {
        if (envelope.length != expected.length() || envelope.length < ENVELOPE_HEADER) {
            throw new IllegalArgumentException("envelope is " + envelope.length + " bytes, manifest says " + expected.length());
        }
        if (!Arrays.equals(envelope, 0, 4, MAGIC, 0, 4)) {
            throw new IllegalArgumentException("bad block magic");
        }
        int index = ByteSink.intBE(envelope, 4);
        int compLen = ByteSink.intBE(envelope, 8);
        int rawLen = ByteSink.intBE(envelope, 12);
        if (index != expected.index() || compLen != expected.compressedBytes() || rawLen != expected.rawBytes()
                || compLen != envelope.length - ENVELOPE_HEADER) {
            throw new IllegalArgumentException("envelope header disagrees with manifest (index " + index
                    + ", compressed " + compLen + ", raw " + rawLen + ")");
        }
        byte[] sha = Hashes.sha256(envelope, ENVELOPE_HEADER, compLen);
        if (!Arrays.equals(sha, 0, 32, envelope, 16, 48)) {
            throw new IllegalArgumentException("sha-256 mismatch (envelope)");
        }
        if (!Hashes.hex(sha).equals(expected.sha256())) {
            throw new IllegalArgumentException("sha-256 mismatch (manifest)");
        }
        byte[] raw;
        try {
            raw = Zstd.decompress(Arrays.copyOfRange(envelope, ENVELOPE_HEADER, envelope.length), rawLen);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("zstd decompression failed: " + e.getMessage(), e);
        }
        if (raw.length != rawLen) {
            throw new IllegalArgumentException("decompressed to " + raw.length + " bytes, expected " + rawLen);
        }
        return raw;
    }

    /**
     * The body table of a raw block: {@code [offsets, lengths]} of its bodies.
     *
     * @throws IllegalArgumentException if the table does not describe exactly the block's bytes
     */
    static int[][] table(byte[] raw) {
        if (raw.length < 4) {
            throw new IllegalArgumentException("block too short for its body table");
        }
        int n = ByteSink.intBE(raw, 0);
        if (n < 0 || 4L + (long) TABLE_ENTRY * n > raw.length) {
            throw new IllegalArgumentException("body table of " + n + " entries does not fit the block");
        }
        int[][] t = new int[2][n];
        long p = 4L + (long) TABLE_ENTRY * n;
        for (int i = 0; i < n; i++) {
            int len = ByteSink.intBE(raw, 4 + TABLE_ENTRY * i);
            if (len < 1 || p + len > raw.length) {
                throw new IllegalArgumentException("body table entry " + i + " runs past the block");
            }
            t[0][i] = (int) p;
            t[1][i] = len;
            p += len;
        }
        if (p != raw.length) {
            throw new IllegalArgumentException("body table does not add up to the block size");
        }
        return t;
    }

    /** Body bytes at [offset, offset+length) of a raw block, bounds-checked. */
    static byte[] body(byte[] raw, int offset, int length) {
        if (offset < 4 || length < 1 || (long) offset + length > raw.length) {
            throw new IllegalArgumentException("body [" + offset + ", +" + length + ") outside block of " + raw.length + " bytes");
        }
        return Arrays.copyOfRange(raw, offset, offset + length);
    }
}
