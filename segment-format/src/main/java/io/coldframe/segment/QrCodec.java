package io.coldframe.segment;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.EncodeHintType;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.Result;
import com.google.zxing.ResultMetadataType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.common.DecoderResult;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import com.google.zxing.qrcode.decoder.Decoder;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * QR version 40, ECC level L, byte mode: one frame's bytes in, a module matrix out, and back from pixels.
 *
 * <p>Encoding always uses a fixed mask pattern (zxing's automatic mask search scores all 8 masks: ~85
 * frames/s). The matrix is drawn by {@link QrSymbol}, which reproduces zxing's Encoder output module for
 * module ~10x faster; {@link #encodeWithZxing} is the reference (tests compare the two, and the writer
 * cross-checks the first frame of every segment).
 *
 * <p>Decoding samples the known module grid straight from the pixels and reads the data codewords
 * without error correction, accepted only if the frame's CRC-32 matches; otherwise zxing's decoder runs
 * on the sampled grid (with Reed-Solomon correction), then QRCodeReader with PURE_BARCODE, then full
 * detection with HybridBinarizer. zxing decodes with CHARACTER_SET ISO-8859-1 (no charset guessing).
 */
final class QrCodec {
    static final int QR_VERSION = 40;
    static final int MODULES = 177;
    /** Byte-mode capacity of version 40 at ECC level L. */
    static final int CAPACITY = 2953;
    static final int PAYLOAD_CAPACITY = CAPACITY - FrameHeader.SIZE;
    static final String EC_LEVEL = "L";

    private final int maskPattern;
    private final int moduleSize;
    private final int quietZone;
    private final int side;
    private final QrSymbol symbol;
    private final Map<EncodeHintType, Object> encodeHints = new EnumMap<>(EncodeHintType.class);
    private final Map<DecodeHintType, Object> gridHints = new EnumMap<>(DecodeHintType.class);
    private final Map<DecodeHintType, Object> pureHints = new EnumMap<>(DecodeHintType.class);
    private final Map<DecodeHintType, Object> fullHints = new EnumMap<>(DecodeHintType.class);
    private static final ThreadLocal<Decoder> DECODER = ThreadLocal.withInitial(Decoder::new);
    private static final ThreadLocal<QRCodeReader> READER = ThreadLocal.withInitial(QRCodeReader::new);

    QrCodec(int maskPattern, int moduleSize, int quietZone) {
        if (maskPattern < 0 || maskPattern > 7) {
            throw new IllegalArgumentException("mask pattern must be 0..7");
        }
        this.maskPattern = maskPattern;
        this.moduleSize = moduleSize;
        this.quietZone = quietZone;
        this.side = sideFor(moduleSize, quietZone);
        this.symbol = new QrSymbol(QR_VERSION, maskPattern);
        encodeHints.put(EncodeHintType.QR_VERSION, QR_VERSION);
        encodeHints.put(EncodeHintType.QR_MASK_PATTERN, maskPattern);
        gridHints.put(DecodeHintType.CHARACTER_SET, "ISO-8859-1");
        pureHints.putAll(gridHints);
        pureHints.put(DecodeHintType.PURE_BARCODE, Boolean.TRUE);
        fullHints.putAll(gridHints);
        fullHints.put(DecodeHintType.TRY_HARDER, Boolean.TRUE);
    }

    /**
     * Frame width and height in pixels: (177 + 2 x quiet zone) modules x module size, rounded up to even
     * (FFmpeg's encoders want even sizes; the extra column/row is white, on the right/bottom).
     */
    static int sideFor(int moduleSize, int quietZone) {
        int s = (MODULES + 2 * quietZone) * moduleSize;
        return (s + 1) & ~1;
    }

    int side() {
        return side;
    }

    int moduleSize() {
        return moduleSize;
    }

    int quietZone() {
        return quietZone;
    }

    private static final java.util.concurrent.ConcurrentHashMap<Integer, QrCodec> SHARED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** A shared codec for this geometry (building one draws a template symbol; readers open many segments). */
    static QrCodec of(int maskPattern, int moduleSize, int quietZone) {
        return SHARED.computeIfAbsent(maskPattern << 16 | moduleSize << 8 | quietZone,
                key -> new QrCodec(maskPattern, moduleSize, quietZone));
    }

    /**
     * The geometry and mask a frame was drawn with, found from its size and by reading it (a v2 segment
     * records neither outside its frames): the first combination whose fast grid read passes the frame
     * CRC, or null if none does (the frame may be damaged; try another).
     */
    static QrCodec detect(GrayImage img) {
        for (int s = 1; s <= 16; s++) {
            for (int q = 0; q <= 8; q++) {
                if (sideFor(s, q) != img.width() || img.height() != img.width()) {
                    continue;
                }
                for (int mask = 0; mask < 8; mask++) {
                    QrCodec codec = of(mask, s, q);
                    byte[] fast = codec.symbol.read(codec.sampleGrid(img));
                    if (fast != null && intact(fast)) {
                        return codec;
                    }
                }
            }
        }
        return null;
    }

