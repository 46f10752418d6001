package io.coldframe.segment;


import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Reads frames of a segment video through FFmpeg, as 8-bit gray copies: any codec, and containers damaged past what
 * {@link MatroskaPngVideoIn} reads. Frames are always asked for as GRAY8: javacv hands back garbage when asked for
 * monob directly, and gray also covers FFV1/x264/MJPEG. Positions are the grabber's idea of the frame index; callers
 * confirm them with the frame headers.
 */
final class FfmpegVideoIn implements VideoIn {
    private final Path file;
    private final FFmpegFrameGrabber grabber;
    private int expectedFrames;
    private int position;
    private int consecutiveErrors;
    private int resyncsLeft = 64;

    /** @param expectedFrames frames the manifest promises (0 if unknown): lets reading skip past damage */
    FfmpegVideoIn(Path file, int expectedFrames) throws SegmentFormatException {
        FfmpegLog.init();
        this.file = file;
        this.expectedFrames = expectedFrames;
        grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.setImageMode(org.bytedeco.javacv.FrameGrabber.ImageMode.GRAY); // GRAY8 out, without the "pixel_format" input option javacv then complains about
        grabber.setOption("threads", "1");
        try {
            grabber.start();
        } catch (Exception e) {
            close();
            throw new SegmentFormatException("cannot open segment video " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void expect(int frames) {
        expectedFrames = frames;
    }

    @Override
    public String codecName() {
        return grabber.getVideoCodecName();
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public Read next() {
        Read r = grabOne();
        if (r != null) {
            return r;
        }
        // javacv reports damaged container data as the end of the stream. While frames are still
        // expected, skip past the damage by seeking to the following frames (every frame is a keyframe
        // in its own Matroska cluster, and the Cues index at the end of the file locates them).
        int failedSeeks = 0;
        while (position + 1 < expectedFrames && resyncsLeft > 0 && failedSeeks < 4) {
            resyncsLeft--;
            int target = position + 1;
            try {
                grabber.setVideoFrameNumber(target);
            } catch (Exception e) {
                failedSeeks++;
                position = target;
                continue;
            }
            position = target;
            r = grabOne();
            if (r != null) {
                return r;
            }
            failedSeeks++;
        }
        return null;
    }

    private Read grabOne() {
        int pos = position;
        try {
            Frame f = grabber.grabImage();
            if (f == null) {
                return null;
            }
            consecutiveErrors = 0;
            position++;
            return new Read(pos, copy(f), null);
        } catch (Exception e) {
            // a damaged packet: the frame counts as lost at this position; give up after a long run
            if (++consecutiveErrors > 16) {
                return null;
            }
            position++;
            return new Read(pos, null, "video frame unreadable (" + e.getMessage() + ")");
        }
    }

    @Override
    public void seek(int frame) throws SegmentFormatException {
        try {
            grabber.setVideoFrameNumber(frame);
            position = frame;
        } catch (Exception e) {
            throw new SegmentFormatException("seeking to frame " + frame + " of " + file + " failed: " + e.getMessage(), e);
        }
    }

    private static GrayImage copy(Frame f) {
        ByteBuffer b = ((ByteBuffer) f.image[0]).duplicate();
        b.position(0);
        int stride = f.imageStride;
        int n = Math.min(b.remaining(), stride * f.imageHeight);
        byte[] data = new byte[stride * f.imageHeight];
        b.get(data, 0, n);
        return new GrayImage(f.imageWidth, f.imageHeight, stride, data);
    }

    @Override
    public void close() {
        try {
            grabber.release();
        } catch (Exception ignored) {
            // nothing to release
        }
    }
}
