package io.coldframe.segment;

import com.github.luben.zstd.Zstd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * v2 blocks: the bodies of a block, laid out by a transform (0: the v1 body table; 1: {@link
 * FieldPoolBlock}), as one zstd frame, with no envelope: transform, sizes and SHA-256 live in the index
 * (spec section "Blocks (v2)").
 */
final class BlockCodecV2 {
    static final int TRANSFORM_BODY_TABLE = 0;
    static final int TRANSFORM_STRING_POOL = 1;

    private BlockCodecV2() {
    }

    /** A compressed block: its transform, raw size and zstd bytes. */
    record Packed(int transform, int rawBytes, byte[] compressed) {
    }

    /** The string-pool form when it round-trips exactly (always, short of a bug), else the plain body table. */
    static Packed pack(List<byte[]> bodies, int level) {
        byte[] raw = FieldPoolBlock.encode(bodies);
        int transform = TRANSFORM_STRING_POOL;
        if (!sameBodies(FieldPoolBlock.decode(raw), bodies)) {
            raw = BlockCodec.raw(bodies, new int[bodies.size()]);
            transform = TRANSFORM_BODY_TABLE;
        }
        return new Packed(transform, raw.length, Zstd.compress(raw, level));
    }

    private static boolean sameBodies(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The bodies of a raw block. @throws IllegalArgumentException if it is malformed */
    static List<byte[]> bodies(byte[] raw, int transform) {
        if (transform == TRANSFORM_STRING_POOL) {
            return FieldPoolBlock.decode(raw);
        }
        int[][] table = BlockCodec.table(raw);
        List<byte[]> out = new ArrayList<>(table[0].length);
        for (int i = 0; i < table[0].length; i++) {
            out.add(Arrays.copyOfRange(raw, table[0][i], table[0][i] + table[1][i]));
        }
        return out;
    }

    /**
     * Checks the compressed bytes against the index and decompresses them.
     *
     * @throws IllegalArgumentException naming what is wrong (the caller adds "block N: ")
     */
    static byte[] open(byte[] compressed, SegmentIndex.BlockInfo info) {
        if (compressed.length != info.compressedBytes()) {
            throw new IllegalArgumentException("only " + compressed.length + " of " + info.compressedBytes() + " bytes");
        }
        if (!Arrays.equals(Hashes.sha256(compressed), info.sha256())) {
            throw new IllegalArgumentException("sha-256 mismatch");
        }
        if (info.transform() != TRANSFORM_BODY_TABLE && info.transform() != TRANSFORM_STRING_POOL) {
            throw new IllegalArgumentException("unknown block transform " + info.transform());
        }
        byte[] raw;
        try {
            raw = Zstd.decompress(compressed, info.rawBytes());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("zstd decompression failed: " + e.getMessage(), e);
        }
        if (raw.length != info.rawBytes()) {
            throw new IllegalArgumentException("decompressed to " + raw.length + " bytes, expected " + info.rawBytes());
        }
        return raw;
    }
}
