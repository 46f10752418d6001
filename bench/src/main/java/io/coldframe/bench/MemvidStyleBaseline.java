package io.coldframe.bench;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.EncodeHintType;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.ReaderException;
import com.google.zxing.WriterException;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.decoder.Version;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;

/**
 * The memvid-style baseline: one uncompressed JSON document per QR code, QR version 35 at error correction M, 5 px
 * per module with a 3-module border (memvid's QR settings), in a lossy video. memvid encodes with libx265 at crf 28;
 * the LGPL FFmpeg natives we ship have neither x264 nor x265, so libvpx-vp9 in constant-quality mode stands in (the
 * same generation as HEVC and, like x265, without the palette/intra-block-copy screen-content tools that let AV1
 * encoders code two-colour QR images far more cheaply). A document whose JSON exceeds one symbol's capacity is split
 * over as many frames as it needs; no frame holds parts of two documents. Frames are read back with zxing (pure
 * barcode first, then full detection) and counted as decoded only if they give back exactly the bytes encoded.
 */
public final class MemvidStyleBaseline {

    public static final int QR_VERSION = 35;
    public static final ErrorCorrectionLevel EC_LEVEL = ErrorCorrectionLevel.M;
    public static final int MODULE_PX = 5;
    public static final int BORDER_MODULES = 3;
    public static final int FPS = 30;
    public static final String CODEC = "libvpx-vp9";
    public static final int CRF = 31;
    /** memvid's own frame size: the QR image scaled into 256 x 256 pixels. */
    public static final int LITERAL_FRAME_PX = 256;

    private final int capacity;
    private final int side;
    private final Map<EncodeHintType, Object> encodeHints = new EnumMap<>(EncodeHintType.class);

