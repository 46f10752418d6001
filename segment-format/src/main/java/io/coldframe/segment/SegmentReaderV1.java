package io.coldframe.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.bson.RawBsonDocument;

/**
 * Reads a format-v1 segment (video + JSON manifest) back: full verification, one record by id (decoding
 * only the frames of its block), or all records. v1 segments are never written any more, only read.
 */
final class SegmentReaderV1 implements SegmentReader.Impl {
    private static final int SEEK_IF_AHEAD_BY = 8;
    private static final int CACHED_BLOCKS = 4;
    private static final int CACHED_FRAMES = 8;

    private final Path videoFile;
    private final SegmentManifest manifest;
    private final QrCodec qr;
    private final int segmentHash;
    private final int threads;
    private final ExecutorService pool;
    private final Map<String, Integer> lastEntryById = new HashMap<>();
    private final LinkedHashMap<Integer, byte[]> blockCache = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<Integer, byte[]> frameCache = new LinkedHashMap<>(16, 0.75f, true);
    private final java.util.concurrent.atomic.AtomicInteger framesDecoded = new java.util.concurrent.atomic.AtomicInteger();
    private VideoIn video;
    private boolean closed;

    SegmentReaderV1(Path videoFile, SegmentManifest manifest, int threads) {
        this.videoFile = videoFile;
        this.manifest = manifest;
        SegmentManifest.Video v = manifest.video();
        this.qr = new QrCodec(v.maskPattern(), v.moduleSizePx(), v.quietZoneModules());
        this.segmentHash = FrameHeader.segmentIdHash(manifest.segmentId());
        this.threads = threads;
        this.pool = Workers.pool(threads);
        List<SegmentManifest.Entry> entries = manifest.entries();
        for (int i = 0; i < entries.size(); i++) {
            lastEntryById.put(entries.get(i).memoryId(), i);
        }
    }

    @Override
    public SegmentManifest manifest() {
        return manifest;
    }

    // ------------------------------------------------------------------------------------------------
    // get / records

    /**
     * The record with this memory id (the last one written, if the segment holds several versions).
     * Decodes only the frames of that record's block.
     *
     * @throws SegmentFormatException if the video is damaged where the record lies
     */
    @Override
    public synchronized Optional<SegmentRecord> get(String memoryId) throws IOException {
        Integer i = lastEntryById.get(memoryId);
        if (i == null) {
            return Optional.empty();
        }
        return Optional.of(read(manifest.entries().get(i)));
    }

    @Override
    public synchronized List<SegmentRecord> block(int blockIndex) throws IOException {
        ensureOpen();
        if (blockIndex < 0 || blockIndex >= manifest.blocks().size()) {
            throw new SegmentFormatException("segment " + manifest.segmentId() + " has no block " + blockIndex);
        }
        List<SegmentRecord> out = new ArrayList<>();
        for (SegmentManifest.Entry e : manifest.entries()) {
            if (e.blockIndex() == blockIndex) {
                out.add(read(e));
            }
        }
        return out;
    }

