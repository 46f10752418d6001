package io.coldframe.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a format-v2 segment from its video alone: the index at the start of the stream, blocks by seek,
 * lost or damaged frames rebuilt from their parity group. The sidecar, when given, only serves to check
 * the video file and to skip geometry detection.
 */
final class SegmentReaderV2 implements SegmentReader.Impl {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentReaderV2.class);
    private static final int SEEK_IF_AHEAD_BY = 8;
    private static final int CACHED_BLOCKS = 4;
    private static final int CACHED_FRAMES = 64;
    private static final int PROBE_FRAMES = 32;
    /**
     * Frames read (and queued for decoding) before their results are looked at: a whole default block (~125-170
     * frames), so the decoders never wait for the reading thread between batches.
     */
    private static final int READ_AHEAD_FRAMES = 256;

    private final Path videoFile;
    private final SegmentManifest sidecar;
    private final ExecutorService pool;
    private final QrCodec qr;
    private final FrameParity parity;
    private final int k;
    private final int m;
    private final int segmentHash;
    private final String codecName;
    private final LinkedHashMap<Integer, byte[]> dataCache = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<Integer, List<byte[]>> blockCache = new LinkedHashMap<>(16, 0.75f, true);
    private final List<String> repairs = new ArrayList<>();
    private final AtomicInteger framesDecoded = new AtomicInteger();
    private FrameLayout layout;
    private SegmentIndex index;
    private long[] blockOffset;
    private int[] firstBodyOfBlock;
    private SegmentManifest manifest;
    private VideoIn video;
    private boolean closed;

    private SegmentReaderV2(Path videoFile, SegmentManifest sidecar, int threads, VideoIn video, QrCodec qr,
            FrameV2.Parsed header) {
        this.videoFile = videoFile;
        this.sidecar = sidecar;
        this.pool = Workers.pool(threads);
        this.video = video;
        this.qr = qr;
        this.k = header.k();
        this.m = header.m();
        this.segmentHash = header.segmentHash();
        this.parity = new FrameParity(k, m);
        this.codecName = video.codecName();
        // until the index gives the stream length, every group counts as full (repairs learn a short
        // last group's size from its parity frames)
        this.layout = new FrameLayout(k, m, Integer.MAX_VALUE / 2);
        if (header.position() == 0) {
            dataCache.put(0, header.payload()); // the probe already decoded the first data frame
        }
    }

    static SegmentReaderV2 open(Path videoFile, SegmentManifest sidecar, int threads) throws IOException {
        VideoIn in = VideoIn.open(videoFile, sidecar == null ? 0 : sidecar.frameCount());
        try {
            SegmentReaderV2 r = probe(videoFile, sidecar, threads, in);
            r.readIndex();
            return r;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Finds geometry, parity layout and segment hash from the first frames that read cleanly. */
    private static SegmentReaderV2 probe(Path videoFile, SegmentManifest sidecar, int threads, VideoIn in)
            throws SegmentFormatException {
        QrCodec known = null;
        if (sidecar != null) {
            SegmentManifest.Video v = sidecar.video();
            known = QrCodec.of(v.maskPattern(), v.moduleSizePx(), v.quietZoneModules());
        }
        String firstProblem = "no frames";
        for (int i = 0; i < PROBE_FRAMES; i++) {
            VideoIn.Read r = in.next();
            if (r == null) {
                break;
            }
            if (r.image() == null) {
                firstProblem = "frame " + r.position() + ": " + r.error();
                continue;
            }
            QrCodec codec = known != null ? known : QrCodec.detect(r.image());
            QrCodec.Decoded d = codec == null ? null : codec.decode(r.image());
            if (d == null) {
                firstProblem = "frame " + r.position() + ": QR not decodable";
                continue;
            }
            if (d.bytes().length > 0 && (d.bytes()[0] & 0xff) == FrameHeader.MAGIC0) {
                throw new SegmentFormatException("segment video " + videoFile + " is format v1 and needs its manifest "
                        + SegmentManifest.pathBeside(videoFile) + ", which is missing");
            }
            try {
                FrameV2.Parsed h = FrameV2.parse(d.bytes());
                in.seek(0);
                return new SegmentReaderV2(videoFile, sidecar, threads, in, codec, h);
            } catch (IllegalArgumentException e) {
                firstProblem = "frame " + r.position() + ": " + e.getMessage();
            }
        }
        throw new SegmentFormatException("segment video " + videoFile + ": no readable coldframe frame among the first "
                + PROBE_FRAMES + " (" + firstProblem + ")");
    }

    private void readIndex() throws IOException {
        byte[] head = dataPayloads(0, 0)[0];
        int sectionLength;
        try {
            sectionLength = SegmentIndex.sectionLength(head);
        } catch (IllegalArgumentException e) {
            throw damaged(e.getMessage(), e);
        }
        byte[] section = assemble(dataPayloads(0, (sectionLength - 1) / FrameV2.PAYLOAD), 0, sectionLength);
        try {
            index = SegmentIndex.parse(section);
        } catch (IllegalArgumentException e) {
            throw damaged(e.getMessage(), e);
        }
        if (sidecar != null && !sidecar.segmentId().equals(index.segmentId())) {
            throw damaged("the video holds segment \"" + index.segmentId() + "\", its sidecar names \""
                    + sidecar.segmentId() + "\"", null);
        }
        if (FrameV2.segmentIdHash(index.segmentId()) != segmentHash) {
            throw damaged("index names segment \"" + index.segmentId() + "\", whose hash the frames do not carry", null);
        }
        int blocks = index.blocks().size();
        blockOffset = new long[blocks];
        firstBodyOfBlock = new int[blocks + 1];
        long pos = sectionLength;
        for (int b = 0; b < blocks; b++) {
            blockOffset[b] = pos;
            pos += index.blocks().get(b).compressedBytes();
            firstBodyOfBlock[b + 1] = firstBodyOfBlock[b] + index.blocks().get(b).bodyCount();
        }
        layout = FrameLayout.forStream(k, m, pos);
        if (video != null) {
            video.expect(layout.totalFrames()); // lets reads skip past container damage
        }
        manifest = buildManifest(pos, sectionLength);
    }

    private SegmentManifest buildManifest(long streamBytes, int sectionLength) throws IOException {
        List<SegmentManifest.Block> blocks = new ArrayList<>();
        long compressed = 0;
        for (int b = 0; b < index.blocks().size(); b++) {
            SegmentIndex.BlockInfo bi = index.blocks().get(b);
            long start = blockOffset[b];
            blocks.add(new SegmentManifest.Block(b, start, bi.compressedBytes(), bi.compressedBytes(), bi.rawBytes(),
                    bi.bodyCount(), layout.positionOfData((int) (start / FrameV2.PAYLOAD)),
                    layout.positionOfData((int) ((start + bi.compressedBytes() - 1) / FrameV2.PAYLOAD)),
                    Hashes.hex(bi.sha256())));
            compressed += bi.compressedBytes();
        }
        SegmentManifest.Video video;
        long bytes;
        String sha;
        if (sidecar != null) {
            video = sidecar.video();
            bytes = sidecar.videoBytes();
            sha = sidecar.videoSha256();
        } else {
            VideoCodec codec = codecOf(codecName);
            video = new SegmentManifest.Video(videoFile.getFileName().toString(), VideoOut.CONTAINER, codec,
                    codec.ffmpegName(), codec.pixelFormatName(), qr.side(), qr.side(), VideoOut.FRAME_RATE,
                    layout.totalFrames(), qr.moduleSize(), qr.quietZone(), QrCodec.QR_VERSION, QrCodec.EC_LEVEL,
                    qr.maskPattern(), FrameV2.SIZE, FrameV2.PAYLOAD);
            bytes = Files.size(videoFile);
            sha = Hashes.sha256Hex(videoFile);
        }
        byte[] section = assemble(dataPayloads(0, (sectionLength - 1) / FrameV2.PAYLOAD), 0, sectionLength);
        SegmentIndex.Totals t = index.totals();
        return new SegmentManifest(SegmentManifest.FORMAT_VERSION, index.segmentId(), String.format("%04x", segmentHash),
                video, bytes, sha, index.compressionName(), index.zstdLevel(), streamBytes, t.rawBytes(), t.uniqueRawBytes(),
                t.bodyBytes(), compressed, index.bodyCount(), index.recordCount(), k, m,
                Hashes.hex(Arrays.copyOfRange(section, 12, 44)),
                () -> blocks, this::entries);
    }

    private static VideoCodec codecOf(String ffmpegName) {
        for (VideoCodec c : VideoCodec.values()) {
            if (c.ffmpegName().equals(ffmpegName)) {
                return c;
            }
        }
        return VideoCodec.PNG_MONO;
    }

    @Override
    public SegmentManifest manifest() {
        return manifest;
    }

    // ------------------------------------------------------------------------------------------------
    // records

    /** A record decoded from its block. */
    record Decoded(String memoryId, String version, byte[] bson, int block, int offset,
            int length, String bodySha256) {
    }

    @Override
    public synchronized Optional<SegmentRecord> get(String memoryId) throws IOException {
        ensureOpen();
        int fp = SegmentIndex.fingerprint(memoryId);
        int[] fps = index.fingerprints();
        for (int r = fps.length - 1; r >= 0; r--) { // the last version written wins
            if (fps[r] != fp) {
                continue;
            }
            String explicit = index.explicitIds().get(r);
            if (explicit != null && !explicit.equals(memoryId)) {
                continue;
            }
            Decoded d = decode(r);
            if (d.memoryId().equals(memoryId)) {
                return Optional.of(new SegmentRecord(d.memoryId(), d.version(), new RawBsonDocument(d.bson())));
            }
        }
        return Optional.empty();
    }

    @Override
    public Stream<SegmentRecord> records() throws IOException {
        ensureOpen();
        Set<String> seen = new HashSet<>();
        return IntStream.range(0, index.recordCount()).mapToObj(r -> {
            try {
                synchronized (this) {
                    return decode(r);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).filter(d -> seen.add(d.memoryId() + '\u0000' + d.version()))
                .map(d -> new SegmentRecord(d.memoryId(), d.version(), new RawBsonDocument(d.bson())));
    }

    @Override
    public synchronized List<SegmentRecord> block(int blockIndex) throws IOException {
        ensureOpen();
        if (blockIndex < 0 || blockIndex >= firstBodyOfBlock.length - 1) {
            throw damaged("there is no block " + blockIndex, null);
        }
        List<SegmentRecord> out = new ArrayList<>();
        for (int r = 0; r < index.recordCount(); r++) {
            if (blockOfBody(index.bodyOfRecord()[r]) == blockIndex) {
                Decoded d = decode(r);
                out.add(new SegmentRecord(d.memoryId(), d.version(), new RawBsonDocument(d.bson())));
            }
        }
        return out;
    }

    @Override
    public synchronized BlockRecords blockRecords(int blockIndex) throws IOException {
        ensureOpen();
        if (blockIndex < 0 || blockIndex >= firstBodyOfBlock.length - 1) {
            throw damaged("there is no block " + blockIndex, null);
        }
        List<byte[]> bodies = blockBodies(blockIndex);
        List<Integer> inBlock = new ArrayList<>();
        for (int r = 0; r < index.recordCount(); r++) {
            if (blockOfBody(index.bodyOfRecord()[r]) == blockIndex) {
                inBlock.add(r);
            }
        }
        return new LazyBlock(blockIndex, bodies, inBlock.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A block's bodies and which of the segment's records they hold; records decode on demand. */
    private final class LazyBlock implements BlockRecords {
        private final int block;
        private final List<byte[]> bodies;
        private final int[] records;
        private final long bytes;

        LazyBlock(int block, List<byte[]> bodies, int[] records) {
            this.block = block;
            this.bodies = bodies;
            this.records = records;
            this.bytes = bodies.stream().mapToLong(b -> b.length).sum();
        }

        @Override
        public Optional<SegmentRecord> get(String memoryId) throws IOException {
            int fp = SegmentIndex.fingerprint(memoryId);
            for (int i = records.length - 1; i >= 0; i--) { // the last version written wins
                int r = records[i];
                String explicit = index.explicitIds().get(r);
                if (index.fingerprints()[r] != fp || explicit != null && !explicit.equals(memoryId)) {
                    continue;
                }
                Decoded d;
                try {
                    d = decodeRecord(r, bodies, index.bodyOfRecord()[r] - firstBodyOfBlock[block], block);
                } catch (IllegalArgumentException e) {
                    throw damaged("record #" + r + " (block " + block + "): " + e.getMessage(), e);
                }
                if (d.memoryId().equals(memoryId)) {
                    return Optional.of(new SegmentRecord(d.memoryId(), d.version(), new RawBsonDocument(d.bson())));
                }
            }
            return Optional.empty();
        }

        @Override
        public long bytes() {
            return bytes;
        }
    }

    private List<SegmentManifest.Entry> entries() throws IOException {
        List<SegmentManifest.Entry> out = new ArrayList<>(index.recordCount());
        synchronized (this) {
            ensureOpen();
            for (int r = 0; r < index.recordCount(); r++) {
                Decoded d = decode(r);
                out.add(new SegmentManifest.Entry(d.memoryId(), d.version(), d.block(), d.offset(), d.length(),
                        d.bson().length, d.bodySha256()));
            }
        }
        return out;
    }

    private int blockOfBody(int body) {
        int b = Arrays.binarySearch(firstBodyOfBlock, body);
        b = b >= 0 ? b : -b - 2;
        while (b + 1 < firstBodyOfBlock.length - 1 && firstBodyOfBlock[b + 1] == body) {
            b++; // skip empty blocks (none are written, but the index could say so)
        }
        return b;
    }

    private Decoded decode(int r) throws IOException {
        int body = index.bodyOfRecord()[r];
        int b = blockOfBody(body);
        List<byte[]> bodies = blockBodies(b);
        try {
            return decodeRecord(r, bodies, body - firstBodyOfBlock[b], b);
        } catch (IllegalArgumentException e) {
            throw damaged("record #" + r + " (block " + b + "): " + e.getMessage(), e);
        }
    }

    Decoded decodeRecord(int r, List<byte[]> bodies, int within, int b) {
        byte[] bodyBytes = bodies.get(within);
        byte[] bson = RecordCodec.decode(bodyBytes);
        if (bson.length < 5 || ByteSink.intLE(bson, 0) != bson.length) {
            throw new IllegalArgumentException("BSON size mismatch");
        }
        String id = index.explicitIds().get(r);
        if (id == null) {
            id = MemoryIds.derive(bson);
            if (id == null) {
                throw new IllegalArgumentException("document has no _id and the index names no memory id");
            }
        }
        return new Decoded(id, Hashes.sha256Hex(bson), bson, b, within, bodyBytes.length, Hashes.sha256Hex(bodyBytes));
    }

    /** The bodies of a block, decoding only its frames; small LRU cache. */
    private List<byte[]> blockBodies(int b) throws IOException {
        List<byte[]> cached = blockCache.get(b);
        if (cached != null) {
            return cached;
        }
        SegmentIndex.BlockInfo info = index.blocks().get(b);
        long start = blockOffset[b];
        int d0 = (int) (start / FrameV2.PAYLOAD);
        int d1 = (int) ((start + info.compressedBytes() - 1) / FrameV2.PAYLOAD);
        List<byte[]> bodies;
        try {
            byte[] raw = info.codec() == BlockCompression.ZSTD_BZIP2.id() && d1 - d0 > SEEK_IF_AHEAD_BY + 1
                    ? withTextAlongside(info, start, d0, d1) : null;
            if (raw == null) {
                raw = BlockCodecV2.open(assemble(dataPayloads(d0, d1), start - (long) d0 * FrameV2.PAYLOAD, info.compressedBytes()), info);
            }
            bodies = BlockCodecV2.bodies(raw, info.transform());
        } catch (IllegalArgumentException e) {
            throw damaged("block " + b + ": " + e.getMessage(), e);
        }
        if (bodies.size() != info.bodyCount()) {
            throw damaged("block " + b + ": holds " + bodies.size() + " bodies, the index says " + info.bodyCount(), null);
        }
        blockCache.put(b, bodies);
        if (blockCache.size() > CACHED_BLOCKS) {
            blockCache.remove(blockCache.keySet().iterator().next());
        }
        return bodies;
    }

    /**
     * A codec 2 block decoded with its text beside its head: the frames of the bzip2 stream are read first and decoded
     * on the pool while the head's frames are read, checked and decompressed, the two longest steps of a cold read side
     * by side. Nothing is returned before the whole block's SHA-256 checks out. Null when the block's first frame does
     * not say where the text starts, or the head is only a few frames (the caller then reads the block in order).
     */
    private byte[] withTextAlongside(SegmentIndex.BlockInfo info, long start, int d0, int d1) throws IOException {
        long skip = start - (long) d0 * FrameV2.PAYLOAD;
        byte[][] first = dataPayloads(d0, d0);
        int available = (int) Math.min(info.compressedBytes(), first[0].length - skip);
        byte[] prefix = assemble(first, skip, available);
        int textOffset;
        try {
            textOffset = BlockCompression.textStreamOffset(prefix, available, info.compressedBytes());
        } catch (IllegalArgumentException e) {
            return null;
        }
        long headBytes = BlockCompression.headBytes(prefix, available);
        int dt = (int) ((start + textOffset) / FrameV2.PAYLOAD);
        // a head of few frames is not worth it, and the demuxer would read through it to the text rather than seek,
        // decoding those frames twice
        if (headBytes < 1 || headBytes >= info.rawBytes() || dt - d0 - 1 <= SEEK_IF_AHEAD_BY) {
            return null;
        }
        byte[][] textFrames = dataPayloads(dt, d1);
        byte[] text = assemble(textFrames, start + textOffset - (long) dt * FrameV2.PAYLOAD, info.compressedBytes() - textOffset);
        byte[] raw = new byte[info.rawBytes()];
        // the two write disjoint parts of raw: the text from headBytes on, the zstd frame before it
        Future<?> textDecode = pool.submit(() -> BlockCompression.bunzip2Into(raw, (int) headBytes, text, 0, text.length));
        byte[][] headFrames = dataPayloads(d0 + 1, dt - 1);
        byte[][] frames = new byte[d1 - d0 + 1][];
        frames[0] = first[0];
        System.arraycopy(headFrames, 0, frames, 1, headFrames.length);
        System.arraycopy(textFrames, 0, frames, dt - d0, textFrames.length);
        byte[] comp = assemble(frames, skip, info.compressedBytes());
        BlockCodecV2.check(comp, info);
        int unzstd = BlockCompression.unzstdHead(raw, comp, textOffset);
        if (unzstd != headBytes) {
            throw new IllegalArgumentException("zstd frame holds " + unzstd + " bytes, its header " + headBytes);
        }
        Workers.join(textDecode);
        return raw;
    }

    /** {@code length} bytes starting {@code offset} bytes into the concatenated payloads. */
    private static byte[] assemble(byte[][] payloads, long offset, int length) {
        byte[] out = new byte[length];
        int filled = 0;
        long skip = offset;
        for (byte[] p : payloads) {
            if (filled == length) {
                break;
            }
            int from = (int) Math.min(skip, p.length);
            skip -= from;
            int n = Math.min(p.length - from, length - filled);
            System.arraycopy(p, from, out, filled, n);
            filled += n;
        }
        return filled == length ? out : Arrays.copyOf(out, filled);
    }

    // ------------------------------------------------------------------------------------------------
    // frames

    /** A frame decoded and checked, or why it is unusable; position is the header's if it decoded. */
    record FrameResult(int position, FrameV2.Parsed frame, String error) {
    }

    /** Payloads of data frames d0..d1, rebuilding lost ones from their parity group. */
    private byte[][] dataPayloads(int d0, int d1) throws IOException {
        byte[][] out = new byte[d1 - d0 + 1][];
        boolean all = true;
        for (int d = d0; d <= d1; d++) {
            out[d - d0] = dataCache.get(d);
            all &= out[d - d0] != null;
        }
        if (all) {
            return out;
        }
        int firstMissing = d0;
        while (out[firstMissing - d0] != null) {
            firstMissing++;
        }
        Map<Integer, FrameResult> read = readPositions(layout.positionOfData(firstMissing), layout.positionOfData(d1));
        for (int d = d0; d <= d1; d++) {
            if (out[d - d0] != null) {
                continue;
            }
            FrameResult fr = read.get(layout.positionOfData(d));
            if (fr != null && fr.frame() != null && !fr.frame().parity()) {
                out[d - d0] = fr.frame().payload();
                cacheData(d, out[d - d0]);
            } else {
                rebuildGroup(d / k, fr == null ? "missing from the video" : fr.error());
                out[d - d0] = dataCache.get(d);
            }
        }
        return out;
    }

    private void cacheData(int d, byte[] payload) {
        dataCache.put(d, payload);
        if (dataCache.size() > CACHED_FRAMES) {
            dataCache.remove(dataCache.keySet().iterator().next());
        }
    }

    /** Reads a whole parity group and rebuilds its lost data frames into the cache, or throws naming them. */
    private void rebuildGroup(int g, String why) throws IOException {
        int first = layout.firstPosition(g);
        Map<Integer, FrameResult> read = readPositions(first, first + k + m - 1);
        ParityGroup group = ParityGroup.of(layout, manifest != null, g, read);
        if (!group.rebuild(parity)) {
            throw damaged(group.unrepairable() + " (" + why + ")", null);
        }
        for (int s = 0; s < group.dataCount(); s++) {
            int d = layout.dataOfSlot(g, s);
            byte[] p = group.payloads()[s];
            cacheData(d, manifest != null ? trimmed(d, p) : p);
        }
        for (String note : group.repairs()) {
            repairs.add(note);
            LOG.warn("segment {} ({}): {}", manifest == null ? "?" : manifest.segmentId(), videoFile, note);
        }
    }

    /** A rebuilt payload is zero-padded to full length; the last data frame is shorter. */
    byte[] trimmed(int d, byte[] payload) {
        long len = Math.min(FrameV2.PAYLOAD, manifest.streamBytes() - (long) d * FrameV2.PAYLOAD);
        return payload.length == len ? payload : Arrays.copyOf(payload, (int) Math.max(0, len));
    }

    /**
     * Frames at video positions first..last by the position their header names (seeking when they lie
     * behind or far ahead); a frame that does not decode is listed by the position it was read at.
     */
    private Map<Integer, FrameResult> readPositions(int first, int last) throws IOException {
        Map<Integer, FrameResult> out = new HashMap<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            // a second look goes through FFmpeg, which may still decode a frame the direct reader refused
            VideoIn in = attempt == 0 ? video() : ffmpegVideo();
            int target = attempt == 0 ? first : Math.max(0, first - 16);
            if (attempt > 0 || in.position() > target || target - in.position() > SEEK_IF_AHEAD_BY) {
                in.seek(target);
            }
            boolean pastEnd = false;
            while (!pastEnd) {
                int batch = Math.max(1, Math.min(READ_AHEAD_FRAMES, last - in.position() + 1));
                // each frame's QR decode starts as soon as the demuxer hands it over, beside the next frame's read
                List<Future<FrameResult>> decodes = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    VideoIn.Read r = in.next();
                    if (r == null) {
                        pastEnd = true;
                        break;
                    }
                    decodes.add(pool.submit(() -> decodeFrame(r)));
                }
                for (Future<FrameResult> decode : decodes) {
                    FrameResult fr = Workers.join(decode);
                    int pos = fr.position();
                    if (pos >= first && pos <= last && (fr.frame() != null || !out.containsKey(pos))) {
                        out.put(pos, fr);
                    }
                    pastEnd |= pos > last;
                }
                // frames sit at or before their position (a dropped frame only pulls later ones forward); once all
                // are read, reading on would only decode frames nobody asked for (or, in a partial copy of a video
                // that holds just these frames, make the demuxer resync through missing bytes)
                pastEnd |= in.position() > last + 2 || complete(out, first, last);
            }
            if (complete(out, first, last)) {
                break;
            }
        }
        return out;
    }

    private static boolean complete(Map<Integer, FrameResult> read, int first, int last) {
        for (int p = first; p <= last; p++) {
            FrameResult fr = read.get(p);
            if (fr == null || fr.frame() == null) {
                return false;
            }
        }
        return true;
    }

    /** QR-decodes one frame and checks its header against this segment; never throws for bad data. */
    FrameResult decodeFrame(VideoIn.Read r) {
        if (r.pixels() == null) {
            return new FrameResult(r.position(), null, r.error());
        }
        framesDecoded.incrementAndGet();
        QrCodec.Decoded d = qr.decode(r.pixels());
        if (d == null) {
            return new FrameResult(r.position(), null, "QR not decodable");
        }
        FrameV2.Parsed h;
        try {
            h = FrameV2.parse(d.bytes());
        } catch (IllegalArgumentException e) {
            return new FrameResult(r.position(), null, e.getMessage());
        }
        if (h.segmentHash() != segmentHash) {
            return new FrameResult(r.position(), null, String.format(
                    "belongs to another segment (id hash %04x, expected %04x)", h.segmentHash(), segmentHash));
        }
        if (h.k() != k || h.m() != m) {
            return new FrameResult(r.position(), null, "parity layout " + h.k() + "+" + h.m() + ", expected " + k + "+" + m);
        }
        if (h.payload().length > FrameV2.PAYLOAD || (h.parity() && h.payload().length != FrameV2.PAYLOAD)) {
            return new FrameResult(r.position(), null, "payload of " + h.payload().length + " bytes");
        }
        return new FrameResult(h.position(), h, null);
    }

    // ------------------------------------------------------------------------------------------------
    // verify

    @Override
    public synchronized VerificationReport verify() {
        return new SegmentVerifierV2(this).run();
    }

    // package-private accessors for the verifier

    Path videoFile() {
        return videoFile;
    }

    SegmentManifest sidecar() {
        return sidecar;
    }

    ExecutorService pool() {
        return pool;
    }

    FrameLayout layout() {
        return layout;
    }

    SegmentIndex index() {
        return index;
    }

    long[] blockOffsets() {
        return blockOffset;
    }

    int[] firstBodyOfBlock() {
        return firstBodyOfBlock;
    }

    FrameParity parity() {
        return parity;
    }

    @Override
    public int framesDecoded() {
        return framesDecoded.get();
    }

    @Override
    public synchronized List<String> repairs() {
        return List.copyOf(repairs);
    }

    private VideoIn ffmpegVideo() throws SegmentFormatException {
        if (!(video instanceof FfmpegVideoIn)) {
            if (video != null) {
                video.close();
            }
            video = VideoIn.ffmpeg(videoFile, layout.totalFrames());
        }
        return video;
    }

    private VideoIn video() throws SegmentFormatException {
        if (video == null) {
            video = VideoIn.open(videoFile, layout.totalFrames());
        }
        return video;
    }

    private SegmentFormatException damaged(String what, Throwable cause) {
        String id = manifest != null ? manifest.segmentId() : index != null ? index.segmentId() : "?";
        return new SegmentFormatException("segment " + id + " (" + videoFile + "): " + what, cause);
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
            dataCache.clear();
        }
    }
}
