package io.coldframe.archive;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.schemas.CatalogEntry;
import io.coldframe.segment.BlockRecords;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.VideoFrameIndex;
import io.coldframe.store.SegmentStore;

/**
 * Reads archived records fetching only what they need: the bytes of the frames of the record's block (a ranged GET
 * on S3, a seek on a local file), found with {@link VideoFrameIndex}, plus once per segment its manifest and the
 * container's head and tail. The fetched bytes land at their offsets in a sparse local copy of the video, which the
 * ordinary {@link SegmentReader} then reads (it seeks by the container's cues, so it touches only those frames) and
 * checks as always: every frame header, block hash and record version.
 *
 * <p>Decoded blocks are kept in a bounded LRU cache (the block's decompressed bodies; a record is decoded and checked
 * when it is asked for), so a get from a recently read block costs no fetch and no frame decode. The segment readers of
 * the most recently read segments stay open (a bounded LRU too), so a later block of such a segment is read without
 * opening the video and decoding its index again. Thread-safe; reads of the same segment are serialized.
 */
public final class ArchiveReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveReader.class);
    /** SegmentReader reads forward instead of seeking when the frame wanted is this close to the start. */
    private static final int READ_FROM_START_BELOW = 9;
    /**
     * How far past the last frame it decoded an open reader's demuxer may have buffered the copy: twice FFmpeg's 32 KiB
     * I/O buffer. Frames there that were holes then are read by a fresh reader, never from that stale buffer.
     */
    private static final long READ_AHEAD_BYTES = 64 * 1024;
    /**
     * Bytes read from the start of a video on its segment's first get: the container head and, for the archiver's
     * segments (2,000 memories), the frames of the segment's index, so they need no request of their own.
     */
    private static final int HEAD_BYTES = 192 * 1024;
    /** Bytes read from the end of a video on its segment's first get: the cues and what lies just before them. */
    private static final int TAIL_BYTES = 64 * 1024;

    /** A record read, and where from. */
    public record Read(SegmentRecord record, String segmentId, int blockIndex, int firstFrame, int lastFrame, boolean cached,
                    long framesBytesFetched) {
    }

    private final SegmentStore store;
    private final Path cacheDir;
    private final long maxCachedBlockBytes;
    private final int maxSegments;
    private final SegmentOptions readOptions;
    private final int maxOpenReaders;
    /** Segments whose reader is open, least recently used first. */
    private final LinkedHashMap<String, Segment> openReaders = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicLong readersOpened = new AtomicLong();
    private final Map<String, Segment> segments;
    private final LinkedHashMap<String, BlockRecords> blocks = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<String, Long> blockBytes = new HashMap<>();
    private final Map<String, Object> segmentLocks = new ConcurrentHashMap<>();
    private long cachedBytes;
    private final AtomicLong framesBytesFetched = new AtomicLong();
    private final AtomicLong metadataBytesFetched = new AtomicLong();
    private final AtomicLong gets = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    /** Store requests made side by side (a segment's first metadata reads, a block's frames beside the index frames). */
    private final ExecutorService fetches = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "archive-reader-fetch");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param cacheDir where sparse copies of videos and manifests are kept (created if missing)
     * @param maxCachedBlockBytes bound of the decoded-block cache, in bytes of decompressed record bodies
     * @param maxSegments segments whose manifest and frame index are kept open
     * @param maxOpenReaders segments whose segment reader is kept open between reads
     * @param decodeThreads threads that QR-decode a block's frames while the video is read
     */
    public ArchiveReader(SegmentStore store, Path cacheDir, long maxCachedBlockBytes, int maxSegments, int maxOpenReaders,
            int decodeThreads) throws IOException {
        this.store = store;
        this.cacheDir = Files.createDirectories(cacheDir);
        this.maxCachedBlockBytes = maxCachedBlockBytes;
        this.maxSegments = maxSegments;
        this.readOptions = SegmentOptions.builder().threads(decodeThreads).build();
        this.maxOpenReaders = maxOpenReaders;
        this.segments = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Segment> eldest) {
                if (size() > ArchiveReader.this.maxSegments) {
                    eldest.getValue().delete();
                    return true;
                }
                return false;
            }
        });
    }

    /** The record a catalog entry points at. */
    public Optional<Read> read(CatalogEntry entry) throws IOException {
        return read(entry.getSegmentId(), entry.getMemoryId(), entry.getBlockIndex(), entry.getFirstFrame(), entry.getLastFrame());
    }

    /** The record {@code memoryId} in block {@code blockIndex} (frames {@code firstFrame..lastFrame}) of a segment. */
    public Optional<Read> read(String segmentId, String memoryId, int blockIndex, int firstFrame, int lastFrame) throws IOException {
        gets.incrementAndGet();
        String blockKey = segmentId + '\u0000' + blockIndex;
        BlockRecords block;
        synchronized (blocks) {
            block = blocks.get(blockKey);
        }
        if (block != null) {
            cacheHits.incrementAndGet();
            return block.get(memoryId).map(r -> new Read(r, segmentId, blockIndex, firstFrame, lastFrame, true, 0));
        }
        synchronized (segmentLocks.computeIfAbsent(segmentId, id -> new Object())) {
            synchronized (blocks) {
                block = blocks.get(blockKey);
            }
            long fetched = 0;
            if (block == null) {
                Segment segment = segment(segmentId);
                boolean reuse = segment.readerMayRead(firstFrame, lastFrame);
                fetched = segment.ensureFrames(firstFrame, lastFrame);
                block = segment.decodeBlock(blockIndex, lastFrame, reuse);
                cache(blockKey, block);
            } else {
                cacheHits.incrementAndGet();
            }
            long bytes = fetched;
            return block.get(memoryId).map(r -> new Read(r, segmentId, blockIndex, firstFrame, lastFrame, bytes == 0, bytes));
        }
    }

    private void cache(String blockKey, BlockRecords block) {
        long size = block.bytes();
        synchronized (blocks) {
            blocks.put(blockKey, block);
            blockBytes.put(blockKey, size);
            cachedBytes += size;
            var it = blocks.entrySet().iterator();
            while (cachedBytes > maxCachedBlockBytes && blocks.size() > 1 && it.hasNext()) {
                String eldest = it.next().getKey();
                it.remove();
                cachedBytes -= blockBytes.remove(eldest);
            }
        }
    }

    private Segment segment(String segmentId) throws IOException {
        Segment segment = segments.get(segmentId);
        if (segment == null) {
            segment = new Segment(segmentId);
            segments.put(segmentId, segment);
        }
        return segment;
    }

    /** Forgets every decoded block (a cold cache), keeping manifests and frame indexes. */
    public void clearBlockCache() {
        synchronized (blocks) {
            blocks.clear();
            blockBytes.clear();
            cachedBytes = 0;
        }
    }

    /** Bytes of frames fetched from the store so far. */
    public long framesBytesFetched() {
        return framesBytesFetched.get();
    }

    /** Bytes of manifests and container heads, tails and cues fetched so far (once per segment). */
    public long metadataBytesFetched() {
        return metadataBytesFetched.get();
    }

    /** Segment readers opened so far (a read of a segment whose reader is open opens none). */
    public long readersOpened() {
        return readersOpened.get();
    }

    public long gets() {
        return gets.get();
    }

    public long cacheHits() {
        return cacheHits.get();
    }

    public int cachedBlocks() {
        synchronized (blocks) {
            return blocks.size();
        }
    }

    @Override
    public void close() {
        synchronized (segments) {
            segments.values().forEach(Segment::delete);
            segments.clear();
        }
        fetches.shutdownNow();
    }

    /** A fetch's bytes, its failure rethrown as it was. */
    private static <T> T join(Future<T> fetch) throws IOException {
        try {
            return fetch.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while fetching from the segment store");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Keeps {@code segment}'s reader open, closing the least recently used beyond the bound. */
    private void keepOpen(Segment segment) {
        List<Segment> evicted = new ArrayList<>();
        synchronized (openReaders) {
            openReaders.put(segment.segmentId, segment);
            var it = openReaders.values().iterator();
            while (openReaders.size() > maxOpenReaders && it.hasNext()) {
                evicted.add(it.next());
                it.remove();
            }
        }
        evicted.forEach(Segment::closeReader);
    }

    /** One segment: its manifest, frame index and sparse local copy of the video with the frames fetched so far. */
    private final class Segment {
        private final String segmentId;
        private final Path video;
        private final Path manifestFile;
        private final SegmentManifest manifest;
        private final VideoFrameIndex index;
        private final BitSet present = new BitSet();
        /** Open between reads of this segment; set under the segment's lock, closed by any thread that evicts it. */
        private volatile SegmentReader reader;
        /** One past the last byte of the last frame the open reader decoded (where its buffered read-ahead starts). */
        private volatile long readerAt = -1;
        private final boolean whole;
        private final int lastHeadFrame;

        Segment(String segmentId) throws IOException {
            this.segmentId = segmentId;
            Path dir = Files.createDirectories(cacheDir.resolve("segments"));
            this.video = dir.resolve(segmentId + ".mkv");
            this.manifestFile = SegmentManifest.pathBeside(video);
            // the manifest, the video's head (container head and the index frames) and its tail (cues) in one round trip
            Future<byte[]> head = fetches.submit(() -> store.readVideoRange(segmentId, 0, HEAD_BYTES));
            Future<byte[]> tail = fetches.submit(() -> store.readVideoTail(segmentId, TAIL_BYTES));
            Path fetchedManifest = store.fetchManifest(segmentId);
            metadataBytesFetched.addAndGet(Files.size(fetchedManifest));
            if (!fetchedManifest.equals(manifestFile)) {
                Files.copy(fetchedManifest, manifestFile, StandardCopyOption.REPLACE_EXISTING);
            }
            this.manifest = SegmentManifest.read(manifestFile);
            this.lastHeadFrame = lastHeadFrame(manifest);
            // the manifest names the stored video's size (the store keeps exactly the verified video): no HEAD request
            long size = manifest.videoBytes();
            Files.deleteIfExists(video);
            VideoFrameIndex built;
            try (RandomAccessFile file = new RandomAccessFile(video.toFile(), "rw")) {
                file.setLength(size);
                SparseCopy copy = new SparseCopy(file);
                copy.put(0, join(head));
                byte[] tailBytes = join(tail);
                copy.put(size - tailBytes.length, tailBytes);
                built = locateFrames(copy, size);
                if (built != null) {
                    // what the index was read from (head, cues, tail) lands in the copy as it is fetched
                    copy.ensure(0, built.headEnd());
                    copy.ensure(built.tailStart(), size);
                    for (int frame = 0; frame < built.frameCount(); frame++) {
                        if (copy.holds(built.frameStart(frame), built.frameEnd(frame))) {
                            present.set(frame);
                        }
                    }
                }
                metadataBytesFetched.addAndGet(copy.bytesFetched);
            }
            this.index = built;
            this.whole = built == null;
            if (whole) {
                Path fetched = store.fetch(segmentId);
                framesBytesFetched.addAndGet(Files.size(fetched));
                Files.copy(fetched, video, StandardCopyOption.REPLACE_EXISTING);
            }
        }

        private VideoFrameIndex locateFrames(SparseCopy copy, long size) {
            try {
                VideoFrameIndex built = VideoFrameIndex.read(copy::fetch, size);
                if (built.frameCount() != manifest.frameCount()) {
                    throw new IOException(built.frameCount() + " clusters for " + manifest.frameCount() + " frames");
                }
                return built;
            } catch (IOException e) {
                LOG.warn("segment {}: frames cannot be located in its video ({}); reading the whole video", segmentId, e.getMessage());
                return null;
            }
        }

        /**
         * The last frame a reader needs before any block: frame 0 for v1; for v2 the frames of the index section at the
         * start of the stream (the stream bytes before the blocks), at their video positions between parity frames.
         */
        private static int lastHeadFrame(SegmentManifest manifest) {
            if (manifest.formatVersion() == SegmentManifest.V1) {
                return 0;
            }
            long indexBytes = manifest.streamBytes() - manifest.compressedBytes();
            int payload = manifest.video().framePayloadBytes();
            int lastData = (int) Math.max(0, (indexBytes + payload - 1) / payload - 1);
            int k = manifest.parityDataFrames();
            return k > 0 ? lastData + (lastData / k) * manifest.parityFrames() : lastData;
        }

        /** Fetches the frames first..last not yet present; returns the bytes fetched. */
        long ensureFrames(int first, int last) throws IOException {
            if (whole) {
                return 0;
            }
            int from = first <= lastHeadFrame + READ_FROM_START_BELOW ? 0 : first;
            // the video decoder probes the first frame when it opens the video, and a v2 reader reads the index there
            int[][] ranges = present.get(0) || from == 0 ? new int[][] {{from, last}} : new int[][] {{0, lastHeadFrame}, {from, last}};
            List<int[]> missing = new ArrayList<>();
            for (int[] range : ranges) {
                int a = range[0];
                int b = Math.min(range[1], index.frameCount() - 1);
                while (a <= b && present.get(a)) {
                    a++;
                }
                while (b >= a && present.get(b)) {
                    b--;
                }
                if (a <= b) {
                    missing.add(new int[] {a, b});
                }
            }
            // side by side: the index frames (when the head did not hold them) and the block's (splitting the block's
            // range into parallel parts made gets slower against the in-JVM S3 server on 2 cores)
            List<Future<byte[]>> reads = new ArrayList<>();
            for (int[] range : missing) {
                long start = index.frameStart(range[0]);
                int length = Math.toIntExact(index.frameEnd(range[1]) - start);
                reads.add(fetches.submit(() -> store.readVideoRange(segmentId, start, length)));
            }
            long fetched = 0;
            try (RandomAccessFile file = new RandomAccessFile(video.toFile(), "rw")) {
                for (int i = 0; i < missing.size(); i++) {
                    byte[] bytes = join(reads.get(i));
                    file.seek(index.frameStart(missing.get(i)[0]));
                    file.write(bytes);
                    fetched += bytes.length;
                    present.set(missing.get(i)[0], missing.get(i)[1] + 1);
                }
            }
            framesBytesFetched.addAndGet(fetched);
            return fetched;
        }

        /**
         * Whether the open reader (if any) may read frames first..last, asked before they are fetched: not if one of them
         * is still missing from the copy and lies where the reader's demuxer may have buffered the copy ahead, holes and
         * all.
         */
        boolean readerMayRead(int first, int last) {
            if (whole || readerAt < 0) {
                return true;
            }
            for (int frame = first; frame <= last; frame++) {
                boolean buffered = index.frameEnd(frame) > readerAt && index.frameStart(frame) < readerAt + READ_AHEAD_BYTES;
                if (buffered && !present.get(frame)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The records of a block, read from the (sparse) video and checked by the segment reader; of several versions of
         * one memory in the block, the last (the catalog points a memory at the block of its latest version). Reads with
         * the segment's open reader when {@code reuse} allows, else with a fresh one that stays open for later blocks.
         */
        BlockRecords decodeBlock(int blockIndex, int lastFrame, boolean reuse) throws IOException {
            SegmentReader kept = reader;
            if (kept != null && reuse) {
                try {
                    BlockRecords out = kept.blockRecords(blockIndex);
                    readerAt = whole ? -1 : index.frameEnd(lastFrame);
                    return out;
                } catch (IOException e) {
                    // closed to keep the bound by another read, or a damaged block: a fresh reader settles which
                    LOG.debug("segment {}: reading block {} with a fresh reader ({})", segmentId, blockIndex, e.getMessage());
                }
            }
            if (kept != null) {
                kept.close();
            }
            SegmentReader fresh = SegmentReader.open(video, readOptions);
            readersOpened.incrementAndGet();
            try {
                BlockRecords out = fresh.blockRecords(blockIndex);
                reader = fresh;
                readerAt = whole ? -1 : index.frameEnd(lastFrame);
                keepOpen(this);
                return out;
            } catch (IOException | RuntimeException e) {
                fresh.close();
                throw e;
            }
        }

        /** Closes the open reader, from any thread: its next use fails and is retried with a fresh reader. */
        void closeReader() {
            SegmentReader open = reader;
            if (open != null) {
                open.close();
            }
        }

        /** The sparse local copy being filled: every byte range fetched is written at its offset and remembered. */
        private final class SparseCopy {
            private final RandomAccessFile file;
            private final List<long[]> fetched = new ArrayList<>();
            private long bytesFetched;

            SparseCopy(RandomAccessFile file) {
                this.file = file;
            }

            /** Bytes of the video: from the copy when fetched before, else from the store. */
            byte[] fetch(long offset, int length) throws IOException {
                long end = Math.min(offset + length, file.length());
                if (holds(offset, end)) {
                    byte[] held = new byte[(int) (end - offset)];
                    file.seek(offset);
                    file.readFully(held);
                    return held;
                }
                return put(offset, store.readVideoRange(segmentId, offset, length));
            }

            /** Places bytes fetched from the store at their offset in the copy. */
            byte[] put(long offset, byte[] bytes) throws IOException {
                file.seek(offset);
                file.write(bytes);
                fetched.add(new long[] {offset, offset + bytes.length});
                bytesFetched += bytes.length;
                return bytes;
            }

            boolean holds(long from, long to) {
                return fetched.stream().anyMatch(range -> range[0] <= from && to <= range[1]);
            }

            void ensure(long from, long to) throws IOException {
                if (from < to && !holds(from, to)) {
                    fetch(from, Math.toIntExact(to - from));
                }
            }
        }

        void delete() {
            synchronized (openReaders) {
                openReaders.remove(segmentId, this);
            }
            closeReader();
            try {
                Files.deleteIfExists(video);
                Files.deleteIfExists(manifestFile);
            } catch (IOException e) {
                LOG.debug("could not remove cached {}: {}", video, e.getMessage());
            }
        }
    }
}
