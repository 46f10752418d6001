package io.coldframe.cli.segment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;

import io.coldframe.segment.SegmentManifest;

/** A segment's manifest summarised for people ({@link #lines}) and for scripts ({@link #toJson}). */
final class SegmentSummary {

    private final Path video;
    private final Path manifestFile;
    private final SegmentManifest m;
    private final long videoOnDisk; // -1 if missing
    private final long manifestBytes;

    private SegmentSummary(Path video, Path manifestFile, SegmentManifest manifest, long videoOnDisk, long manifestBytes) {
        this.video = video;
        this.manifestFile = manifestFile;
        this.m = manifest;
        this.videoOnDisk = videoOnDisk;
        this.manifestBytes = manifestBytes;
    }

    /** Reads the manifest beside the video; the video itself need not exist. */
    static SegmentSummary of(Path video) throws IOException {
        Path manifestFile = SegmentPaths.manifestOf(video);
        SegmentManifest manifest = SegmentManifest.read(manifestFile);
        long onDisk = Files.isRegularFile(video) ? Files.size(video) : -1;
        return new SegmentSummary(video, manifestFile, manifest, onDisk, Files.size(manifestFile));
    }

    static SegmentSummary of(Path video, SegmentManifest manifest) throws IOException {
        Path manifestFile = SegmentPaths.manifestOf(video);
        return new SegmentSummary(video, manifestFile, manifest, Files.size(video), Files.size(manifestFile));
    }

    SegmentManifest manifest() {
        return m;
    }

    long manifestBytes() {
        return manifestBytes;
    }

    /** Bytes stored for the segment: video plus manifest. */
    long storedBytes() {
        return m.videoBytes() + manifestBytes;
    }

    List<String> lines(boolean blocks, boolean entries) {
        List<String> out = new ArrayList<>();
        SegmentManifest.Video v = m.video();
        int n = Math.max(1, m.recordCount());
        out.add("segment " + m.segmentId() + " (format version " + m.formatVersion() + ")");
        String videoState = videoOnDisk < 0 ? "  [MISSING]"
                : videoOnDisk != m.videoBytes() ? String.format("  [%,d bytes on disk: truncated or replaced?]", videoOnDisk) : "";
        out.add(String.format("  video        %s: %,d bytes, sha256 %s%s", video, m.videoBytes(), m.videoSha256(), videoState));
        out.add(String.format("  manifest     %s: %,d bytes", manifestFile, manifestBytes));
        out.add(String.format("  frames       %,d frames of %dx%d px, %d fps; codec %s (%s, %s)", v.frameCount(), v.width(),
                v.height(), v.frameRate(), v.codec(), v.ffmpegCodec(), v.pixelFormat()));
        out.add(String.format("  qr           version %d-%s, %d px modules, quiet zone %d modules, mask %d; %d-byte frame header + "
                + "%,d-byte payload", v.qrVersion(), v.ecLevel(), v.moduleSizePx(), v.quietZoneModules(), v.maskPattern(),
                v.frameHeaderBytes(), v.framePayloadBytes()));
        out.add(String.format("  compression  %s level %d, %,d block(s)", m.compression(), m.compressionLevel(), m.blocks().size()));
        out.add(String.format("  records      %,d entries, %,d unique documents", m.recordCount(), m.uniqueRecordCount()));
        out.add(String.format("  sizes        BSON %,d B; record bodies %,d B; compressed %,d B; frame stream %,d B; "
                + "video %,d B; manifest %,d B", m.rawBytes(), m.bodyBytes(), m.compressedBytes(), m.streamBytes(),
                m.videoBytes(), manifestBytes));
        out.add(String.format("  ratio        BSON / stored (video + manifest) %.2fx; BSON / compressed %.2fx; video / stream %.2fx; "
                + "per record: %,d B BSON, %,d B video, %,d B manifest", ratio(m.rawBytes(), storedBytes()),
                ratio(m.uniqueRawBytes(), m.compressedBytes()), ratio(m.videoBytes(), m.streamBytes()),
                m.rawBytes() / n, m.videoBytes() / n, manifestBytes / n));
        if (blocks) {
            for (SegmentManifest.Block b : m.blocks()) {
                out.add(String.format("  block %-6d frames %d-%d, %,d bodies, raw %,d B -> %,d B (%.2fx), sha256 %s", b.index(),
                        b.firstFrame(), b.lastFrame(), b.bodyCount(), b.rawBytes(), b.compressedBytes(),
                        ratio(b.rawBytes(), b.compressedBytes()), b.sha256()));
            }
        }
        if (entries) {
            for (SegmentManifest.Entry e : m.entries()) {
                out.add(String.format("  entry  %s  version %s  block %d  %,d B BSON", e.memoryId(), e.version(), e.blockIndex(),
                        e.bsonBytes()));
            }
        }
        return out;
    }

    BsonDocument toJson(boolean entries) {
        SegmentManifest.Video v = m.video();
        BsonDocument d = new BsonDocument("segmentId", new BsonString(m.segmentId()))
                .append("formatVersion", new BsonInt32(m.formatVersion()))
                .append("video", new BsonString(video.toString()))
                .append("videoPresent", BsonBoolean.valueOf(videoOnDisk >= 0))
                .append("videoBytes", new BsonInt64(m.videoBytes()))
                .append("videoBytesOnDisk", new BsonInt64(videoOnDisk))
                .append("manifestBytes", new BsonInt64(manifestBytes))
                .append("storedBytes", new BsonInt64(storedBytes()))
                .append("codec", new BsonString(v.codec().name()))
                .append("width", new BsonInt32(v.width()))
                .append("height", new BsonInt32(v.height()))
                .append("frames", new BsonInt32(v.frameCount()))
                .append("moduleSizePx", new BsonInt32(v.moduleSizePx()))
                .append("quietZoneModules", new BsonInt32(v.quietZoneModules()))
                .append("compression", new BsonString(m.compression()))
                .append("compressionLevel", new BsonInt32(m.compressionLevel()))
                .append("blocks", new BsonInt32(m.blocks().size()))
                .append("records", new BsonInt32(m.recordCount()))
                .append("uniqueRecords", new BsonInt32(m.uniqueRecordCount()))
                .append("bsonBytes", new BsonInt64(m.rawBytes()))
                .append("bodyBytes", new BsonInt64(m.bodyBytes()))
                .append("compressedBytes", new BsonInt64(m.compressedBytes()))
                .append("streamBytes", new BsonInt64(m.streamBytes()))
                .append("bsonPerStoredByte", new BsonDouble(round(ratio(m.rawBytes(), storedBytes()))))
                .append("videoPerStreamByte", new BsonDouble(round(ratio(m.videoBytes(), m.streamBytes()))));
        if (entries) {
            BsonArray list = new BsonArray();
            for (SegmentManifest.Entry e : m.entries()) {
                list.add(new BsonDocument("memoryId", new BsonString(e.memoryId())).append("version", new BsonString(e.version()))
                        .append("block", new BsonInt32(e.blockIndex())).append("bsonBytes", new BsonInt32(e.bsonBytes())));
            }
            d.append("entries", list);
        }
        return d;
    }

    static double ratio(long a, long b) {
        return b == 0 ? 0 : a / (double) b;
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