    /**
     * All records in manifest order; an entry repeating an earlier memory id and version is skipped.
     * Lazy: blocks are decoded as the stream reaches them. Damage surfaces as UncheckedIOException
     * wrapping a SegmentFormatException.
     */
    @Override
    public Stream<SegmentRecord> records() throws IOException {
        ensureOpen();
        List<SegmentManifest.Entry> entries = manifest.entries();
        Set<String> seen = new HashSet<>();
        Spliterator<SegmentRecord> split = new Spliterators.AbstractSpliterator<>(entries.size(),
                Spliterator.ORDERED | Spliterator.NONNULL) {
            private int next;

            @Override
            public boolean tryAdvance(Consumer<? super SegmentRecord> action) {
                while (next < entries.size()) {
                    SegmentManifest.Entry e = entries.get(next++);
                    if (!seen.add(e.memoryId() + '\u0000' + e.version())) {
                        continue;
                    }
                    try {
                        SegmentRecord r;
                        synchronized (SegmentReaderV1.this) {
                            r = read(e);
                        }
                        action.accept(r);
                        return true;
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                }
                return false;
            }
        };
        return StreamSupport.stream(split, false);
    }

    private SegmentRecord read(SegmentManifest.Entry e) throws IOException {
        byte[] raw = rawBlock(e.blockIndex());
        byte[] bson;
        try {
            byte[] body = BlockCodec.body(raw, e.offset(), e.length());
            if (!Hashes.sha256Hex(body).equals(e.bodySha256())) {
                throw new IllegalArgumentException("body sha-256 mismatch");
            }
            bson = RecordCodec.decode(body);
        } catch (IllegalArgumentException ex) {
            throw damaged("record " + quoted(e.memoryId()) + " (block " + e.blockIndex() + "): " + ex.getMessage(), ex);
        }
        if (!Hashes.sha256Hex(bson).equals(e.version())) {
            throw damaged("record " + quoted(e.memoryId()) + ": version mismatch", null);
        }
        return new SegmentRecord(e.memoryId(), e.version(), new RawBsonDocument(bson));
    }

    /** Raw (decompressed) block, decoding only its frames; small LRU cache. */
    private byte[] rawBlock(int index) throws IOException {
        ensureOpen();
        byte[] cached = blockCache.get(index);
        if (cached != null) {
            return cached;
        }
        SegmentManifest.Block b = manifest.blocks().get(index);
        byte[][] payloads = frames(b.firstFrame(), b.lastFrame());
        byte[] envelope = assemble(b, payloads);
        byte[] raw;
        try {
            raw = BlockCodec.open(envelope, b);
        } catch (IllegalArgumentException ex) {
            throw damaged("block " + index + ": " + ex.getMessage(), ex);
        }
        blockCache.put(index, raw);
        if (blockCache.size() > CACHED_BLOCKS) {
            blockCache.remove(blockCache.keySet().iterator().next());
        }
        return raw;
    }

    /** The envelope bytes of a block, cut from the payloads of frames firstFrame..lastFrame. */
    private static byte[] assemble(SegmentManifest.Block b, byte[][] payloads) {
        int cap = QrCodec.PAYLOAD_CAPACITY;
        byte[] out = new byte[b.length()];
        long start = b.streamOffset();
        int filled = 0;
        for (int k = 0; k < payloads.length && filled < out.length; k++) {
            long frameStart = (long) (b.firstFrame() + k) * cap;
            int from = (int) Math.max(0, start + filled - frameStart);
            int n = Math.min(payloads[k].length - from, out.length - filled);
            if (n <= 0) {
                break;
            }
            System.arraycopy(payloads[k], from, out, filled, n);
            filled += n;
        }
        return filled == out.length ? out : Arrays.copyOf(out, filled);
    }

    /**
     * Payloads of frames first..last, read from the video (seeking when they lie behind or far ahead)
     * and checked against the manifest. Frames are identified by their header sequence numbers, so a
     * seek that lands a frame early or late is harmless.
     */
    private byte[][] frames(int first, int last) throws IOException {
        byte[][] out = new byte[last - first + 1][];
        int missing = out.length;
        for (int s = first; s <= last; s++) {
            byte[] p = frameCache.get(s);
            if (p != null) {
                out[s - first] = p;
                missing--;
            }
        }
        if (missing == 0) {
            return out;
        }
        int from = first;
        while (out[from - first] != null) {
            from++;
        }
        Map<Integer, String> failures = new HashMap<>();
        for (int attempt = 0; attempt < 2 && missing > 0; attempt++) {
            // a second look goes through FFmpeg, which may still decode a frame the direct reader refused
            VideoIn in = attempt == 0 ? video() : ffmpegVideo();
            int target = attempt == 0 ? from : Math.max(0, from - 16);
            if (in.position() > target || target - in.position() > SEEK_IF_AHEAD_BY || attempt > 0) {
                in.seek(target);
            }
            boolean pastEnd = false;
            while (missing > 0 && !pastEnd) {
                int batch = Math.max(1, Math.min(threads * 8, last - in.position() + 1));
                List<VideoIn.Read> reads = new ArrayList<>(batch);
                for (int k = 0; k < batch; k++) {
                    VideoIn.Read r = in.next();
                    if (r == null) {
                        pastEnd = true;
                        break;
                    }
                    reads.add(r);
                }
                List<FrameResult> results = decodeAll(reads);
                for (FrameResult fr : results) {
                    if (fr.error() != null) {
                        failures.putIfAbsent(fr.position(), fr.error());
                        continue;
                    }
                    int seq = fr.seq();
                    cacheFrame(seq, fr.payload());
                    if (seq >= first && seq <= last && out[seq - first] == null) {
                        out[seq - first] = fr.payload();
                        missing--;
                    }
                    if (seq > last) {
                        pastEnd = true;
                    }
                }
                if (in.position() > last + 2) {
                    // frames sit at or before their sequence number (a dropped frame only pulls later ones
                    // forward), so nothing we need lies further on
                    pastEnd = true;
                }
            }
        }
        if (missing > 0) {
            String missingWhy = Files.size(videoFile) < manifest.videoBytes() ? "missing from the video (truncated?)"
                    : "missing from the video (the video decoder dropped it: damaged data?)";
            for (int s = first; s <= last; s++) {
                if (out[s - first] == null) {
                    String why = failures.getOrDefault(s, missingWhy);
                    throw damaged("frame " + s + ": " + why, null);
                }
            }
        }
        return out;
    }

    private void cacheFrame(int seq, byte[] payload) {
        frameCache.put(seq, payload);
        if (frameCache.size() > CACHED_FRAMES) {
            frameCache.remove(frameCache.keySet().iterator().next());
        }
    }

    /** A frame decoded and checked, or the reason it is unusable. */
    private record FrameResult(int position, int seq, byte[] payload, String error) {
    }

    private List<FrameResult> decodeAll(List<VideoIn.Read> reads) throws IOException {
        List<Future<FrameResult>> futures = new ArrayList<>(reads.size());
        for (VideoIn.Read r : reads) {
            futures.add(pool.submit(() -> decodeFrame(r)));
        }
        List<FrameResult> out = new ArrayList<>(reads.size());
        for (Future<FrameResult> f : futures) {
            out.add(Workers.join(f));
        }
        return out;
    }

    /** QR-decodes one frame and checks its header against this segment; never throws for bad data. */
    private FrameResult decodeFrame(VideoIn.Read r) {
        if (r.pixels() == null) {
            return new FrameResult(r.position(), -1, null, r.error());
        }
        framesDecoded.incrementAndGet();
        QrCodec.Decoded d = qr.decode(r.pixels());
        if (d == null) {
            return new FrameResult(r.position(), -1, null, "QR not decodable");
        }
        FrameHeader.Parsed h;
        try {
            h = FrameHeader.parse(d.bytes());
        } catch (IllegalArgumentException e) {
            return new FrameResult(r.position(), -1, null, e.getMessage());
        }
        if (h.segmentHash() != segmentHash) {
            return new FrameResult(r.position(), -1, null,
                    String.format("belongs to another segment (id hash %08x, expected %08x)", h.segmentHash(), segmentHash));
        }
        if (h.frameCount() != manifest.frameCount()) {
            return new FrameResult(r.position(), -1, null,
                    "header says " + h.frameCount() + " frames, manifest says " + manifest.frameCount());
        }
        int seq = h.seq();
        if (seq < 0 || seq >= manifest.frameCount()) {
            return new FrameResult(r.position(), -1, null, "sequence number " + seq + " out of range");
        }
        long expectedLen = Math.max(0, Math.min(QrCodec.PAYLOAD_CAPACITY,
                manifest.streamBytes() - (long) seq * QrCodec.PAYLOAD_CAPACITY));
        if (h.payload().length != expectedLen) {
            return new FrameResult(r.position(), -1, null,
                    "payload of " + h.payload().length + " bytes, expected " + expectedLen);
        }
        boolean lastFlag = (h.flags() & FrameHeader.FLAG_LAST) != 0;
        if (lastFlag != (seq == manifest.frameCount() - 1)) {
            return new FrameResult(r.position(), -1, null, "last-frame flag wrong");
        }
        return new FrameResult(r.position(), seq, h.payload(), null);
    }

    // ------------------------------------------------------------------------------------------------
    // verify

    /**
     * Reads every frame, decodes, reassembles, decompresses and re-hashes every block and record.
     * Never throws for bad data: every problem found becomes a line of the report.
     */
    @Override
    public synchronized VerificationReport verify() {
        List<String> problems = new ArrayList<>();
        int framesRead = 0;
        int verified = 0;
        try {
            ensureOpen();
            checkFile(problems);
            int frameCount = manifest.frameCount();
            byte[][] payloads = new byte[frameCount][];
            Set<Integer> reportedFrames = new HashSet<>();
            VideoIn in;
            try {
                in = VideoIn.open(videoFile, manifest.frameCount());
            } catch (SegmentFormatException e) {
                problems.add("video: " + e.getMessage());
                return new VerificationReport(manifest.segmentId(), false, 0, 0, problems);
            }
            try {
                framesRead = readAllFrames(in, payloads, problems, reportedFrames);
            } finally {
                in.close();
            }
            if (framesRead != frameCount) {
                boolean shorter = Files.size(videoFile) < manifest.videoBytes();
                problems.add("video: " + framesRead + " frames read, manifest says " + frameCount
                        + (framesRead < frameCount && shorter ? " (truncated?)" : ""));
            }
            for (int s = 0; s < frameCount; s++) {
                if (payloads[s] == null && !reportedFrames.contains(s)) {
                    int e = s;
                    while (e + 1 < frameCount && payloads[e + 1] == null && !reportedFrames.contains(e + 1)) {
                        e++;
                    }
                    problems.add(e == s ? "frame " + s + ": missing" : "frames " + s + "-" + e + ": missing");
                    s = e;
                }
            }
            verified = verifyBlocks(payloads, problems);
        } catch (IOException | RuntimeException e) {
            problems.add("verification aborted: " + e);
        }
        boolean ok = problems.isEmpty() && verified == manifest.entries().size();
        return new VerificationReport(manifest.segmentId(), ok, framesRead, verified, problems);
    }

    private void checkFile(List<String> problems) throws IOException {
        long size = Files.size(videoFile);
        if (size != manifest.videoBytes()) {
            problems.add("video: " + size + " bytes, manifest says " + manifest.videoBytes()
                    + (size < manifest.videoBytes() ? " (truncated?)" : ""));
        } else if (!Hashes.sha256Hex(videoFile).equals(manifest.videoSha256())) {
            problems.add("video: sha-256 mismatch (file changed since it was written)");
        }
    }

    /** Reads and decodes all frames in a sliding window on the pool; returns the number of frames read. */
    private int readAllFrames(VideoIn in, byte[][] payloads, List<String> problems, Set<Integer> reported)
            throws IOException {
        ArrayDeque<Future<FrameResult>> inflight = new ArrayDeque<>();
        int window = threads * 8;
        int read = 0;
        boolean end = false;
        while (!end || !inflight.isEmpty()) {
            while (!end && inflight.size() < window) {
                VideoIn.Read r = in.next();
                if (r == null) {
                    end = true;
                } else {
                    read++;
                    inflight.add(pool.submit(() -> decodeFrame(r)));
                }
            }
            if (!inflight.isEmpty()) {
                FrameResult fr = Workers.join(inflight.poll());
                if (fr.error() != null) {
                    problems.add("frame " + fr.position() + ": " + fr.error());
                    reported.add(fr.position());
                } else if (payloads[fr.seq()] != null) {
                    problems.add("frame " + fr.position() + ": repeats frame " + fr.seq());
                } else {
                    // frames are placed by their sequence number: a frame the decoder dropped shifts the
                    // positions of later ones, which is reported once, as the missing frame
                    payloads[fr.seq()] = fr.payload();
                }
            }
        }
        return read;
    }

    /** Checks every block and every entry; returns the number of entries verified. */
    private int verifyBlocks(byte[][] payloads, List<String> problems) throws IOException {
        List<SegmentManifest.Block> blocks = manifest.blocks();
        List<List<SegmentManifest.Entry>> byBlock = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            byBlock.add(new ArrayList<>());
        }
        for (SegmentManifest.Entry e : manifest.entries()) {
            byBlock.get(e.blockIndex()).add(e);
        }
        List<Future<List<String>>> futures = new ArrayList<>();
        int[] verified = new int[blocks.size()];
        for (SegmentManifest.Block b : blocks) {
            futures.add(pool.submit(() -> verifyBlock(b, payloads, byBlock.get(b.index()), verified)));
        }
        int total = 0;
        for (int i = 0; i < futures.size(); i++) {
            problems.addAll(Workers.join(futures.get(i)));
            total += verified[i];
        }
        return total;
    }