    public MemvidStyleBaseline() {
        Version v = Version.getVersionForNumber(QR_VERSION);
        int dataCodewords = v.getTotalCodewords() - v.getECBlocksForLevel(EC_LEVEL).getTotalECCodewords();
        capacity = (dataCodewords * 8 - 4 - 16) / 8; // byte mode: 4-bit mode indicator, 16-bit character count
        side = evenUp((v.getDimensionForVersion() + 2 * BORDER_MODULES) * MODULE_PX);
        encodeHints.put(EncodeHintType.QR_VERSION, QR_VERSION);
        encodeHints.put(EncodeHintType.QR_MASK_PATTERN, 0); // zxing's mask search is slow; the mask does not change sizes
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Encodes the documents (one JSON text each, UTF-8) as a memvid-style video in {@code dir}, reads it back and
     * returns the measurements.
     */
    public Map<String, Object> run(List<byte[]> documents, int literalFrames, Path dir) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        List<Integer> docOfChunk = new ArrayList<>();
        long rawBytes = 0;
        for (int d = 0; d < documents.size(); d++) {
            byte[] json = documents.get(d);
            rawBytes += json.length + 1L; // as a JSON line
            for (int off = 0; off < Math.max(1, json.length); off += capacity) {
                chunks.add(Arrays.copyOfRange(json, off, Math.min(json.length, off + capacity)));
                docOfChunk.add(d);
            }
        }
        Files.createDirectories(dir);
        Path video = dir.resolve("memvid-style.mkv");
        long t0 = System.nanoTime();
        encode(video, chunks, side, false);
        long t1 = System.nanoTime();
        boolean[] ok = decodeAll(video, chunks);
        long t2 = System.nanoTime();
        int decoded = 0;
        boolean[] docOk = new boolean[documents.size()];
        Arrays.fill(docOk, true);
        for (int i = 0; i < chunks.size(); i++) {
            decoded += ok[i] ? 1 : 0;
            docOk[docOfChunk.get(i)] &= ok[i];
        }
        int docsRecovered = 0;
        for (boolean b : docOk) {
            docsRecovered += b ? 1 : 0;
        }
        long bytes = Files.size(video);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("what", "one uncompressed JSON document per QR code (split over several frames when longer than one symbol "
                + "holds; no frame holds two documents), memvid's QR settings, lossy video");
        r.put("qr_version", QR_VERSION);
        r.put("ec_level", EC_LEVEL.name());
        r.put("module_px", MODULE_PX);
        r.put("border_modules", BORDER_MODULES);
        r.put("frame_px", side);
        r.put("qr_bytes_per_frame", capacity);
        r.put("codec", CODEC);
        r.put("codec_settings", "crf " + CRF + " (constant quality, b:v 0), deadline good, cpu-used 5, yuv420p, " + FPS
                + " fps, default keyframe interval, Matroska");
        r.put("memvid_codec", "libx265 crf 28 (not in the LGPL FFmpeg natives; VP9 stands in)");
        r.put("decoder", "zxing QRCodeReader: pure barcode, then full detection (TRY_HARDER); a frame counts only if its "
                + "bytes are exactly the encoded ones");
        r.put("sample_docs", documents.size());
        r.put("sample_raw_jsonl_bytes", rawBytes);
        r.put("frames", chunks.size());
        r.put("bytes", bytes);
        r.put("bytes_per_doc", Results.round(bytes / (double) Math.max(1, documents.size()), 1));
        r.put("vs_raw_jsonl", Results.round(bytes / (double) Math.max(1, rawBytes), 3));
        r.put("frames_decoded", decoded);
        r.put("decoded_fraction", Results.round(decoded / (double) Math.max(1, chunks.size()), 4));
        r.put("docs_recovered", docsRecovered);
        r.put("encode_s", Results.round((t1 - t0) / 1e9, 2));
        r.put("decode_s", Results.round((t2 - t1) / 1e9, 2));
        Files.deleteIfExists(video);

        if (literalFrames > 0) {
            List<byte[]> few = chunks.subList(0, Math.min(literalFrames, chunks.size()));
            Path small = dir.resolve("memvid-literal-256.mkv");
            encode(small, few, LITERAL_FRAME_PX, true);
            boolean[] smallOk = decodeAll(small, few);
            int n = 0;
            for (boolean b : smallOk) {
                n += b ? 1 : 0;
            }
            Map<String, Object> lit = new LinkedHashMap<>();
            lit.put("what", "memvid's own frame size: the " + side + " px QR image scaled (area average) into "
                    + LITERAL_FRAME_PX + "x" + LITERAL_FRAME_PX + " px, "
                    + String.format("%.2f", LITERAL_FRAME_PX * (double) MODULE_PX / side)
                    + " px per module; same codec");
            lit.put("frames", few.size());
            lit.put("frames_decoded", n);
            lit.put("decoded_fraction", Results.round(n / (double) Math.max(1, few.size()), 4));
            lit.put("bytes_per_frame", Results.round(Files.size(small) / (double) Math.max(1, few.size()), 1));
            r.put("literal_256px", lit);
            Files.deleteIfExists(small);
        }
        return r;
    }