    /**
     * Modules (y * 177 + x, 1 = dark): zxing's symbol for these bytes, drawn by the fast table-driven path
     * (or by zxing's Encoder itself when the system property {@value #ZXING_ENCODER_PROPERTY} is true).
     */
    byte[] encode(byte[] frameBytes) {
        if (frameBytes.length > CAPACITY) {
            throw new IllegalArgumentException("frame of " + frameBytes.length + " bytes exceeds QR capacity " + CAPACITY);
        }
        return USE_ZXING_ENCODER ? encodeWithZxing(frameBytes) : symbol.encode(frameBytes);
    }

    /** Kill switch: draw every frame with zxing's Encoder (~15x slower, identical output). */
    static final String ZXING_ENCODER_PROPERTY = "coldframe.segment.zxingEncoder";
    private static final boolean USE_ZXING_ENCODER = Boolean.getBoolean(ZXING_ENCODER_PROPERTY);

    /**
     * The same matrix from zxing's {@link Encoder} (fixed version 40, level L, fixed mask; the bytes as
     * an ISO-8859-1 string without CHARACTER_SET hint, so no ECI). The reference the fast path is held to.
     */
    byte[] encodeWithZxing(byte[] frameBytes) {
        try {
            return QrSymbol.flatten(Encoder.encode(new String(frameBytes, StandardCharsets.ISO_8859_1),
                    ErrorCorrectionLevel.L, encodeHints).getMatrix().getArray());
        } catch (WriterException e) {
            throw new IllegalStateException("QR encoding failed", e);
        }
    }

    /** Renders as packed 1-bit rows, MSB first, bit 1 = white (FFmpeg's monob / AV_PIX_FMT_MONOBLACK). */
    byte[] renderMonoBlack(byte[] modules) {
        int stride = (side + 7) / 8;
        byte[] img = new byte[stride * side];
        java.util.Arrays.fill(img, (byte) 0xff);
        if (moduleSize == 1) { // the default: assemble each row's bytes directly, no per-pixel read-modify-write
            for (int my = 0; my < MODULES; my++) {
                int rowStart = (quietZone + my) * stride;
                int m = my * MODULES - quietZone; // modules index of pixel x is m + x
                for (int bx = 0; bx < stride; bx++) {
                    int v = 0;
                    for (int k = 0, x = bx * 8; k < 8; k++, x++) {
                        // (d - 1) >>> 31 is 1 for a light module, 0 for a dark one: no branch on random data
                        int white = x < quietZone || x >= quietZone + MODULES ? 1 : ((modules[m + x] & 0xff) - 1) >>> 31;
                        v = (v << 1) | white;
                    }
                    img[rowStart + bx] = (byte) v;
                }
            }
            return img;
        }
        for (int my = 0; my < MODULES; my++) {
            int rowStart = ((quietZone + my) * moduleSize) * stride;
            int m = my * MODULES;
            for (int mx = 0; mx < MODULES; mx++) {
                if (modules[m + mx] != 0) {
                    int x0 = (quietZone + mx) * moduleSize;
                    for (int dx = 0; dx < moduleSize; dx++) {
                        int x = x0 + dx;
                        img[rowStart + (x >>> 3)] &= (byte) ~(0x80 >>> (x & 7));
                    }
                }
            }
            for (int dy = 1; dy < moduleSize; dy++) { // taller modules: repeat the row
                System.arraycopy(img, rowStart, img, rowStart + dy * stride, stride);
            }
        }
        return img;
    }

    /** Renders as 8-bit gray rows (0 = dark, 255 = light), stride = side. */
    byte[] renderGray(byte[] modules) {
        byte[] img = new byte[side * side];
        java.util.Arrays.fill(img, (byte) 0xff);
        for (int my = 0; my < MODULES; my++) {
            int rowStart = ((quietZone + my) * moduleSize) * side;
            int m = my * MODULES;
            for (int mx = 0; mx < MODULES; mx++) {
                if (modules[m + mx] != 0) {
                    int x0 = rowStart + (quietZone + mx) * moduleSize;
                    for (int dx = 0; dx < moduleSize; dx++) {
                        img[x0 + dx] = 0;
                    }
                }
            }
            for (int dy = 1; dy < moduleSize; dy++) {
                System.arraycopy(img, rowStart, img, rowStart + dy * side, side);
            }
        }
        return img;
    }

    /** How a frame image was decoded; the slower fallbacks are counted to spot degrading media. */
    enum Method {
        /** Grid sampled, data read without error correction, frame CRC-32 matched (the normal case). */
        GRID_FAST,
        /** Grid sampled, zxing's decoder (with Reed-Solomon correction). */
        GRID,
        /** zxing's QRCodeReader with PURE_BARCODE (finds the grid itself). */
        PURE_BARCODE,
        /** zxing's full detector. */
        DETECTED
    }