    private List<String> verifyBlock(SegmentManifest.Block b, byte[][] payloads, List<SegmentManifest.Entry> entries,
            int[] verified) {
        List<String> problems = new ArrayList<>();
        byte[][] parts = new byte[b.lastFrame() - b.firstFrame() + 1][];
        List<Integer> lost = new ArrayList<>();
        for (int s = b.firstFrame(); s <= b.lastFrame(); s++) {
            if (s >= payloads.length || payloads[s] == null) {
                lost.add(s);
            } else {
                parts[s - b.firstFrame()] = payloads[s];
            }
        }
        if (!lost.isEmpty()) {
            problems.add("block " + b.index() + ": unreadable, frame(s) " + lost + " lost; "
                    + affected(entries));
            return problems;
        }
        byte[] raw;
        try {
            raw = BlockCodec.open(assemble(b, parts), b);
        } catch (IllegalArgumentException e) {
            problems.add("block " + b.index() + ": " + e.getMessage() + "; " + affected(entries));
            return problems;
        }
        // the block's own body table must agree with the manifest
        Map<Integer, Integer> tableLengthByOffset = new HashMap<>();
        try {
            int n = ByteSink.intBE(raw, 0);
            if (n != b.bodyCount()) {
                problems.add("block " + b.index() + ": holds " + n + " bodies, manifest says " + b.bodyCount());
            }
            long p = 4L + (long) BlockCodec.TABLE_ENTRY * n;
            for (int i = 0; i < n; i++) {
                int len = ByteSink.intBE(raw, 4 + BlockCodec.TABLE_ENTRY * i);
                tableLengthByOffset.put((int) p, len);
                p += len;
            }
            if (p != raw.length) {
                problems.add("block " + b.index() + ": body table does not add up to the block size");
            }
        } catch (RuntimeException e) {
            problems.add("block " + b.index() + ": body table unreadable");
        }
        for (SegmentManifest.Entry e : entries) {
            String id = quoted(e.memoryId());
            try {
                byte[] body = BlockCodec.body(raw, e.offset(), e.length());
                if (!Hashes.sha256Hex(body).equals(e.bodySha256())) {
                    problems.add("record " + id + ": body sha-256 mismatch (block " + b.index() + ")");
                    continue;
                }
                byte[] bson = RecordCodec.decode(body);
                if (!Hashes.sha256Hex(bson).equals(e.version())) {
                    problems.add("record " + id + ": version mismatch (block " + b.index() + ")");
                    continue;
                }
                Integer tableLength = tableLengthByOffset.get(e.offset());
                if (tableLength == null || tableLength != e.length()) {
                    problems.add("record " + id + ": block " + b.index() + " body table disagrees with manifest");
                    continue;
                }
                if (bson.length != e.bsonBytes() || ByteSink.intLE(bson, 0) != bson.length) {
                    problems.add("record " + id + ": BSON size mismatch");
                    continue;
                }
                verified[b.index()]++;
            } catch (IllegalArgumentException ex) {
                problems.add("record " + id + ": " + ex.getMessage() + " (block " + b.index() + ")");
            }
        }
        return problems;
    }

