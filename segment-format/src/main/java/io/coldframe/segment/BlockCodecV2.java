package io.coldframe.segment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * v2 blocks: the bodies of a block, laid out by a transform (0: the v1 body table; 1: {@link
 * FieldPoolBlock}; 2: the same without derivable lengths, which the writer uses), compressed by a {@link
 * BlockCompression}, with no envelope: transform, codec, sizes and SHA-256 live in the index (spec section V2.4).
 */
final class BlockCodecV2 {
    static final int TRANSFORM_BODY_TABLE = 0;
    static final int TRANSFORM_STRING_POOL = 1;
    static final int TRANSFORM_DERIVED_LENGTHS = 2;

    private BlockCodecV2() {
    }

    /** A compressed block: its transform, codec, raw size and compressed bytes. */
    record Packed(int transform, BlockCompression codec, int rawBytes, byte[] compressed) {
    }

    /** Transform 2 when it round-trips exactly (always, short of a bug), else the plain body table. */
    static Packed pack(List<byte[]> bodies, BlockCompression codec, int zstdLevel) {
        byte[] raw = FieldPoolBlock.encode(bodies, true);
        int transform = TRANSFORM_DERIVED_LENGTHS;
        if (!sameBodies(FieldPoolBlock.decode(raw, true), bodies)) {
            raw = BlockCodec.raw(bodies, new int[bodies.size()]);
            transform = TRANSFORM_BODY_TABLE;
        }
        return new Packed(transform, codec, raw.length, codec.compress(raw, zstdLevel));
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
        if (transform == TRANSFORM_STRING_POOL || transform == TRANSFORM_DERIVED_LENGTHS) {
            return FieldPoolBlock.decode(raw, transform == TRANSFORM_DERIVED_LENGTHS);
        }
        int[][] table = BlockCodec.table(raw);
        List<byte[]> out = new ArrayList<>(table[0].length);
        for (int i = 0; i < table[0].length; i++) {
            out.add(Arrays.copyOfRange(raw, table[0][i], table[0][i] + table[1][i]));
        }
        return out;
    }

    /**
     * Checks the compressed bytes against the index and decompresses them with the block's codec.
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
        if (info.transform() > TRANSFORM_DERIVED_LENGTHS) {
            throw new IllegalArgumentException("unknown block transform " + info.transform());
        }
        return BlockCompression.ofId(info.codec()).decompress(compressed, info.rawBytes());
    }
}
