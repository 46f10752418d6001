package io.coldframe.segment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where each frame of a segment video lies in its bytes, read from the Matroska container without decoding any frame:
 * every frame is a keyframe with a cue point, and the {@code Cues} element (found through the {@code SeekHead} at the
 * start) gives the position of each one's cluster. Frame {@code n} lies in the cluster of the {@code n}-th cue point in
 * time order: mostly its own, but a frame under 4 KiB shares the next frame's (FFmpeg's muxer opens a new cluster at a
 * keyframe only after 4 KiB), and a range of frames is then fetched as the whole clusters that hold it. With it a reader fetches exactly the bytes of the frames of one block (a ranged GET, a seek), plus
 * the container's head ({@link #headEnd}: EBML header, segment info, tracks) and tail ({@link #tailStart}: cues, tags)
 * once per segment.
 *
 * <p>Reads only container structure (EBML element ids and sizes), so it does not depend on how frames are encoded.
 */
public final class VideoFrameIndex {

    /** Reads bytes of the video: {@code length} bytes from {@code offset}, fewer at its end. */
    public interface Bytes {
        byte[] read(long offset, int length) throws IOException;
    }

    private static final long EBML = 0x1A45DFA3L;
    private static final long SEGMENT = 0x18538067L;
    private static final long SEEK_HEAD = 0x114D9B74L;
    private static final long SEEK = 0x4DBBL;
    private static final long SEEK_ID = 0x53ABL;
    private static final long SEEK_POSITION = 0x53ACL;
    private static final long CUES = 0x1C53BB6BL;
    /** Matroska Cluster element id; {@link MatroskaPngVideoIn} reads the clusters this index locates. */
    static final long CLUSTER = 0x1F43B675L;
    private static final long CUE_POINT = 0xBBL;
    private static final long CUE_TIME = 0xB3L;
    private static final long CUE_TRACK_POSITIONS = 0xB7L;
    private static final long CUE_CLUSTER_POSITION = 0xF1L;
    private static final int HEAD_PROBE = 64 * 1024;
    /**
     * Bytes read before the cues along with them, so that the last cluster's header (a frame or two before the cues,
     * in the writer's layout) comes in the same request.
     */
    private static final int TAIL_SLACK = 32 * 1024;

    private final long videoSize;
    private final long[] clusterStart;
    /** Each frame's presentation time, in the container's timestamp units (its cue time). */
    private final long[] frameTime;
    /** One past the last byte of each frame's cluster (frames sharing a cluster share its end). */
    private final long[] clusterEnd;
    private final long clustersEnd;
    private final long headEnd;
    private final long tailStart;
    private final long metadataBytesRead;

    private VideoFrameIndex(long videoSize, long[] clusterStart, long[] frameTime, long clustersEnd, long headEnd, long tailStart,
            long metadataBytesRead) {
        this.videoSize = videoSize;
        this.clusterStart = clusterStart;
        this.frameTime = frameTime;
        this.clustersEnd = clustersEnd;
        this.clusterEnd = new long[clusterStart.length];
        long end = clustersEnd;
        for (int i = clusterStart.length - 1; i >= 0; i--) {
            clusterEnd[i] = end;
            if (i == 0 || clusterStart[i - 1] != clusterStart[i]) {
                end = clusterStart[i];
            }
        }
        this.headEnd = headEnd;
        this.tailStart = tailStart;
        this.metadataBytesRead = metadataBytesRead;
    }