    /** Renders each chunk as a QR image (scaled to {@code frameSide} if {@code scaled}) and records the video. */
    private void encode(Path file, List<byte[]> chunks, int frameSide, boolean scaled) throws IOException {
        if (avcodec.avcodec_find_encoder_by_name(CODEC) == null) {
            throw new IOException(CODEC + " encoder not in the FFmpeg natives");
        }
        avutil.av_log_set_level(avutil.AV_LOG_QUIET); // encoder banners; failures surface as exceptions or undecodable frames
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), frameSide, frameSide, 0);
        try {
            recorder.setFormat("matroska");
            recorder.setVideoCodecName(CODEC);
            recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(FPS);
            recorder.setVideoBitrate(0); // the recorder's default bitrate would override crf
            recorder.setVideoOption("crf", Integer.toString(CRF));
            recorder.setVideoOption("deadline", "good");
            recorder.setVideoOption("cpu-used", "5");
            recorder.setVideoOption("row-mt", "1");
            recorder.setVideoOption("threads", Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors())));
            recorder.start();
            ByteBuffer buffer = ByteBuffer.allocateDirect(frameSide * frameSide);
            for (byte[] chunk : chunks) {
                byte[] image = render(chunk);
                if (scaled) {
                    image = downscale(image, side, frameSide);
                }
                buffer.clear();
                buffer.put(image);
                buffer.flip();
                recorder.recordImage(frameSide, frameSide, Frame.DEPTH_UBYTE, 1, frameSide, AV_PIX_FMT_GRAY8, buffer);
            }
            recorder.stop();
        } finally {
            recorder.release();
        }
    }

    /** 8-bit gray image, black modules on white, stride = side. */
    private byte[] render(byte[] chunk) {
        ByteMatrix m;
        try {
            m = Encoder.encode(new String(chunk, StandardCharsets.ISO_8859_1), EC_LEVEL, encodeHints).getMatrix();
        } catch (WriterException e) {
            throw new IllegalStateException("QR encoding failed", e);
        }
        byte[] img = new byte[side * side];
        Arrays.fill(img, (byte) 0xff);
        for (int y = 0; y < m.getHeight(); y++) {
            for (int x = 0; x < m.getWidth(); x++) {
                if (m.get(x, y) == 1) {
                    for (int dy = 0; dy < MODULE_PX; dy++) {
                        int row = ((BORDER_MODULES + y) * MODULE_PX + dy) * side + (BORDER_MODULES + x) * MODULE_PX;
                        Arrays.fill(img, row, row + MODULE_PX, (byte) 0);
                    }
                }
            }
        }
        return img;
    }

    /** Area-average downscale of a square gray image. */
    private static byte[] downscale(byte[] src, int from, int to) {
        byte[] out = new byte[to * to];
        double scale = from / (double) to;
        for (int y = 0; y < to; y++) {
            int y0 = (int) Math.floor(y * scale);
            int y1 = Math.max(y0 + 1, (int) Math.floor((y + 1) * scale));
            for (int x = 0; x < to; x++) {
                int x0 = (int) Math.floor(x * scale);
                int x1 = Math.max(x0 + 1, (int) Math.floor((x + 1) * scale));
                long sum = 0;
                for (int yy = y0; yy < y1; yy++) {
                    for (int xx = x0; xx < x1; xx++) {
                        sum += src[yy * from + xx] & 0xff;
                    }
                }
                out[y * to + x] = (byte) (sum / ((long) (y1 - y0) * (x1 - x0)));
            }
        }
        return out;
    }

    private static boolean[] decodeAll(Path file, List<byte[]> expected) throws IOException {
        boolean[] ok = new boolean[expected.size()];
        QRCodeReader reader = new QRCodeReader();
        Map<DecodeHintType, Object> pure = new EnumMap<>(DecodeHintType.class);
        pure.put(DecodeHintType.CHARACTER_SET, "ISO-8859-1");
        pure.put(DecodeHintType.PURE_BARCODE, Boolean.TRUE);
        Map<DecodeHintType, Object> full = new EnumMap<>(DecodeHintType.class);
        full.put(DecodeHintType.CHARACTER_SET, "ISO-8859-1");
        full.put(DecodeHintType.TRY_HARDER, Boolean.TRUE);
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.setImageMode(FrameGrabber.ImageMode.GRAY);
        try {
            grabber.start();
            int i = 0;
            Frame f;
            while ((f = grabber.grabImage()) != null) {
                ByteBuffer b = ((ByteBuffer) f.image[0]).duplicate();
                b.position(0);
                byte[] data = new byte[f.imageStride * f.imageHeight];
                b.get(data, 0, Math.min(data.length, b.remaining()));
                PlanarYUVLuminanceSource source = new PlanarYUVLuminanceSource(data, f.imageStride, f.imageHeight, 0, 0,
                        f.imageWidth, f.imageHeight, false);
                byte[] got = null;
                for (Map<DecodeHintType, Object> hints : List.of(pure, full)) {
                    try {
                        got = reader.decode(new BinaryBitmap(new HybridBinarizer(source)), hints).getText()
                                .getBytes(StandardCharsets.ISO_8859_1);
                        break;
                    } catch (ReaderException e) {
                        reader.reset();
                    }
                }
                if (i < ok.length && got != null && Arrays.equals(got, expected.get(i))) {
                    ok[i] = true;
                }
                i++;
            }
            grabber.stop();
        } catch (FrameGrabber.Exception e) {
            throw new IOException("reading " + file + ": " + e.getMessage(), e);
        } finally {
            grabber.release();
        }
        return ok;
    }

    private static int evenUp(int n) {
        return (n + 1) & ~1;
    }
}
