package io.coldframe.segment;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the PNG images of a segment video (grayscale, 1 or 8 bits, not interlaced: what the writer's PNG codecs
 * produce), checking every chunk's CRC: 1-bit images stay packed ({@link MonoImage}), 8-bit ones are {@link GrayImage}s.
 * Anything else is refused with the reason, so the caller can hand the frame to FFmpeg.
 */
final class PngGray {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int IHDR = 0x49484452;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454E44;
    /** Frames of a segment are at most a few hundred pixels wide; anything much larger is not one. */
    private static final int MAX_SIDE = 8192;
    /** One inflater per thread, reset per image: creating one allocates zlib's state and window natively each time. */
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);

    private PngGray() {
    }

    /** The image in {@code png[offset, offset + length)}. @throws IllegalArgumentException naming what is wrong */
    static FramePixels decode(byte[] png, int offset, int length) {
        int end = offset + length;
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (length < SIGNATURE.length || png[offset + i] != SIGNATURE[i]) {
                throw new IllegalArgumentException("not a PNG image");
            }
        }
        int width = 0;
        int height = 0;
        int bitDepth = 0;
        Inflater inflater = INFLATER.get();
        inflater.reset();
        byte[] raw = null;
        int rawFilled = 0;
        try {
            int pos = offset + SIGNATURE.length;
            while (true) {
                if (pos + 12 > end) {
                    throw new IllegalArgumentException("PNG ends before its IEND chunk");
                }
                int chunkLength = ByteSink.intBE(png, pos);
                int type = ByteSink.intBE(png, pos + 4);
                int data = pos + 8;
                if (chunkLength < 0 || data + chunkLength + 4 > end) {
                    throw new IllegalArgumentException("PNG chunk runs past the image");
                }
                CRC32 crc = new CRC32();
                crc.update(png, pos + 4, chunkLength + 4);
                if ((int) crc.getValue() != ByteSink.intBE(png, data + chunkLength)) {
                    throw new IllegalArgumentException("PNG chunk " + name(type) + " fails its CRC");
                }
                if (type == IHDR) {
                    width = ByteSink.intBE(png, data);
                    height = ByteSink.intBE(png, data + 4);
                    bitDepth = png[data + 8];
                    int colorType = png[data + 9];
                    if (colorType != 0 || (bitDepth != 1 && bitDepth != 8) || png[data + 10] != 0 || png[data + 11] != 0
                            || png[data + 12] != 0) {
                        throw new IllegalArgumentException("PNG is not 1- or 8-bit grayscale without interlace (color type "
                                + colorType + ", depth " + bitDepth + ")");
                    }
                    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
                        throw new IllegalArgumentException("PNG of " + width + "x" + height + " pixels");
                    }
                    raw = new byte[height * (rowBytes(width, bitDepth) + 1)];
                } else if (type == IDAT) {
                    if (raw == null) {
                        throw new IllegalArgumentException("PNG image data before its header");
                    }
                    inflater.setInput(png, data, chunkLength);
                    rawFilled += inflate(inflater, raw, rawFilled);
                } else if (type == IEND) {
                    break;
                } else if ((type & 0x20000000) == 0) {
                    throw new IllegalArgumentException("PNG chunk " + name(type) + " is critical and not read here");
                }
                pos = data + chunkLength + 4;
            }
        } finally {
            inflater.reset(); // drops its input reference; the inflater itself stays with the thread
        }
        if (raw == null || rawFilled != raw.length) {
            throw new IllegalArgumentException("PNG image data holds " + rawFilled + " of " + (raw == null ? 0 : raw.length) + " bytes");
        }
        return unfiltered(raw, width, height, bitDepth);
    }

    private static int inflate(Inflater inflater, byte[] into, int from) {
        int filled = 0;
        try {
            while (!inflater.needsInput() && !inflater.finished() && from + filled < into.length) {
                int n = inflater.inflate(into, from + filled, into.length - from - filled);
                if (n == 0 && (inflater.needsDictionary() || inflater.needsInput())) {
                    break;
                }
                filled += n;
            }
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("PNG image data does not inflate: " + e.getMessage(), e);
        }
        return filled;
    }

    private static int rowBytes(int width, int bitDepth) {
        return (width * bitDepth + 7) / 8;
    }

    /** Undoes each row's filter in place (bytes per pixel is 1 for both depths); rows keep their filter-type byte. */
    private static FramePixels unfiltered(byte[] raw, int width, int height, int bitDepth) {
        int rowBytes = rowBytes(width, bitDepth);
        int stride = rowBytes + 1;
        for (int y = 0; y < height; y++) {
            unfilter(raw, y * stride + 1, y == 0 ? -1 : (y - 1) * stride + 1, rowBytes, raw[y * stride], y);
        }
        if (bitDepth == 1) {
            return new MonoImage(width, height, stride, raw, 1);
        }
        byte[] out = new byte[width * height];
        for (int y = 0; y < height; y++) {
            System.arraycopy(raw, y * stride + 1, out, y * width, width);
        }
        return new GrayImage(width, height, width, out);
    }

    /** Row at {@code at} of {@code n} bytes, the previous row at {@code prior} (-1: none, all zeros). */
    private static void unfilter(byte[] raw, int at, int prior, int n, int filter, int y) {
        switch (filter) {
            case 0 -> {
            }
            case 1 -> {
                for (int i = 1; i < n; i++) {
                    raw[at + i] += raw[at + i - 1];
                }
            }
            case 2 -> {
                if (prior >= 0) {
                    for (int i = 0; i < n; i++) {
                        raw[at + i] += raw[prior + i];
                    }
                }
            }
            case 3 -> {
                for (int i = 0; i < n; i++) {
                    int left = i > 0 ? raw[at + i - 1] & 0xFF : 0;
                    int up = prior >= 0 ? raw[prior + i] & 0xFF : 0;
                    raw[at + i] += (byte) ((left + up) >>> 1);
                }
            }
            case 4 -> {
                for (int i = 0; i < n; i++) {
                    int a = i > 0 ? raw[at + i - 1] & 0xFF : 0;
                    int b = prior >= 0 ? raw[prior + i] & 0xFF : 0;
                    int c = i > 0 && prior >= 0 ? raw[prior + i - 1] & 0xFF : 0;
                    raw[at + i] += (byte) paeth(a, b, c);
                }
            }
            default -> throw new IllegalArgumentException("PNG row " + y + " has filter type " + filter);
        }
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static String name(int type) {
        return new String(new byte[] {(byte) (type >>> 24), (byte) (type >>> 16), (byte) (type >>> 8), (byte) type},
                java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