    record Decoded(byte[] bytes, Method method) {
    }

    /** The packed layout last used by {@link #decode(FramePixels)}: every frame of a video has the same row stride. */
    private volatile QrSymbol.PackedLayout packed;

    /**
     * Decodes a frame's pixels: packed 1-bit pixels of this codec's geometry by sampling their bits directly (the fast
     * grid read, trusted only if the frame CRC checks out), anything else, or a frame that fails that, as 8-bit gray.
     */
    Decoded decode(FramePixels pixels) {
        if (pixels instanceof MonoImage mono && mono.width() == side && mono.height() == side) {
            QrSymbol.PackedLayout layout = packed;
            if (layout == null || layout.stride() != mono.stride()) {
                layout = symbol.packedLayout(moduleSize, quietZone, mono.stride());
                packed = layout;
            }
            byte[] fast = symbol.read(mono, layout);
            if (fast != null && intact(fast)) {
                return new Decoded(fast, Method.GRID_FAST);
            }
        }
        return decode(pixels.gray());
    }

    /** Decodes an 8-bit gray image. @return the frame bytes, or null if no method could read the QR code */
    Decoded decode(GrayImage img) {
        if (img.width() == side && img.height() == side) {
            boolean[] dark = sampleGrid(img);
            byte[] fast = symbol.read(dark);
            if (fast != null && intact(fast)) {
                return new Decoded(fast, Method.GRID_FAST);
            }
            try {
                DecoderResult r = DECODER.get().decode(toBitMatrix(dark), gridHints);
                return new Decoded(bytesOf(r.getByteSegments(), r.getText()), Method.GRID);
            } catch (com.google.zxing.ChecksumException | com.google.zxing.FormatException e) {
                // fall back below
            }
        }
        PlanarYUVLuminanceSource source = new PlanarYUVLuminanceSource(img.data(), img.stride(), img.height(), 0, 0,
                img.width(), img.height(), false);
        try {
            Result r = READER.get().decode(new BinaryBitmap(new HybridBinarizer(source)), pureHints);
            return new Decoded(bytesOf(r), Method.PURE_BARCODE);
        } catch (com.google.zxing.ReaderException e) {
            // fall back below
        }
        try {
            Result r = READER.get().decode(new BinaryBitmap(new HybridBinarizer(source)), fullHints);
            return new Decoded(bytesOf(r), Method.DETECTED);
        } catch (com.google.zxing.ReaderException e) {
            return null;
        }
    }

    /** A frame read without error correction is trusted only if its own CRC-32 (v1 or v2 header) checks out. */
    private static boolean intact(byte[] frame) {
        return frame.length > 0 && (frame[0] & 0xff) == FrameV2.MAGIC ? FrameV2.intact(frame) : FrameHeader.intact(frame);
    }

    /** Reads the module at the centre pixel of each grid cell (threshold at mid-gray); y * 177 + x, true = dark. */
    private boolean[] sampleGrid(GrayImage img) {
        boolean[] dark = new boolean[MODULES * MODULES];
        byte[] d = img.data();
        int stride = img.stride();
        int half = moduleSize / 2;
        for (int my = 0; my < MODULES; my++) {
            int rowBase = ((quietZone + my) * moduleSize + half) * stride + quietZone * moduleSize + half;
            int out = my * MODULES;
            for (int mx = 0; mx < MODULES; mx++) {
                dark[out + mx] = (d[rowBase + mx * moduleSize] & 0xff) < 128;
            }
        }
        return dark;
    }

    private static BitMatrix toBitMatrix(boolean[] dark) {
        BitMatrix bits = new BitMatrix(MODULES);
        for (int i = 0; i < dark.length; i++) {
            if (dark[i]) {
                bits.set(i % MODULES, i / MODULES);
            }
        }
        return bits;
    }

    @SuppressWarnings("unchecked")
    private static byte[] bytesOf(Result r) {
        Object segs = r.getResultMetadata() == null ? null : r.getResultMetadata().get(ResultMetadataType.BYTE_SEGMENTS);
        return bytesOf((List<byte[]>) segs, r.getText());
    }

    /** Byte-mode segments are the exact bytes; the ISO-8859-1 text is the same bytes as a fallback. */
    private static byte[] bytesOf(List<byte[]> segments, String text) {
        if (segments != null && !segments.isEmpty()) {
            if (segments.size() == 1) {
                return segments.get(0);
            }
            int n = 0;
            for (byte[] s : segments) {
                n += s.length;
            }
            byte[] out = new byte[n];
            int p = 0;
            for (byte[] s : segments) {
                System.arraycopy(s, 0, out, p, s.length);
                p += s.length;
            }
            return out;
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    int maskPattern() {
        return maskPattern;
    }
}