    /**
     * Reads the index of a video of {@code videoSize} bytes in two reads in the writer's layout: the first 64 KiB (the
     * container head, the SeekHead) and everything from just before the cues to the end (cues, tags, the last cluster's
     * header). A container laid out otherwise costs a read more for each element found outside them.
     *
     * @throws IOException when the container is not laid out as the segment writer lays it out (no SeekHead entry for
     *         the cues, cue points out of frame order): the caller then reads the whole video
     */
    public static VideoFrameIndex read(Bytes bytes, long videoSize) throws IOException {
        long read = 0;
        byte[] head = bytes.read(0, (int) Math.min(HEAD_PROBE, videoSize));
        read += head.length;
        EbmlCursor c = new EbmlCursor(head, 0);
        if (c.id() != EBML) {
            throw new IOException("not a Matroska file (no EBML header)");
        }
        c.skip(c.size());
        if (c.id() != SEGMENT) {
            throw new IOException("no Matroska segment after the EBML header");
        }
        c.size();
        long segmentData = c.pos;
        long cuesPosition = -1;
        long firstCluster = -1;
        while (c.pos + 2 < head.length && firstCluster < 0) {
            long elementStart = c.pos;
            long id = c.id();
            long size = c.size();
            if (id == CLUSTER) {
                firstCluster = elementStart;
            } else if (id == SEEK_HEAD) {
                cuesPosition = seekPosition(head, c.pos, size, CUES);
                c.skip(size);
            } else {
                c.skip(size);
            }
        }
        if (cuesPosition < 0 || firstCluster < 0) {
            throw new IOException("the video has no SeekHead entry for its cues or no cluster in its first " + head.length + " bytes");
        }
        long cuesStart = segmentData + cuesPosition;
        long tailFrom = Math.max(firstCluster, cuesStart - TAIL_SLACK);
        if (tailFrom >= videoSize) {
            throw new IOException("the SeekHead places the cues at " + cuesStart + ", past the end of the video (" + videoSize + " bytes)");
        }
        byte[] tail = bytes.read(tailFrom, Math.toIntExact(videoSize - tailFrom));
        read += tail.length;
        Window window = new Window(bytes, tailFrom, tail);
        byte[] cuesHead = window.read(cuesStart, 16);
        EbmlCursor h = new EbmlCursor(cuesHead, 0);
        if (h.id() != CUES) {
            throw new IOException("no Cues element at " + cuesStart);
        }
        long cuesSize = h.size();
        int cuesHeader = h.pos;
        byte[] cues = window.read(cuesStart + cuesHeader, (int) cuesSize);
        List<long[]> points = new ArrayList<>();
        EbmlCursor p = new EbmlCursor(cues, 0);
        while (p.pos < cues.length) {
            long id = p.id();
            long size = p.size();
            int end = (int) (p.pos + size);
            if (id == CUE_POINT) {
                long time = -1;
                long cluster = -1;
                while (p.pos < end) {
                    long child = p.id();
                    long childSize = p.size();
                    if (child == CUE_TIME) {
                        time = p.uint(childSize);
                    } else if (child == CUE_TRACK_POSITIONS) {
                        int tpEnd = (int) (p.pos + childSize);
                        while (p.pos < tpEnd) {
                            long g = p.id();
                            long gs = p.size();
                            if (g == CUE_CLUSTER_POSITION) {
                                cluster = p.uint(gs);
                            } else {
                                p.skip(gs);
                            }
                        }
                    } else {
                        p.skip(childSize);
                    }
                }
                points.add(new long[] {time, segmentData + cluster});
            }
            p.pos = end;
        }
        points.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long[] starts = points.stream().mapToLong(point -> point[1]).toArray();
        long[] times = points.stream().mapToLong(point -> point[0]).toArray();
        // FFmpeg's muxer opens a new cluster at a keyframe only when the open one holds over 4 KiB: a frame that
        // compresses below that shares its cluster with the next, and both cue points name that cluster
        for (int i = 1; i < starts.length; i++) {
            if (starts[i] < starts[i - 1]) {
                throw new IOException("cue points do not name clusters in frame order");
            }
        }
        if (starts.length == 0 || starts[0] != firstCluster) {
            throw new IOException("the first cue point is not the first cluster");
        }
        long last = starts[starts.length - 1];
        byte[] lastHead = window.read(last, 16);
        EbmlCursor l = new EbmlCursor(lastHead, 0);
        if (l.id() != CLUSTER) {
            throw new IOException("no cluster at " + last);
        }
        long lastSize = l.size();
        long clustersEnd = last + l.pos + lastSize;
        long tailStart = Math.min(clustersEnd, cuesStart);
        return new VideoFrameIndex(videoSize, starts, times, clustersEnd, firstCluster, tailStart, read + window.extraBytesRead);
    }

    /** Bytes already read from {@code start}; a read outside them goes to the video. */
    private static final class Window {
        private final Bytes bytes;
        private final long start;
        private final byte[] held;
        private long extraBytesRead;

        Window(Bytes bytes, long start, byte[] held) {
            this.bytes = bytes;
            this.start = start;
            this.held = held;
        }

        byte[] read(long offset, int length) throws IOException {
            if (offset >= start && offset + length <= start + held.length) {
                int from = (int) (offset - start);
                return Arrays.copyOfRange(held, from, from + length);
            }
            byte[] read = bytes.read(offset, length);
            extraBytesRead += read.length;
            return read;
        }
    }

    private static long seekPosition(byte[] buf, int from, long size, long wanted) throws IOException {
        EbmlCursor c = new EbmlCursor(buf, from);
        int end = (int) Math.min(buf.length, from + size);
        while (c.pos < end) {
            long id = c.id();
            long s = c.size();
            int seekEnd = (int) (c.pos + s);
            if (id == SEEK) {
                long seekId = -1;
                long position = -1;
                while (c.pos < seekEnd) {
                    long child = c.id();
                    long cs = c.size();
                    if (child == SEEK_ID) {
                        seekId = c.uint(cs);
                    } else if (child == SEEK_POSITION) {
                        position = c.uint(cs);
                    } else {
                        c.skip(cs);
                    }
                }
                if (seekId == wanted) {
                    return position;
                }
            }
            c.pos = seekEnd;
        }
        return -1;
    }

    public int frameCount() {
        return clusterStart.length;
    }

    public long videoSize() {
        return videoSize;
    }

    /** First byte of frame {@code frame}'s cluster. */
    public long frameStart(int frame) {
        return clusterStart[frame];
    }

    /** Frame {@code frame}'s presentation time (its cluster's timestamp plus its block's offset), in container units. */
    public long frameTime(int frame) {
        return frameTime[frame];
    }

    /** One past the last byte of frame {@code frame}'s cluster. */
    public long frameEnd(int frame) {
        return clusterEnd[frame];
    }

    /** The container head (everything before the first frame): bytes {@code [0, headEnd)}. */
    public long headEnd() {
        return headEnd;
    }

    /** The container tail (cues, tags): bytes {@code [tailStart, videoSize)}. */
    public long tailStart() {
        return tailStart;
    }

    /** Bytes read to build this index. */
    public long metadataBytesRead() {
        return metadataBytesRead;
    }

    @Override
    public String toString() {
        return "VideoFrameIndex{" + clusterStart.length + " frames, head " + headEnd + " B, tail from " + tailStart + " of " + videoSize
                + ", first clusters " + Arrays.toString(Arrays.copyOf(clusterStart, Math.min(3, clusterStart.length))) + "}";
    }
}
