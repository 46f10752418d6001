package io.coldframe.segment;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Reads the frames of a segment video in order, as 8-bit gray images. Positions are the source's idea of the frame
 * index; callers confirm them with the frame headers.
 */
interface VideoIn extends Closeable {

    /**
     * Result of reading one frame position: an image, or why there is none. The image may be decoded only when first
     * asked for, on the asking thread: a reader hands frames to decoding threads as fast as it reads their bytes.
     */
    final class Read {
        private final int position;
        private Supplier<FramePixels> decode;
        private FramePixels pixels;
        private GrayImage image;
        private String error;

        Read(int position, GrayImage image, String error) {
            this.position = position;
            this.pixels = image;
            this.image = image;
            this.error = error;
        }

        /** A frame whose pixels {@code decode} makes, or refuses with an IllegalArgumentException saying why. */
        static Read deferred(int position, Supplier<FramePixels> decode) {
            Read read = new Read(position, null, null);
            read.decode = decode;
            return read;
        }

        int position() {
            return position;
        }

        /** The frame's pixels as decoded (packed 1-bit or 8-bit gray), or null if unreadable. */
        synchronized FramePixels pixels() {
            resolve();
            return pixels;
        }

        /** The frame as 8-bit gray, or null if unreadable. */
        synchronized GrayImage image() {
            resolve();
            if (image == null && pixels != null) {
                image = pixels.gray();
            }
            return image;
        }

        synchronized String error() {
            resolve();
            return error;
        }

        private void resolve() {
            if (decode != null) {
                try {
                    pixels = decode.get();
                } catch (IllegalArgumentException e) {
                    error = "video frame unreadable (" + e.getMessage() + ")";
                }
                decode = null;
            }
        }
    }

    /**
     * A reader for {@code file}: the container's own cues and a PNG decoder in Java when the video is laid out as the
     * segment writer lays it out, else FFmpeg.
     *
     * @param expectedFrames frames the manifest promises (0 if unknown): lets FFmpeg's reading skip past damage
     */
    static VideoIn open(Path file, int expectedFrames) throws SegmentFormatException {
        VideoIn direct = MatroskaPngVideoIn.openIfReadable(file);
        return direct != null ? direct : ffmpeg(file, expectedFrames);
    }

    /** A reader through FFmpeg: any codec, and containers too damaged for the direct reader. */
    static VideoIn ffmpeg(Path file, int expectedFrames) throws SegmentFormatException {
        return new FfmpegVideoIn(file, expectedFrames);
    }

    /** Frames the video should hold, once known (a v2 reader learns it from the index after opening). */
    void expect(int frames);

    /** FFmpeg's name of the video codec (png, ffv1, h264, mjpeg). */
    String codecName();

    /** Index of the frame the next {@link #next()} returns. */
    int position();

    /** The next frame, or null at the end of the video. Never throws for damaged frames. */
    Read next();

    /** Makes {@code frame} the next frame read. */
    void seek(int frame) throws SegmentFormatException;

    @Override
    void close();
}
