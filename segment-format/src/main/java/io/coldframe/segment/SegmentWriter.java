package io.coldframe.segment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a segment: records -> bodies (packed arrays) -> deduplicated -> zstd blocks -> frame stream ->
 * QR frames -> MKV, plus the manifest. The video is written to a temporary file and moved into place,
 * then the manifest; a manifest therefore only exists beside a complete video.
 */
public final class SegmentWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentWriter.class);
    private static final Pattern SEGMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private final SegmentOptions options;

    public SegmentWriter(SegmentOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A record after BSON encoding and the body transform. */
    private record Prepared(String version, int bsonBytes, byte[] body, String bodySha256) {
    }

    /** Writes {@code <dir>/<segmentId>.mkv} and {@code <dir>/<segmentId>.manifest.json}; returns the manifest. */
    public SegmentManifest write(String segmentId, List<SegmentRecord> records, Path dir) throws IOException {
        Objects.requireNonNull(segmentId, "segmentId");
        Objects.requireNonNull(records, "records");
        if (!SEGMENT_ID.matcher(segmentId).matches()) {
            throw new IllegalArgumentException("segment id must match " + SEGMENT_ID + " (it names files): " + segmentId);
        }
        Files.createDirectories(dir);
        Path videoFile = dir.resolve(segmentId + ".mkv");
        Path manifestFile = dir.resolve(SegmentManifest.fileNameFor(segmentId));
        long t0 = System.nanoTime();
        ExecutorService pool = Workers.pool(options.threads());
        try {
            // 1. BSON bytes, version check, body transform (parallel)
            List<Prepared> prepared = Workers.map(pool, options.threads(), records.size(), i -> prepare(records.get(i)));

            // 2. dedup by version (identical BSON bytes <=> identical body) and cut blocks
            Map<String, int[]> placeByVersion = new HashMap<>(); // version -> {block, index within block}
            List<List<Prepared>> blockBodies = new ArrayList<>();
            List<Prepared> current = new ArrayList<>();
            long currentSize = 4;
            long uniqueRaw = 0;
            long bodyBytes = 0;
            for (int i = 0; i < prepared.size(); i++) {
                Prepared p = prepared.get(i);
                if (placeByVersion.containsKey(p.version())) {
                    continue; // stored once; the entry will point at the first copy
                }
                long add = BlockCodec.TABLE_ENTRY + p.body().length;
                if (!current.isEmpty() && currentSize + add > options.blockTargetBytes()) {
                    blockBodies.add(current);
                    current = new ArrayList<>();
                    currentSize = 4;
                }
                current.add(p);
                currentSize += add;
                placeByVersion.put(p.version(), new int[] {blockBodies.size(), current.size() - 1});
                uniqueRaw += p.bsonBytes();
                bodyBytes += p.body().length;
            }
            if (!current.isEmpty()) {
                blockBodies.add(current);
            }

            // 3. raw blocks + compression (parallel)
            int blockCount = blockBodies.size();
            int[][] offsets = new int[blockCount][];
            List<byte[]> envelopes = Workers.map(pool, options.threads(), blockCount, b -> {
                List<Prepared> bodies = blockBodies.get(b);
                offsets[b] = new int[bodies.size()];
                List<byte[]> list = new ArrayList<>(bodies.size());
                for (Prepared p : bodies) {
                    list.add(p.body());
                }
                byte[] raw = BlockCodec.raw(list, offsets[b]);
                byte[] comp = BlockCodec.compress(raw, options.zstdLevel());
                return BlockCodec.envelope(b, comp, raw.length, Hashes.sha256(comp));
            });

            // 4. frame stream layout
            long streamLen = 0;
            for (byte[] e : envelopes) {
                streamLen += e.length;
            }
            if (streamLen > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("segment too large (" + streamLen + " compressed bytes); split it");
            }
            byte[] stream = new byte[(int) streamLen];
            int cap = QrCodec.PAYLOAD_CAPACITY;
            List<SegmentManifest.Block> blocks = new ArrayList<>(blockCount);
            long compressedTotal = 0;
            int pos = 0;
            for (int b = 0; b < blockCount; b++) {
                byte[] e = envelopes.get(b);
                System.arraycopy(e, 0, stream, pos, e.length);
                int compLen = e.length - BlockCodec.ENVELOPE_HEADER;
                compressedTotal += compLen;
                blocks.add(new SegmentManifest.Block(b, pos, e.length, compLen, ByteSink.intBE(e, 12),
                        blockBodies.get(b).size(), pos / cap, (pos + e.length - 1) / cap,
                        Hashes.sha256Hex(e, BlockCodec.ENVELOPE_HEADER, compLen)));
                pos += e.length;
            }
            envelopes.clear();
            int frameCount = Math.max(1, (int) ((streamLen + cap - 1) / cap));

            // 5. entries in write order
            List<SegmentManifest.Entry> entries = new ArrayList<>(records.size());
            long rawTotal = 0;
            for (int i = 0; i < prepared.size(); i++) {
                Prepared p = prepared.get(i);
                int[] place = placeByVersion.get(p.version());
                entries.add(new SegmentManifest.Entry(records.get(i).memoryId(), p.version(), place[0],
                        offsets[place[0]][place[1]], p.body().length, p.bsonBytes(), p.bodySha256()));
                rawTotal += p.bsonBytes();
            }

            // 6. video
            QrCodec qr = new QrCodec(options.maskPattern(), options.moduleSizePx(), options.quietZoneModules());
            Path tmp = dir.resolve(segmentId + ".mkv.tmp");
            try {
                writeVideo(tmp, segmentId, stream, frameCount, qr, pool);
                long videoBytes = Files.size(tmp);
                String videoSha = Hashes.sha256Hex(tmp);
                // an older manifest must never sit beside the new video, even if we crash right here
                Files.deleteIfExists(manifestFile);
                Files.move(tmp, videoFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                VideoCodec codec = options.codec();
                SegmentManifest.Video video = new SegmentManifest.Video(videoFile.getFileName().toString(),
                        VideoOut.CONTAINER, codec, codec.ffmpegName(), codec.pixelFormatName(), qr.side(), qr.side(),
                        VideoOut.FRAME_RATE, frameCount, options.moduleSizePx(), options.quietZoneModules(),
                        QrCodec.QR_VERSION, QrCodec.EC_LEVEL, options.maskPattern(), FrameHeader.SIZE, cap);
                SegmentManifest manifest = new SegmentManifest(SegmentManifest.FORMAT_VERSION, segmentId,
                        String.format("%08x", FrameHeader.segmentIdHash(segmentId)), video, videoBytes, videoSha,
                        "zstd", options.zstdLevel(), streamLen, rawTotal, uniqueRaw, bodyBytes, compressedTotal,
                        placeByVersion.size(), blocks, entries);
                manifest.write(manifestFile);
                LOG.debug("segment {}: {} records ({} unique), {} blocks, {} frames, {} -> {} bytes in {} ms", segmentId,
                        records.size(), placeByVersion.size(), blockCount, frameCount, rawTotal, videoBytes,
                        (System.nanoTime() - t0) / 1_000_000);
                return manifest;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Prepared prepare(SegmentRecord r) {
        byte[] bson = BsonBytes.of(r.document());
        String version = Hashes.sha256Hex(bson);
        if (!version.equals(r.version())) {
            throw new IllegalArgumentException("record \"" + r.memoryId() + "\": version " + r.version()
                    + " does not match its document (SHA-256 of its BSON is " + version + ")");
        }
        byte[] body = RecordCodec.encode(bson);
        return new Prepared(version, bson.length, body, Hashes.sha256Hex(body));
    }

    /** QR-encodes frames on the pool (a sliding window keeps memory flat) and records them in order. */
    private void writeVideo(Path file, String segmentId, byte[] stream, int frameCount, QrCodec qr,
            ExecutorService pool) throws IOException {
        int segHash = FrameHeader.segmentIdHash(segmentId);
        int cap = QrCodec.PAYLOAD_CAPACITY;
        boolean oneBit = options.codec().oneBit();
        int window = options.threads() * 8;
        try (VideoOut out = new VideoOut(file, options.codec(), qr.side(), segmentId)) {
            ArrayDeque<Future<byte[]>> inflight = new ArrayDeque<>();
            int next = 0;
            for (int f = 0; f < frameCount; f++) {
                while (next < frameCount && next < f + window) {
                    int seq = next++;
                    inflight.add(pool.submit(() -> {
                        int off = seq * cap;
                        int len = Math.max(0, Math.min(cap, stream.length - off));
                        byte[] frame = FrameHeader.frame(segHash, seq, frameCount, stream, off, len);
                        byte[] modules = qr.encode(frame);
                        if (seq == 0 && !java.util.Arrays.equals(modules, qr.encodeWithZxing(frame))) {
                            // cheap guard: the fast encoder must draw exactly zxing's symbol
                            throw new IllegalStateException("fast QR encoder disagrees with zxing on frame 0");
                        }
                        return oneBit ? qr.renderMonoBlack(modules) : qr.renderGray(modules);
                    }));
                }
                out.write(Workers.join(inflight.poll()));
            }
            out.finish();
        }
    }
}
