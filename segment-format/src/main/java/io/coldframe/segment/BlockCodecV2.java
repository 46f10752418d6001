package io.coldframe.segment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.github.luben.zstd.Zstd;

/**
 * v2 blocks: the bodies of a block, laid out by a transform (0: the v1 body table; 1: {@link
 * FieldPoolBlock}; 2: the same without derivable lengths; 3: also strings as pieces of earlier ones and a text
 * section, which the writer uses), compressed by a {@link BlockCompression}, with no envelope: transform, codec,
 * sizes and SHA-256 live in the index (spec section V2.4).
 */
final class BlockCodecV2 {
    static final int TRANSFORM_BODY_TABLE = 0;
    static final int TRANSFORM_STRING_POOL = 1;
    static final int TRANSFORM_DERIVED_LENGTHS = 2;
    static final int TRANSFORM_PIECES = 3;

    private BlockCodecV2() {
    }

    /** A compressed block: its transform, codec, raw size and compressed bytes. */
    record Packed(int transform, BlockCompression codec, int rawBytes, byte[] compressed) {
    }

    /**
     * Share of a block's bytes, as zstd's fastest level compresses the part before the text section and the text
     * section apart, below which {@link BlockCompression#ZSTD_BZIP2} leaves the text to zstd. Why: bzip2 beats zstd on
     * prose by about a fifth of the text's compressed bytes (10.7-11.3% of chat-turn blocks, whose text is 0.58 of
     * them), but decodes ~10x slower: the demo's memories, whose embeddings make the text 0.13 of a block, saved
     * 1.6% of the block for 38% of a cold read's CPU (docs/segment-format.md V2.11).
     */
    static final double BZIP2_MIN_TEXT_SHARE = 0.2;

    /**
     * Transform 3 when it round-trips exactly (always, short of a bug), else the plain body table. When {@code codec}
     * is {@link BlockCompression#ZSTD_BZIP2}, a block without a text section, or whose text section is under
     * {@link #BZIP2_MIN_TEXT_SHARE} of it, is compressed by zstd alone.
     */
    static Packed pack(List<byte[]> bodies, BlockCompression codec, int zstdLevel) {
        FieldPoolBlock.Laid laid = FieldPoolBlock.layOut(bodies, TRANSFORM_PIECES);
        byte[] raw = laid.raw();
        int transform = TRANSFORM_PIECES;
        int textStart = laid.textStart();
        if (!sameBodies(FieldPoolBlock.decode(raw, TRANSFORM_PIECES), bodies)) {
            raw = BlockCodec.raw(bodies, new int[bodies.size()]);
            transform = TRANSFORM_BODY_TABLE;
            textStart = raw.length;
        }
        BlockCompression used = codec == BlockCompression.ZSTD_BZIP2 && !bzip2Pays(raw, textStart) ? BlockCompression.ZSTD : codec;
        return new Packed(transform, used, raw.length, used.compress(raw, zstdLevel, textStart));
    }

    /** Whether a text section starts at {@code textStart} and is at least {@link #BZIP2_MIN_TEXT_SHARE} of the block. */
    static boolean bzip2Pays(byte[] raw, int textStart) {
        if (textStart >= raw.length) {
            return false;
        }
        long head = fastZstdBytes(raw, 0, textStart);
        long text = fastZstdBytes(raw, textStart, raw.length - textStart);
        return text >= BZIP2_MIN_TEXT_SHARE * (head + text);
    }

    private static long fastZstdBytes(byte[] raw, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        return BlockCompression.compressZstdInto(new byte[(int) Zstd.compressBound(length)], raw, offset, length, 1);
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
        if (transform >= TRANSFORM_STRING_POOL && transform <= TRANSFORM_PIECES) {
            return FieldPoolBlock.decode(raw, transform);
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
        check(compressed, info);
        return BlockCompression.ofId(info.codec()).decompress(compressed, info.rawBytes());
    }

    /**
     * Checks the compressed bytes against the index: size, SHA-256, a transform this reader knows.
     *
     * @throws IllegalArgumentException naming what is wrong (the caller adds "block N: ")
     */
    static void check(byte[] compressed, SegmentIndex.BlockInfo info) {
        if (compressed.length != info.compressedBytes()) {
            throw new IllegalArgumentException("only " + compressed.length + " of " + info.compressedBytes() + " bytes");
        }
        if (!Arrays.equals(Hashes.sha256(compressed), info.sha256())) {
            throw new IllegalArgumentException("sha-256 mismatch");
        }
        if (info.transform() > TRANSFORM_PIECES) {
            throw new IllegalArgumentException("unknown block transform " + info.transform());
        }
    }
}