    private static String affected(List<SegmentManifest.Entry> entries) {
        StringBuilder sb = new StringBuilder().append(entries.size()).append(" record(s) affected");
        for (int i = 0; i < Math.min(3, entries.size()); i++) {
            sb.append(i == 0 ? ": " : ", ").append(quoted(entries.get(i).memoryId()));
        }
        return sb.append(entries.size() > 3 ? ", ..." : "").toString();
    }

    // ------------------------------------------------------------------------------------------------

    @Override
    public List<String> repairs() {
        return List.of(); // v1 has no parity
    }

    @Override
    public int framesDecoded() {
        return framesDecoded.get();
    }

    private VideoIn ffmpegVideo() throws SegmentFormatException {
        if (!(video instanceof FfmpegVideoIn)) {
            if (video != null) {
                video.close();
            }
            video = VideoIn.ffmpeg(videoFile, manifest.frameCount());
        }
        return video;
    }

    private VideoIn video() throws SegmentFormatException {
        if (video == null) {
            video = VideoIn.open(videoFile, manifest.frameCount());
        }
        return video;
    }

    private SegmentFormatException damaged(String what, Throwable cause) {
        return new SegmentFormatException("segment " + manifest.segmentId() + " (" + videoFile + "): " + what, cause);
    }

    private static String quoted(String s) {
        return SegmentManifest.quote(new StringBuilder(), s).toString();
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("segment reader closed: " + videoFile);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (video != null) {
                video.close();
                video = null;
            }
            pool.shutdownNow();
            blockCache.clear();
            frameCache.clear();
        }
    }
}
