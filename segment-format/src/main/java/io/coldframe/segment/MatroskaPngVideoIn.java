package io.coldframe.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PNG frames of a segment video without FFmpeg: each frame's cluster is found through the container's cues
 * ({@link VideoFrameIndex}), read with one positional read, checked against its CRC-32 element, and its PNG decoded
 * in Java ({@link PngGray}). A frame costs a tenth of FFmpeg's demux, decode and pixel conversion, and reads touch
 * only the clusters asked for, so a sparse copy that holds just some frames reads as well as a whole one.
 *
 * <p>Used only for videos laid out as the segment writer lays them out with PNG frames; a frame it cannot read comes
 * back as an error (callers then retry with FFmpeg, which may still decode a damaged one).
 */
final class MatroskaPngVideoIn implements VideoIn {
    private static final Logger LOG = LoggerFactory.getLogger(MatroskaPngVideoIn.class);
    private static final long CRC_32 = 0xBFL;
    private static final long TIMESTAMP = 0xE7L;
    private static final long SIMPLE_BLOCK = 0xA3L;
    private static final long BLOCK_GROUP = 0xA0L;
    private static final long BLOCK = 0xA1L;

    private final Path file;
    private final FileChannel channel;
    private final VideoFrameIndex index;
    private int position;

    private MatroskaPngVideoIn(Path file, FileChannel channel, VideoFrameIndex index) {
        this.file = file;
        this.channel = channel;
        this.index = index;
    }

    /** A reader for {@code file}, or null when its container or first frame is not what this reader reads. */
    static MatroskaPngVideoIn openIfReadable(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            return null; // FFmpeg names the problem
        }
        try {
            long size = channel.size();
            VideoFrameIndex index = VideoFrameIndex.read((offset, length) -> read(channel, offset, length), size);
            MatroskaPngVideoIn in = new MatroskaPngVideoIn(file, channel, index);
            Read first = in.frame(0);
            if (first.pixels() != null) {
                return in;
            }
            LOG.debug("{}: read through FFmpeg ({})", file, first.error());
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: read through FFmpeg ({})", file, e.getMessage());
        }
        closeQuietly(channel);
        return null;
    }

    @Override
    public void expect(int frames) {
        // the cues say how many frames there are
    }

    @Override
    public String codecName() {
        return VideoCodec.PNG_MONO.ffmpegName();
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public Read next() {
        if (position >= index.frameCount()) {
            return null;
        }
        return frame(position++);
    }

    @Override
    public void seek(int frame) {
        position = Math.max(0, frame);
    }

    private Read frame(int n) {
        try {
            long start = index.frameStart(n);
            byte[] cluster = read(channel, start, Math.toIntExact(index.frameEnd(n) - start));
            int[] png = blockOf(cluster, index.frameTime(n));
            return Read.deferred(n, () -> PngGray.decode(cluster, png[0], png[1]));
        } catch (IOException e) {
            return new Read(n, null, "video frame unreadable (" + e.getMessage() + ")");
        }
    }

    /** Offset and length of the frame data of the block presented at {@code time} in a cluster. */
    private static int[] blockOf(byte[] cluster, long time) throws IOException {
        EbmlCursor c = new EbmlCursor(cluster, 0);
        if (c.id() != VideoFrameIndex.CLUSTER) {
            throw new IOException("no cluster where the cues place it");
        }
        long size = c.size();
        int end = (int) Math.min(cluster.length, c.pos + size);
        if (c.pos + size > cluster.length) {
            throw new IOException("cluster runs past the bytes the cues give it");
        }
        long clusterTime = -1;
        boolean first = true;
        while (c.pos < end) {
            long id = c.id();
            long childSize = c.size();
            int data = c.pos;
            if (data + childSize > end) {
                throw new IOException("cluster element runs past its cluster");
            }
            if (id == CRC_32 && first) {
                // covers every byte of the cluster after this element (Matroska's CRC-32, little-endian)
                CRC32 crc = new CRC32();
                crc.update(cluster, (int) (data + childSize), (int) (end - data - childSize));
                if ((int) crc.getValue() != Integer.reverseBytes(ByteSink.intBE(cluster, data))) {
                    throw new IOException("cluster fails its CRC-32");
                }
            } else if (id == TIMESTAMP) {
                clusterTime = c.uint(childSize);
            } else if (id == SIMPLE_BLOCK || id == BLOCK_GROUP) {
                int[] block = id == SIMPLE_BLOCK ? block(cluster, data, (int) childSize) : inGroup(cluster, data, (int) childSize);
                if (block != null && clusterTime >= 0 && clusterTime + block[2] == time) {
                    return block;
                }
            }
            first = false;
            c.pos = (int) (data + childSize);
        }
        throw new IOException("no block at time " + time + " in its cluster");
    }

    private static int[] inGroup(byte[] cluster, int from, int length) throws IOException {
        EbmlCursor c = new EbmlCursor(cluster, from);
        while (c.pos < from + length) {
            long id = c.id();
            long size = c.size();
            if (id == BLOCK) {
                return block(cluster, c.pos, (int) size);
            }
            c.pos += (int) size;
        }
        return null;
    }

    /** A (Simple)Block's frame data and relative time: track number, 16-bit time, flags, then one unlaced frame. */
    private static int[] block(byte[] cluster, int from, int length) throws IOException {
        EbmlCursor c = new EbmlCursor(cluster, from);
        c.size(); // the track number, a size-style integer: the video is the only track
        int header = c.pos - from;
        if (length < header + 3) {
            throw new IOException("block too short");
        }
        int relativeTime = (short) (((cluster[c.pos] & 0xFF) << 8) | (cluster[c.pos + 1] & 0xFF));
        int flags = cluster[c.pos + 2] & 0xFF;
        if ((flags & 0x06) != 0) {
            throw new IOException("laced block");
        }
        int data = c.pos + 3;
        return new int[] {data, from + length - data, relativeTime};
    }

    private static byte[] read(FileChannel channel, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, Math.min(length, channel.size() - offset)));
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                break;
            }
        }
        return buffer.position() == buffer.capacity() ? buffer.array() : java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing to flush
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    @Override
    public String toString() {
        return "MatroskaPngVideoIn{" + file + ", " + index.frameCount() + " frames}";
    }
}
