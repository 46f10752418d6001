package io.coldframe.segment;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_MONOBLACK;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Writes rendered QR images into an MKV through javacv's FFmpegFrameRecorder. Bitrate is set to 0:
 * the recorder's default (400 kb/s) otherwise overrides lossless settings.
 */
final class VideoOut implements Closeable {
    static final int FRAME_RATE = 25; // 40 ms per frame: exact in Matroska's 1 ms timebase, so seeks land exactly
    static final String CONTAINER = "matroska";

    private final Path file;
    private final VideoCodec codec;
    private final int side;
    private final int stride;
    private final FFmpegFrameRecorder recorder;
    private final ByteBuffer buffer;
    private int written;

    VideoOut(Path file, VideoCodec codec, int side, String segmentId) throws SegmentFormatException {
        FfmpegLog.init();
        this.file = file;
        this.codec = codec;
        this.side = side;
        this.stride = codec.oneBit() ? (side + 7) / 8 : side;
        if (codec.encoderName() != null ? avcodec_find_encoder_by_name(codec.encoderName()) == null
                : avcodec_find_encoder(codec.codecId()) == null) {
            throw new SegmentFormatException("codec " + codec + " is not available in the bundled FFmpeg natives"
                    + (codec == VideoCodec.X264_LOSSLESS ? " (libx264 needs the GPL build, org.bytedeco:ffmpeg classifier "
                    + "linux-x86_64-gpl; the default LGPL build lacks it); use PNG_MONO or FFV1" : ""));
        }
        recorder = new FFmpegFrameRecorder(file.toFile(), side, side, 0);
        recorder.setFormat(CONTAINER);
        if (codec.encoderName() != null) {
            recorder.setVideoCodecName(codec.encoderName());
        } else {
            recorder.setVideoCodec(codec.codecId());
        }
        recorder.setPixelFormat(codec.pixelFormat());
        recorder.setFrameRate(FRAME_RATE);
        recorder.setVideoBitrate(0);
        recorder.setGopSize(1); // every frame a keyframe: exact seeks for get(id)
        recorder.setVideoOption("threads", "1"); // our pool already uses the cores
        // bitexact: no random Matroska segment/track UIDs or dates, so equal input gives an equal file
        recorder.setOption("fflags", "+bitexact");
        recorder.setVideoOption("flags", "+bitexact");
        switch (codec) {
            case FFV1 -> {
                recorder.setVideoOption("level", "3");
                recorder.setVideoOption("slicecrc", "1");
            }
            case X264_LOSSLESS -> {
                recorder.setVideoOption("qp", "0");
                recorder.setVideoOption("preset", "veryslow");
            }
            case MJPEG -> recorder.setVideoQuality(2);
            default -> {
            }
        }
        recorder.setMetadata(Map.of("title", segmentId, "COLDFRAME_SEGMENT_FORMAT",
                Integer.toString(SegmentManifest.FORMAT_VERSION)));
        try {
            recorder.start();
        } catch (FFmpegFrameRecorder.Exception e) {
            closeQuietly();
            throw new SegmentFormatException("cannot start " + codec + " video " + file + ": " + e.getMessage(), e);
        }
        buffer = ByteBuffer.allocateDirect(stride * side);
    }

    /** Writes one rendered image (packed 1-bit rows for PNG_MONO, else 8-bit gray). */
    void write(byte[] image) throws SegmentFormatException {
        buffer.clear();
        buffer.put(image, 0, stride * side);
        buffer.flip();
        try {
            recorder.recordImage(side, side, Frame.DEPTH_UBYTE, 1, stride,
                    codec.oneBit() ? AV_PIX_FMT_MONOBLACK : AV_PIX_FMT_GRAY8, buffer);
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new SegmentFormatException("writing frame " + written + " of " + file + " failed: " + e.getMessage(), e);
        }
        written++;
    }

    /** Flushes and writes the container trailer (index for seeking). */
    void finish() throws SegmentFormatException {
        try {
            recorder.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new SegmentFormatException("finishing video " + file + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            recorder.release();
        } catch (Exception ignored) {
            // already released or never started
        }
    }
}
