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
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a format-v2 segment: records -> bodies (packed arrays) -> deduplicated -> zstd blocks, behind
 * the index that describes them -> frame stream -> data frames in parity groups -> QR frames -> MKV.
 * Everything a reader needs is in the video; the JSON sidecar (optional, small) records the video file's
 * size and SHA-256 for callers that ship or check files. The video is written to a temporary file and moved
 * into place, then the sidecar.
 */
public final class SegmentWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentWriter.class);
    private static final Pattern SEGMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private final SegmentOptions options;

    public SegmentWriter(SegmentOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A record after BSON encoding and the body transform. */
    private record Prepared(String memoryId, String version, int bsonBytes, byte[] body, String bodySha256,
            boolean idDerivable) {
    }

    /**
     * Writes {@code <dir>/<segmentId>.mkv} (and, unless turned off, the sidecar
     * {@code <dir>/<segmentId>.manifest.json}); returns the manifest, with blocks and entries.
     */
    public SegmentManifest write(String segmentId, List<SegmentRecord> records, Path dir) throws IOException {
        Objects.requireNonNull(segmentId, "segmentId");
        Objects.requireNonNull(records, "records");
        if (!SEGMENT_ID.matcher(segmentId).matches()) {
            throw new IllegalArgumentException("segment id must match " + SEGMENT_ID + " (it names files): " + segmentId);
        }
        Files.createDirectories(dir);
        Path videoFile = dir.resolve(segmentId + ".mkv");
        Path sidecarFile = dir.resolve(SegmentManifest.fileNameFor(segmentId));
        long t0 = System.nanoTime();
        ExecutorService pool = Workers.pool(options.threads());
        try {
            // 1. BSON bytes, version check, body transform (parallel)
            List<Prepared> prepared = Workers.map(pool, options.threads(), records.size(), i -> prepare(records.get(i)));

            // 2. dedup by version (identical BSON bytes <=> identical body) and cut blocks
            Map<String, Integer> bodyByVersion = new HashMap<>();
            int[] bodyOfRecord = new int[prepared.size()];
            List<List<Prepared>> blockBodies = new ArrayList<>();
            List<Prepared> current = new ArrayList<>();
            long currentSize = 4;
            long uniqueRaw = 0;
            long bodyBytes = 0;
            long rawTotal = 0;
            for (int i = 0; i < prepared.size(); i++) {
                Prepared p = prepared.get(i);
                rawTotal += p.bsonBytes();
                Integer earlier = bodyByVersion.get(p.version());
                if (earlier != null) {
                    bodyOfRecord[i] = earlier; // stored once; the record points at the first copy
                    continue;
                }
                long add = BlockCodec.TABLE_ENTRY + p.body().length;
                if (!current.isEmpty() && currentSize + add > options.blockTargetBytes()) {
                    blockBodies.add(current);
                    current = new ArrayList<>();
                    currentSize = 4;
                }
                current.add(p);
                currentSize += add;
                bodyOfRecord[i] = bodyByVersion.size();
                bodyByVersion.put(p.version(), bodyOfRecord[i]);
                uniqueRaw += p.bsonBytes();
                bodyBytes += p.body().length;
            }
            if (!current.isEmpty()) {
                blockBodies.add(current);
            }

            // 3. raw blocks + compression (parallel)
            int blockCount = blockBodies.size();
            List<BlockCodecV2.Packed> packed = Workers.map(pool, options.threads(), blockCount, b -> {
                List<byte[]> list = new ArrayList<>(blockBodies.get(b).size());
                for (Prepared p : blockBodies.get(b)) {
                    list.add(p.body());
                }
                return BlockCodecV2.pack(list, options.blockCompression(), options.zstdLevel());
            });
            List<byte[]> compressed = new ArrayList<>(blockCount);
            List<SegmentIndex.BlockInfo> infos = new ArrayList<>(blockCount);
            for (int b = 0; b < blockCount; b++) {
                BlockCodecV2.Packed p = packed.get(b);
                compressed.add(p.compressed());
                infos.add(new SegmentIndex.BlockInfo(p.transform(), p.codec().id(), p.compressed().length, p.rawBytes(),
                        blockBodies.get(b).size(), Hashes.sha256(p.compressed())));
            }
            packed.clear();

            // 4. the index: fingerprints, repeats, ids a reader cannot derive
            int[] fingerprints = new int[prepared.size()];
            Map<Integer, String> explicitIds = new TreeMap<>();
            for (int i = 0; i < prepared.size(); i++) {
                fingerprints[i] = SegmentIndex.fingerprint(prepared.get(i).memoryId());
                if (!prepared.get(i).idDerivable()) {
                    explicitIds.put(i, prepared.get(i).memoryId());
                }
            }
            SegmentIndex index = new SegmentIndex(segmentId, compressionLevel(),
                    new SegmentIndex.Totals(rawTotal, uniqueRaw, bodyBytes), infos, fingerprints, bodyOfRecord,
                    explicitIds);
            byte[] section = index.section();

            // 5. the stream: index section, then the blocks back to back
            long streamLen = section.length;
            for (byte[] c : compressed) {
                streamLen += c.length;
            }
            if (streamLen > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("segment too large (" + streamLen + " compressed bytes); split it");
            }
            byte[] stream = new byte[(int) streamLen];
            System.arraycopy(section, 0, stream, 0, section.length);
            int pos = section.length;
            int k = options.parityGroupFrames() - options.parityFrames();
            int m = options.parityFrames();
            FrameLayout layout = FrameLayout.forStream(k, m, streamLen);
            List<SegmentManifest.Block> blocks = new ArrayList<>(blockCount);
            long compressedTotal = 0;
            for (int b = 0; b < blockCount; b++) {
                byte[] c = compressed.get(b);
                System.arraycopy(c, 0, stream, pos, c.length);
                compressedTotal += c.length;
                blocks.add(new SegmentManifest.Block(b, pos, c.length, c.length, infos.get(b).rawBytes(),
                        blockBodies.get(b).size(), layout.positionOfData(pos / FrameV2.PAYLOAD),
                        layout.positionOfData((pos + c.length - 1) / FrameV2.PAYLOAD), Hashes.hex(infos.get(b).sha256())));
                pos += c.length;
            }
            compressed.clear();

            // 6. entries in write order
            int[] firstBodyOfBlock = new int[blockCount + 1];
            for (int b = 0; b < blockCount; b++) {
                firstBodyOfBlock[b + 1] = firstBodyOfBlock[b] + blockBodies.get(b).size();
            }
            List<SegmentManifest.Entry> entries = new ArrayList<>(records.size());
            for (int i = 0; i < prepared.size(); i++) {
                Prepared p = prepared.get(i);
                int body = bodyOfRecord[i];
                int b = java.util.Arrays.binarySearch(firstBodyOfBlock, body);
                b = b >= 0 ? b : -b - 2;
                entries.add(new SegmentManifest.Entry(p.memoryId(), p.version(), b, body - firstBodyOfBlock[b],
                        p.body().length, p.bsonBytes(), p.bodySha256()));
            }

            // 7. video
            QrCodec qr = QrCodec.of(options.maskPattern(), options.moduleSizePx(), options.quietZoneModules());
            Path tmp = dir.resolve(segmentId + ".mkv.tmp");
            try {
                writeVideo(tmp, segmentId, stream, layout, qr, pool);
                long videoBytes = Files.size(tmp);
                String videoSha = Hashes.sha256Hex(tmp);
                // an older sidecar must never sit beside the new video, even if we crash right here
                Files.deleteIfExists(sidecarFile);
                Files.move(tmp, videoFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                VideoCodec codec = options.codec();
                SegmentManifest.Video video = new SegmentManifest.Video(videoFile.getFileName().toString(),
                        VideoOut.CONTAINER, codec, codec.ffmpegName(), codec.pixelFormatName(), qr.side(), qr.side(),
                        VideoOut.FRAME_RATE, layout.totalFrames(), options.moduleSizePx(), options.quietZoneModules(),
                        QrCodec.QR_VERSION, QrCodec.EC_LEVEL, options.maskPattern(), FrameV2.SIZE, FrameV2.PAYLOAD);
                SegmentManifest manifest = new SegmentManifest(SegmentManifest.FORMAT_VERSION, segmentId,
                        String.format("%04x", FrameV2.segmentIdHash(segmentId)), video, videoBytes, videoSha,
                        options.blockCompression().configName(), compressionLevel(), streamLen, rawTotal, uniqueRaw, bodyBytes, compressedTotal,
                        bodyByVersion.size(), records.size(), k, m, Hashes.hex(java.util.Arrays.copyOfRange(section, 12, 44)),
                        () -> blocks, () -> entries);
                if (options.writeSidecar()) {
                    manifest.write(sidecarFile);
                }
                LOG.debug("segment {}: {} records ({} unique), {} blocks, {} frames, {} -> {} bytes in {} ms", segmentId,
                        records.size(), bodyByVersion.size(), blockCount, layout.totalFrames(), rawTotal, videoBytes,
                        (System.nanoTime() - t0) / 1_000_000);
                return manifest;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The index's informative level: the zstd level, or the LZMA2 preset. */
    private int compressionLevel() {
        return options.blockCompression() == BlockCompression.LZMA2 ? BlockCompression.LZMA2_PRESET : options.zstdLevel();
    }

    private static Prepared prepare(SegmentRecord r) {
        byte[] bson = BsonBytes.of(r.document());
        String version = Hashes.sha256Hex(bson);
        if (!version.equals(r.version())) {
            throw new IllegalArgumentException("record \"" + r.memoryId() + "\": version " + r.version()
                    + " does not match its document (SHA-256 of its BSON is " + version + ")");
        }
        byte[] body = RecordCodec.encode(bson);
        return new Prepared(r.memoryId(), version, bson.length, body, Hashes.sha256Hex(body),
                r.memoryId().equals(MemoryIds.derive(bson)));
    }

    /** Cuts the stream into data frames, adds each group's parity frames, QR-encodes on the pool in order. */
    private void writeVideo(Path file, String segmentId, byte[] stream, FrameLayout layout, QrCodec qr,
            ExecutorService pool) throws IOException {
        int segHash = FrameV2.segmentIdHash(segmentId);
        FrameParity parity = new FrameParity(layout.k(), layout.m());
        boolean oneBit = options.codec().oneBit();
        int window = options.threads() * 8;
        try (VideoOut out = new VideoOut(file, options.codec(), qr.side(), segmentId)) {
            ArrayDeque<Future<byte[]>> inflight = new ArrayDeque<>();
            for (int g = 0; g < layout.groups(); g++) {
                int data = layout.dataInGroup(g);
                byte[][] payloads = new byte[data][];
                for (int s = 0; s < data; s++) {
                    int off = layout.dataOfSlot(g, s) * FrameV2.PAYLOAD;
                    payloads[s] = java.util.Arrays.copyOfRange(stream, off, Math.min(stream.length, off + FrameV2.PAYLOAD));
                }
                byte[][] parityPayloads = parity.parity(payloads, FrameV2.PAYLOAD);
                for (int s = 0; s < data + layout.m(); s++) {
                    int position = layout.firstPosition(g) + s;
                    byte[] payload = s < data ? payloads[s] : parityPayloads[s - data];
                    int role = s < data ? 0 : 1 + s - data;
                    inflight.add(pool.submit(() -> {
                        byte[] frame = FrameV2.frame(role, segHash, position, layout.k(), layout.m(), payload, 0,
                                payload.length);
                        byte[] modules = qr.encode(frame);
                        if (position == 0 && !java.util.Arrays.equals(modules, qr.encodeWithZxing(frame))) {
                            // cheap guard: the fast encoder must draw exactly zxing's symbol
                            throw new IllegalStateException("fast QR encoder disagrees with zxing on frame 0");
                        }
                        return oneBit ? qr.renderMonoBlack(modules) : qr.renderGray(modules);
                    }));
                    while (inflight.size() >= window) {
                        out.write(Workers.join(inflight.poll()));
                    }
                }
            }
            while (!inflight.isEmpty()) {
                out.write(Workers.join(inflight.poll()));
            }
            out.finish();
        }
    }
}
