package io.coldframe.hotcache;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import com.github.luben.zstd.Zstd;

/**
 * A memory's document (canonical Extended JSON) as stored in Redis: one tag byte naming the compression, then the
 * bytes. Readers decode every tag, so the compression can change without a rebuild.
 */
public final class DocumentCodec {

    public static final String ZSTD = "zstd";
    public static final String DEFLATE = "deflate";
    public static final String NONE = "none";

    private static final byte TAG_ZSTD = 'z';
    private static final byte TAG_DEFLATE = 'd';
    private static final byte TAG_NONE = 'n';
    private static final int ZSTD_LEVEL = 3;

    private final byte tag;

    public DocumentCodec(String compression) {
        this.tag = switch (compression) {
            case ZSTD -> TAG_ZSTD;
            case DEFLATE -> TAG_DEFLATE;
            case NONE -> TAG_NONE;
            default -> throw new IllegalArgumentException("unknown compression " + compression + ", expected zstd, deflate or none");
        };
    }

    public byte[] encode(String documentJson) {
        byte[] raw = documentJson.getBytes(StandardCharsets.UTF_8);
        byte[] body = switch (tag) {
            case TAG_ZSTD -> Zstd.compress(raw, ZSTD_LEVEL);
            case TAG_DEFLATE -> deflate(raw);
            default -> raw;
        };
        byte[] out = new byte[body.length + 1];
        out[0] = tag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    public static String decode(byte[] stored) {
        if (stored == null || stored.length == 0) {
            throw new IllegalArgumentException("empty stored document");
        }
        byte[] body = Arrays.copyOfRange(stored, 1, stored.length);
        byte[] raw = switch (stored[0]) {
            case TAG_ZSTD -> Zstd.decompress(body, (int) Zstd.getFrameContentSize(body));
            case TAG_DEFLATE -> inflate(body);
            case TAG_NONE -> body;
            default -> throw new IllegalArgumentException("unknown compression tag " + stored[0]);
        };
        return new String(raw, StandardCharsets.UTF_8);
    }

    private static byte[] deflate(byte[] raw) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        try {
            deflater.setInput(raw);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 16);
            byte[] chunk = new byte[8192];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflate(byte[] body) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(body);
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 3);
            byte[] chunk = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && inflater.needsInput()) {
                    throw new IllegalArgumentException("truncated deflate document");
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt deflate document: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
