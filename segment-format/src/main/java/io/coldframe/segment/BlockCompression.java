package io.coldframe.segment;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import com.github.luben.zstd.Zstd;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.tukaani.xz.FinishableWrapperOutputStream;
import org.tukaani.xz.LZMA2InputStream;
import org.tukaani.xz.LZMA2Options;

/**
 * How a v2 block's raw bytes are compressed (spec section V2.4), recorded per block in the index. The default,
 * zstd with bzip2 for the block's text section, stores chat memories ~11% smaller than zstd alone: on prose
 * the Burrows-Wheeler transform beats every LZ coder (docs/segment-format.md). LZMA2 is an option.
 */
public enum BlockCompression {
    /** One zstd frame at the writer's level. */
    ZSTD(0, "zstd"),
    /** One raw LZMA2 stream (preset 6, dictionary as large as the raw block), as xz's LZMA2 filter writes it. */
    LZMA2(1, "lzma2"),
    /**
     * The raw block up to its text section as one zstd frame, the text section as one bzip2 stream (in one
     * bzip2 block when it fits 900 kB); a block without a text section, or whose text is too small a share of it for
     * bzip2 to pay ({@link BlockCodecV2#BZIP2_MIN_TEXT_SHARE}), is written with {@link #ZSTD}.
     */
    ZSTD_BZIP2(2, "zstd-bzip2");

    /** LZMA2 preset of the writer: the one measured (6); 9 spends much more time for little. */
    static final int LZMA2_PRESET = 6;

    private final int id;
    private final String configName;

    BlockCompression(int id, String configName) {
        this.id = id;
        this.configName = configName;
    }

    /** The codec number stored in the index. */
    int id() {
        return id;
    }

    /** The name used in configuration: {@code zstd}, {@code lzma2} or {@code zstd-bzip2}. */
    public String configName() {
        return configName;
    }

    /** Every configuration name, for validators and messages. */
    public static String[] configNames() {
        return java.util.Arrays.stream(values()).map(BlockCompression::configName).toArray(String[]::new);
    }

