package io.coldframe.segment;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;

import com.github.luben.zstd.Zstd;
import org.tukaani.xz.FinishableWrapperOutputStream;
import org.tukaani.xz.LZMA2InputStream;
import org.tukaani.xz.LZMA2Options;

/**
 * How a v2 block's raw bytes are compressed (spec section V2.4), recorded per block in the index. zstd is the
 * default; LZMA2 stores text-only chat memories ~4% smaller for ~40% more CPU to write (docs/segment-format.md).
 */
public enum BlockCompression {
    /** One zstd frame at the writer's level. */
    ZSTD(0),
    /** One raw LZMA2 stream (preset 6, dictionary as large as the raw block), as xz's LZMA2 filter writes it. */
    LZMA2(1);

    /** LZMA2 preset of the writer: the one measured (6); 9 spends much more time for little. */
    static final int LZMA2_PRESET = 6;

    private final int id;

    BlockCompression(int id) {
        this.id = id;
    }

    /** The codec number stored in the index. */
    int id() {
        return id;
    }

    /** The name used in configuration: {@code zstd} or {@code lzma2}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The codec of a configuration name. @throws IllegalArgumentException for any other name */
    public static BlockCompression named(String name) {
        for (BlockCompression c : values()) {
            if (c.configName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("block compression must be zstd or lzma2, got " + name);
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

    byte[] compress(byte[] raw, int zstdLevel) {
        if (this == ZSTD) {
            return Zstd.compress(raw, zstdLevel);
        }
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

    /** Exactly {@code rawBytes} bytes back. @throws IllegalArgumentException if the bytes do not decompress to that */
    byte[] decompress(byte[] compressed, int rawBytes) {
        byte[] raw;
        if (this == ZSTD) {
            try {
                raw = Zstd.decompress(compressed, rawBytes);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("zstd decompression failed: " + e.getMessage(), e);
            }
        } else {
            raw = new byte[rawBytes];
            try (InputStream in = new LZMA2InputStream(new ByteArrayInputStream(compressed), lzma2DictSize(rawBytes))) {
                int n = in.readNBytes(raw, 0, rawBytes);
                if (n != rawBytes || in.read() != -1) {
                    throw new IllegalArgumentException("LZMA2 stream does not hold exactly " + rawBytes + " bytes");
                }
            } catch (IOException | RuntimeException e) {
                throw e instanceof IllegalArgumentException iae ? iae
                        : new IllegalArgumentException("LZMA2 decompression failed: " + e.getMessage(), e);
            }
        }
        if (raw.length != rawBytes) {
            throw new IllegalArgumentException("decompressed to " + raw.length + " bytes, expected " + rawBytes);
        }
        return raw;
    }
}
