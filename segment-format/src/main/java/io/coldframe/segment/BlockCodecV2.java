package io.coldframe.segment;

import com.github.luben.zstd.Zstd;
import java.util.Arrays;

/**
 * v2 blocks: the raw block of v1 (body table + bodies) as one zstd frame, with no envelope: sizes and
 * SHA-256 live in the index (spec section "Blocks (v2)").
 */
final class BlockCodecV2 {
    static final int TRANSFORM_BODY_TABLE = 0;

    private BlockCodecV2() {
    }

    static byte[] compress(byte[] raw, int level) {
        return Zstd.compress(raw, level);
    }

    /**
     * Checks the compressed bytes against the index and decompresses them.
     *
     * @throws IllegalArgumentException naming what is wrong (the caller adds "block N: ")
     */
    static byte[] open(byte[] compressed, SegmentIndex.BlockInfo info, byte[] dictionary) {
        if (compressed.length != info.compressedBytes()) {
            throw new IllegalArgumentException("only " + compressed.length + " of " + info.compressedBytes() + " bytes");
        }
        if (!Arrays.equals(Hashes.sha256(compressed), info.sha256())) {
            throw new IllegalArgumentException("sha-256 mismatch");
        }
        if (info.transform() != TRANSFORM_BODY_TABLE) {
            throw new IllegalArgumentException("unknown block transform " + info.transform());
        }
        byte[] raw;
        try {
            raw = dictionary.length == 0 ? Zstd.decompress(compressed, info.rawBytes())
                    : Zstd.decompress(compressed, dictionary, info.rawBytes());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("zstd decompression failed: " + e.getMessage(), e);
        }
        if (raw.length != info.rawBytes()) {
            throw new IllegalArgumentException("decompressed to " + raw.length + " bytes, expected " + info.rawBytes());
        }
        return raw;
    }
}
