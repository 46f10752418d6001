package io.coldframe.segment;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_FFV1;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_PNG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_MONOBLACK;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;

/**
 * How QR frames are stored in the MKV. All lossless codecs reproduce every pixel, so frames decode by
 * plain grid sampling; a lossy codec needs {@link SegmentOptions.Builder#allowLossy(boolean)}.
 */
public enum VideoCodec {
    /** PNG, 1 bit per pixel (monob). Lossless and the densest measured (~1.5x the payload). Default. */
    PNG_MONO("png", null, AV_CODEC_ID_PNG, AV_PIX_FMT_MONOBLACK, "monob", true),
    /** FFV1 on 8-bit gray. Lossless, ~2.2x the payload; an archival-grade codec (slice CRCs on). */
    FFV1("ffv1", null, AV_CODEC_ID_FFV1, AV_PIX_FMT_GRAY8, "gray", true),
    /** x264 with qp 0 on 8-bit gray. Lossless but needs GPL FFmpeg natives (with libx264); the LGPL natives we ship lack it. */
    X264_LOSSLESS("h264", "libx264", AV_CODEC_ID_H264, AV_PIX_FMT_GRAY8, "gray", true),
    /** Motion JPEG. Lossy: only with allowLossy and a module size of 3 px or more; verify is the safety net. */
    MJPEG("mjpeg", null, AV_CODEC_ID_MJPEG, AV_PIX_FMT_YUVJ420P, "yuvj420p", false);

    private final String ffmpegName;
    private final String encoderName;
    private final int codecId;
    private final int pixelFormat;
    private final String pixelFormatName;
    private final boolean lossless;

    VideoCodec(String ffmpegName, String encoderName, int codecId, int pixelFormat, String pixelFormatName, boolean lossless) {
        this.ffmpegName = ffmpegName;
        this.encoderName = encoderName;
        this.codecId = codecId;
        this.pixelFormat = pixelFormat;
        this.pixelFormatName = pixelFormatName;
        this.lossless = lossless;
    }

    public boolean lossless() {
        return lossless;
    }

    /** FFmpeg's codec name, as written in the manifest. */
    public String ffmpegName() {
        return ffmpegName;
    }

    /** FFmpeg's pixel format name, as written in the manifest. */
    public String pixelFormatName() {
        return pixelFormatName;
    }

    /** A specific FFmpeg encoder library to use, or null for FFmpeg's native encoder. */
    String encoderName() {
        return encoderName;
    }

    int codecId() {
        return codecId;
    }

    int pixelFormat() {
        return pixelFormat;
    }

    boolean oneBit() {
        return pixelFormat == AV_PIX_FMT_MONOBLACK;
    }
}