    /** The codec of a configuration name. @throws IllegalArgumentException for any other name */
    public static BlockCompression named(String name) {
        for (BlockCompression c : values()) {
            if (c.configName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("block compression must be one of "
                + String.join(", ", configNames()) + ", got " + name);
    }

    /** The codec of an index entry. @throws IllegalArgumentException for a number no codec has */
    static BlockCompression ofId(int id) {
        for (BlockCompression c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown block codec " + id);
    }

    /** LZMA2's dictionary for a raw block: the block itself fits, so the reader knows it from the index. */
    static int lzma2DictSize(int rawBytes) {
        return Math.max(LZMA2Options.DICT_SIZE_MIN, rawBytes);
    }

    /** Compresses a raw block; {@code textStart} is where its text section starts (only codec 2 uses it). */
    byte[] compress(byte[] raw, int zstdLevel, int textStart) {
        return switch (this) {
            case ZSTD -> Zstd.compress(raw, zstdLevel);
            case LZMA2 -> lzma2(raw);
            case ZSTD_BZIP2 -> zstdThenBzip2(raw, zstdLevel, textStart);
        };
    }

    private static byte[] lzma2(byte[] raw) {
        try {
            LZMA2Options options = new LZMA2Options(LZMA2_PRESET);
            options.setDictSize(lzma2DictSize(raw.length));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length / 4 + 64);
            try (OutputStream out = options.getOutputStream(new FinishableWrapperOutputStream(bytes))) {
                out.write(raw);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("LZMA2 into memory failed", e); // no I/O happens
        }
    }

    /** Codec 2: varint length of the zstd frame, the zstd frame of the bytes before the text, the bzip2 stream of the text. */
    private static byte[] zstdThenBzip2(byte[] raw, int zstdLevel, int textStart) {
        if (textStart <= 0 || textStart >= raw.length) {
            throw new IllegalArgumentException("codec 2 needs bytes before and in the text section, text at " + textStart
                    + " of " + raw.length);
        }
        byte[] head = new byte[(int) Zstd.compressBound(textStart)];
        int headLength = compressZstdInto(head, raw, 0, textStart, zstdLevel);
        ByteSink out = new ByteSink(headLength + (raw.length - textStart) / 3 + 64);
        out.writeVarint(headLength);
        out.write(head, 0, headLength);
        ByteArrayOutputStream text = new ByteArrayOutputStream((raw.length - textStart) / 3 + 64);
        try (BZip2CompressorOutputStream bz = new BZip2CompressorOutputStream(text, bzip2BlockSize(raw.length - textStart))) {
            bz.write(raw, textStart, raw.length - textStart);
        } catch (IOException e) {
            throw new IllegalStateException("bzip2 into memory failed", e); // no I/O happens
        }
        out.write(text.toByteArray());
        return out.toByteArray();
    }

    /** Compresses {@code raw[offset, offset + length)} as one zstd frame into {@code out}; returns the frame's length. */
    static int compressZstdInto(byte[] out, byte[] raw, int offset, int length, int zstdLevel) {
        long n = Zstd.compressByteArray(out, 0, out.length, raw, offset, length, zstdLevel);
        if (Zstd.isError(n)) {
            throw new IllegalStateException("zstd failed: " + Zstd.getErrorName(n));
        }
        return (int) n;
    }

    /**
     * The smallest bzip2 block size (in 100 kB, 1 to 9) that holds {@code bytes} in one block: the same compressed
     * bytes as 900 kB blocks, without allocating and clearing 900 kB worth of sort tables for a small text.
     */
    static int bzip2BlockSize(int bytes) {
        long needed = (long) bytes + 20; // commons-compress fills a block of n x 100 kB up to 20 bytes short of it
        return (int) Math.min(BZip2CompressorOutputStream.MAX_BLOCKSIZE, Math.max(1, (needed + 99_999) / 100_000));
    }

    /** Exactly {@code rawBytes} bytes back. @throws IllegalArgumentException if the bytes do not decompress to that */
    byte[] decompress(byte[] compressed, int rawBytes) {
        byte[] raw = switch (this) {
            case ZSTD -> zstd(compressed, rawBytes);
            case LZMA2 -> unlzma2(compressed, rawBytes);
            case ZSTD_BZIP2 -> unzstdThenBzip2(compressed, rawBytes);
        };
        if (raw.length != rawBytes) {
            throw new IllegalArgumentException("decompressed to " + raw.length + " bytes, expected " + rawBytes);
        }
        return raw;
    }

    private static byte[] zstd(byte[] compressed, int rawBytes) {
        try {
            return Zstd.decompress(compressed, rawBytes);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("zstd decompression failed: " + e.getMessage(), e);
        }
    }

    /**
     * Decompresses the zstd frame at {@code compressed[offset, offset + length)} to the start of {@code raw} (the head
     * lands where it belongs: no copy of it, no second array); returns its content size, which must be under the block's.
     */
    private static int zstdInto(byte[] raw, byte[] compressed, int offset, int length) {
        try {
            long size = Zstd.getFrameContentSize(compressed, offset, length);
            if (size <= 0 || size >= raw.length) {
                throw new IllegalArgumentException("zstd frame of " + size + " bytes, the block has " + raw.length);
            }
            long n = Zstd.decompressByteArray(raw, 0, (int) size, compressed, offset, length);
            if (Zstd.isError(n) || n != size) {
                throw new IllegalArgumentException("zstd frame does not hold its " + size + " bytes");
            }
            return (int) size;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("zstd decompression failed: " + e.getMessage(), e);
        }
    }

    private static byte[] unlzma2(byte[] compressed, int rawBytes) {
        byte[] raw = new byte[rawBytes];
        try (InputStream in = new LZMA2InputStream(new ByteArrayInputStream(compressed), lzma2DictSize(rawBytes))) {
            int n = in.readNBytes(raw, 0, rawBytes);
            if (n != rawBytes || in.read() != -1) {
                throw new IllegalArgumentException("LZMA2 stream does not hold exactly " + rawBytes + " bytes");
            }
            return raw;
        } catch (IOException | RuntimeException e) {
            throw e instanceof IllegalArgumentException iae ? iae
                    : new IllegalArgumentException("LZMA2 decompression failed: " + e.getMessage(), e);
        }
    }

    private static byte[] unzstdThenBzip2(byte[] compressed, int rawBytes) {
        int text = textStreamOffset(compressed, compressed.length, compressed.length);
        byte[] raw = new byte[rawBytes];
        int headBytes = unzstdHead(raw, compressed, text);
        bunzip2Into(raw, headBytes, compressed, text, compressed.length);
        return raw;
    }

    /**
     * Where codec 2's bzip2 stream starts in a compressed block of {@code blockBytes} bytes, read from its first
     * {@code available} bytes (the varint length of the zstd frame): a reader can start on the text before it has the
     * rest of the block.
     *
     * @throws IllegalArgumentException if those bytes do not hold the varint, or it leaves no bzip2 stream
     */
    static int textStreamOffset(byte[] compressed, int available, int blockBytes) {
        long headLength = 0;
        int p = 0;
        for (int shift = 0; ; shift += 7) {
            if (p >= available || shift > 28) {
                throw new IllegalArgumentException("codec 2 block without its zstd frame length");
            }
            int c = compressed[p++] & 0xff;
            headLength |= (long) (c & 0x7f) << shift;
            if (c < 0x80) {
                break;
            }
        }
        if (headLength < 1 || p + headLength >= blockBytes) {
            throw new IllegalArgumentException("codec 2 zstd frame of " + headLength + " bytes does not leave a bzip2 stream");
        }
        return (int) (p + headLength);
    }

    /** The bytes codec 2's zstd frame holds, from its header in the block's first {@code available} bytes; -1 if not there. */
    static long headBytes(byte[] compressed, int available) {
        int varint = varintLength(compressed, available);
        if (varint < 0 || varint >= available) {
            return -1;
        }
        try {
            long size = Zstd.getFrameContentSize(compressed, varint, available - varint);
            return size > 0 ? size : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static int varintLength(byte[] b, int available) {
        for (int p = 0; p < Math.min(available, 5); p++) {
            if ((b[p] & 0x80) == 0) {
                return p + 1;
            }
        }
        return -1;
    }

    /** Decompresses codec 2's zstd frame (before {@code textOffset}) to the start of {@code raw}; returns its size. */
    static int unzstdHead(byte[] raw, byte[] compressed, int textOffset) {
        int varint = varintLength(compressed, textOffset);
        return zstdInto(raw, compressed, varint, textOffset - varint);
    }

    /**
     * Decodes codec 2's bzip2 stream, {@code compressed[from, to)}, into {@code raw} from {@code at} to its end.
     *
     * @throws IllegalArgumentException if it is not one whole bzip2 stream of exactly that many bytes
     */
    static void bunzip2Into(byte[] raw, int at, byte[] compressed, int from, int to) {
        try (InputStream in = new BZip2CompressorInputStream(new ByteArrayInputStream(compressed, from, to - from), false)) {
            int n = in.readNBytes(raw, at, raw.length - at);
            if (n != raw.length - at || in.read() != -1) {
                throw new IllegalArgumentException("bzip2 stream does not hold exactly " + (raw.length - at) + " bytes");
            }
        } catch (IOException | RuntimeException e) {
            throw e instanceof IllegalArgumentException iae ? iae
                    : new IllegalArgumentException("bzip2 decompression failed: " + e.getMessage(), e);
        }
    }
}
