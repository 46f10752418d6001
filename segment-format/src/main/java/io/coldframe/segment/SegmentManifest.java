package io.coldframe.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.json.JsonParseException;

/**
 * What a segment holds and where. Format v1 keeps all of it in the JSON file beside the video
 * ({@code <segmentId>.manifest.json}); format v2 keeps it inside the video (its index) and writes only an
 * optional, small JSON sidecar with the segment's totals and the video file's size and SHA-256. For a v2
 * segment, {@link #blocks()} and {@link #entries()} come from the video: a manifest read from a sidecar
 * loads them from the video beside it on first use, and entries need every block decoded (use
 * {@link SegmentReader#get} to look up one id). Field by field description in docs/segment-format.md.
 */
public final class SegmentManifest {
    /** The format version this code writes. */
    public static final int FORMAT_VERSION = 2;
    /** Format versions this code reads. */
    public static final int V1 = 1;
    /** Value of the manifest's "format" field. */
    public static final String FORMAT_NAME = "coldframe-segment";

    /** One input record, in write order. Identical documents share block, offset and length. */
    public record Entry(String memoryId, String version, int blockIndex, int offset, int length, int bsonBytes,
            String bodySha256) {
    }

    /**
     * One zstd block: where its envelope lies in the frame stream, which frames carry it, its sizes and
     * the SHA-256 of its compressed bytes.
     */
    public record Block(int index, long streamOffset, int length, int compressedBytes, int rawBytes, int bodyCount,
            int firstFrame, int lastFrame, String sha256) {
    }

    /** How frames are drawn and stored. */
    public record Video(String file, String container, VideoCodec codec, String ffmpegCodec, String pixelFormat,
            int width, int height, int frameRate, int frameCount, int moduleSizePx, int quietZoneModules,
            int qrVersion, String ecLevel, int maskPattern, int frameHeaderBytes, int framePayloadBytes) {
    }

    private final int formatVersion;
    private final String segmentId;
    private final String segmentIdHash;
    private final Video video;
    private final long videoBytes;
    private final String videoSha256;
    private final String compression;
    private final int compressionLevel;
    private final long streamBytes;
    private final long rawBytes;
    private final long uniqueRawBytes;
    private final long bodyBytes;
    private final long compressedBytes;
    private final int uniqueRecordCount;
    private final int recordCount;
    private final int parityDataFrames;
    private final int parityFrames;
    private final String indexSha256;
    private final Supplier<List<Block>> blocks;
    private final Supplier<List<Entry>> entries;

    /** Loads part of a v2 manifest from the video; failures surface as {@link UncheckedIOException}. */
    interface Loader<T> {
        T load() throws IOException;
    }

    /** A v1 manifest: everything given. */
    SegmentManifest(int formatVersion, String segmentId, String segmentIdHash, Video video, long videoBytes,
            String videoSha256, String compression, int compressionLevel, long streamBytes, long rawBytes,
            long uniqueRawBytes, long bodyBytes, long compressedBytes, int uniqueRecordCount, List<Block> blocks,
            List<Entry> entries) {
        this(formatVersion, segmentId, segmentIdHash, video, videoBytes, videoSha256, compression, compressionLevel,
                streamBytes, rawBytes, uniqueRawBytes, bodyBytes, compressedBytes, uniqueRecordCount, entries.size(),
                0, 0, null, () -> blocks, () -> entries);
    }

    /** A v2 manifest; contents loaded at most once, on first use. */
    SegmentManifest(int formatVersion, String segmentId, String segmentIdHash, Video video, long videoBytes,
            String videoSha256, String compression, int compressionLevel, long streamBytes, long rawBytes,
            long uniqueRawBytes, long bodyBytes, long compressedBytes, int uniqueRecordCount, int recordCount,
            int parityDataFrames, int parityFrames, String indexSha256, Loader<List<Block>> blocks,
            Loader<List<Entry>> entries) {
        this.formatVersion = formatVersion;
        this.segmentId = Objects.requireNonNull(segmentId);
        this.segmentIdHash = segmentIdHash;
        this.video = video;
        this.videoBytes = videoBytes;
        this.videoSha256 = videoSha256;
        this.compression = compression;
        this.compressionLevel = compressionLevel;
        this.streamBytes = streamBytes;
        this.rawBytes = rawBytes;
        this.uniqueRawBytes = uniqueRawBytes;
        this.bodyBytes = bodyBytes;
        this.compressedBytes = compressedBytes;
        this.uniqueRecordCount = uniqueRecordCount;
        this.recordCount = recordCount;
        this.parityDataFrames = parityDataFrames;
        this.parityFrames = parityFrames;
        this.indexSha256 = indexSha256;
        this.blocks = memoize(blocks);
        this.entries = memoize(entries);
    }

    private static <T> Supplier<List<T>> memoize(Loader<List<T>> loader) {
        return new Supplier<>() {
            private List<T> value;

            @Override
            public synchronized List<T> get() {
                if (value == null) {
                    try {
                        value = Collections.unmodifiableList(new ArrayList<>(loader.load()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return value;
            }
        };
    }

    public String segmentId() {
        return segmentId;
    }

    public int formatVersion() {
        return formatVersion;
    }

    /** Lowercase hex of the first 4 bytes of SHA-256(UTF-8 segment id), as carried in every frame header. */
    public String segmentIdHash() {
        return segmentIdHash;
    }

    public Video video() {
        return video;
    }

    public String videoSha256() {
        return videoSha256;
    }

    public long videoBytes() {
        return videoBytes;
    }

    /** Sum of the BSON sizes of all entries (duplicates counted each time). */
    public long rawBytes() {
        return rawBytes;
    }

    /** Sum of the BSON sizes of the distinct documents actually stored. */
    public long uniqueRawBytes() {
        return uniqueRawBytes;
    }

    /** Sum of the stored record body sizes (after the packed-array transform, before compression). */
    public long bodyBytes() {
        return bodyBytes;
    }

    /** Sum of the blocks' compressed sizes. */
    public long compressedBytes() {
        return compressedBytes;
    }

    /** Length of the byte stream the frames carry (block envelopes back to back). */
    public long streamBytes() {
        return streamBytes;
    }

    public String compression() {
        return compression;
    }

    public int compressionLevel() {
        return compressionLevel;
    }

    public int frameCount() {
        return video.frameCount();
    }

    public int recordCount() {
        return recordCount;
    }

    /** Data frames per parity group (v2; 0 for v1, which has no parity). */
    public int parityDataFrames() {
        return parityDataFrames;
    }

    /** Parity frames per group (v2; 0 for v1). */
    public int parityFrames() {
        return parityFrames;
    }

    /** v2: SHA-256 of the compressed index, which lists every block's SHA-256 (null for v1). */
    public String indexSha256() {
        return indexSha256;
    }

    public int uniqueRecordCount() {
        return uniqueRecordCount;
    }

    /**
     * The blocks. For a v2 manifest read from a sidecar this opens the video beside it.
     *
     * @throws UncheckedIOException wrapping a SegmentFormatException if they cannot be loaded
     */
    public List<Block> blocks() {
        return blocks.get();
    }

    /**
     * One entry per record, in write order. For v2 segments this decodes every block of the video the
     * first time (versions and body positions are not stored, they are recomputed).
     *
     * @throws UncheckedIOException wrapping a SegmentFormatException if the video cannot be read
     */
    public List<Entry> entries() {
        return entries.get();
    }

    /** Manifest file name for a segment id. */
    public static String fileNameFor(String segmentId) {
        return segmentId + ".manifest.json";
    }

    /** The manifest lying beside a segment video: {@code x.mkv} -> {@code x.manifest.json}. */
    public static Path pathBeside(Path videoFile) {
        String name = videoFile.getFileName().toString();
        String base = name.endsWith(".mkv") ? name.substring(0, name.length() - 4) : name;
        return videoFile.resolveSibling(fileNameFor(base));
    }

    public static SegmentManifest read(Path manifestFile) throws IOException {
        String json;
        try {
            json = Files.readString(manifestFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SegmentFormatException("segment manifest not found: " + manifestFile, e);
        }
        try {
            return fromJson(json, videoBeside(manifestFile));
        } catch (IllegalArgumentException e) {
            throw new SegmentFormatException("segment manifest " + manifestFile + ": " + e.getMessage(), e);
        }
    }

    /** Writes the manifest to a temporary file beside the target, then moves it into place. */
    void write(Path manifestFile) throws IOException {
        Path tmp = manifestFile.resolveSibling(manifestFile.getFileName() + ".tmp");
        Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
        Files.move(tmp, manifestFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The manifest as JSON: for v1 the whole manifest, for v2 the sidecar (no blocks or entries). */
    public String toJson() {
        boolean v1 = formatVersion == V1;
        StringBuilder sb = new StringBuilder(v1 ? 512 + entries().size() * 260 + blocks().size() * 200 : 1024);
        sb.append("{\n");
        field(sb, "  ", "format", FORMAT_NAME).append(",\n");
        field(sb, "  ", "formatVersion", formatVersion).append(",\n");
        field(sb, "  ", "segmentId", segmentId).append(",\n");
        field(sb, "  ", "segmentIdHash", segmentIdHash).append(",\n");
        sb.append("  \"video\": {\n");
        String in = "    ";
        field(sb, in, "file", video.file()).append(",\n");
        field(sb, in, "bytes", videoBytes).append(",\n");
        field(sb, in, "sha256", videoSha256).append(",\n");
        field(sb, in, "container", video.container()).append(",\n");
        field(sb, in, "codec", video.codec().name()).append(",\n");
        field(sb, in, "ffmpegCodec", video.ffmpegCodec()).append(",\n");
        field(sb, in, "pixelFormat", video.pixelFormat()).append(",\n");
        field(sb, in, "width", video.width()).append(",\n");
        field(sb, in, "height", video.height()).append(",\n");
        field(sb, in, "frameRate", video.frameRate()).append(",\n");
        field(sb, in, "frameCount", video.frameCount()).append(",\n");
        field(sb, in, "moduleSizePx", video.moduleSizePx()).append(",\n");
        field(sb, in, "quietZoneModules", video.quietZoneModules()).append(",\n");
        field(sb, in, "qrVersion", video.qrVersion()).append(",\n");
        field(sb, in, "ecLevel", video.ecLevel()).append(",\n");
        field(sb, in, "maskPattern", video.maskPattern()).append(",\n");
        field(sb, in, "frameHeaderBytes", video.frameHeaderBytes()).append(",\n");
        field(sb, in, "framePayloadBytes", video.framePayloadBytes()).append("\n");
        sb.append("  },\n");
        sb.append("  \"compression\": {");
        field(sb, "", "algorithm", compression).append(", ");
        field(sb, "", "level", compressionLevel).append("},\n");
        field(sb, "  ", "streamBytes", streamBytes).append(",\n");
        field(sb, "  ", "recordCount", recordCount).append(",\n");
        field(sb, "  ", "uniqueRecordCount", uniqueRecordCount).append(",\n");
        field(sb, "  ", "rawBytes", rawBytes).append(",\n");
        field(sb, "  ", "uniqueRawBytes", uniqueRawBytes).append(",\n");
        field(sb, "  ", "bodyBytes", bodyBytes).append(",\n");
        if (!v1) {
            field(sb, "  ", "compressedBytes", compressedBytes).append(",\n");
            sb.append("  \"parity\": {");
            field(sb, "", "dataFrames", parityDataFrames).append(", ");
            field(sb, "", "parityFrames", parityFrames).append("},\n");
            field(sb, "  ", "indexSha256", indexSha256).append("\n");
            return sb.append("}\n").toString();
        }
        List<Block> blocks = blocks();
        List<Entry> entries = entries();
        field(sb, "  ", "compressedBytes", compressedBytes).append(",\n");
        sb.append("  \"blocks\": [");
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            sb.append(i == 0 ? "\n    {" : ",\n    {");
            field(sb, "", "index", b.index()).append(", ");
            field(sb, "", "streamOffset", b.streamOffset()).append(", ");
            field(sb, "", "length", b.length()).append(", ");
            field(sb, "", "compressedBytes", b.compressedBytes()).append(", ");
            field(sb, "", "rawBytes", b.rawBytes()).append(", ");
            field(sb, "", "bodyCount", b.bodyCount()).append(", ");
            field(sb, "", "firstFrame", b.firstFrame()).append(", ");
            field(sb, "", "lastFrame", b.lastFrame()).append(", ");
            field(sb, "", "sha256", b.sha256()).append("}");
        }
        sb.append(blocks.isEmpty() ? "],\n" : "\n  ],\n");
        sb.append("  \"entries\": [");
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            sb.append(i == 0 ? "\n    {" : ",\n    {");
            field(sb, "", "memoryId", e.memoryId()).append(", ");
            field(sb, "", "version", e.version()).append(", ");
            field(sb, "", "block", e.blockIndex()).append(", ");
            field(sb, "", "offset", e.offset()).append(", ");
            field(sb, "", "length", e.length()).append(", ");
            field(sb, "", "bsonBytes", e.bsonBytes()).append(", ");
            field(sb, "", "bodySha256", e.bodySha256()).append("}");
        }
        sb.append(entries.isEmpty() ? "]\n" : "\n  ]\n");
        sb.append("}\n");
        return sb.toString();
    }

    private static StringBuilder field(StringBuilder sb, String indent, String name, long value) {
        return sb.append(indent).append('"').append(name).append("\": ").append(value);
    }

    private static StringBuilder field(StringBuilder sb, String indent, String name, String value) {
        sb.append(indent).append('"').append(name).append("\": ");
        return quote(sb, value);
    }

    static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)) {
                        // surrogates escaped too, so unpaired ones survive the UTF-8 file
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /**
     * Parses and checks a manifest. @throws IllegalArgumentException if it is not JSON, not a coldframe
     * segment manifest, of another format version, or inconsistent
     */
    public static SegmentManifest fromJson(String json) {
        return fromJson(json, null);
    }

    /** The video a sidecar lies beside: {@code x.manifest.json} -> {@code x.mkv} (renamed copies keep working). */
    private static Path videoBeside(Path manifestFile) {
        String name = manifestFile.getFileName().toString();
        String suffix = fileNameFor("");
        String base = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
        return manifestFile.resolveSibling(base + ".mkv");
    }

    /** As {@link #fromJson(String)}; a v2 manifest loads blocks and entries from {@code videoFile}. */
    private static SegmentManifest fromJson(String json, Path videoFile) {
        BsonDocument d;
        try {
            d = BsonDocument.parse(json);
        } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
        try {
            String format = d.getString("format").getValue();
            if (!FORMAT_NAME.equals(format)) {
                throw new IllegalArgumentException("not a coldframe segment manifest (format \"" + format + "\")");
            }
            int version = intOf(d, "formatVersion");
            if (version != V1 && version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unsupported segment format version " + version
                        + " (this reader supports versions " + V1 + " and " + FORMAT_VERSION + ")");
            }
            BsonDocument v = d.getDocument("video");
            VideoCodec codec;
            try {
                codec = VideoCodec.valueOf(v.getString("codec").getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown video codec " + v.getString("codec").getValue());
            }
            Video video = new Video(v.getString("file").getValue(), v.getString("container").getValue(), codec,
                    v.getString("ffmpegCodec").getValue(), v.getString("pixelFormat").getValue(), intOf(v, "width"),
                    intOf(v, "height"), intOf(v, "frameRate"), intOf(v, "frameCount"), intOf(v, "moduleSizePx"),
                    intOf(v, "quietZoneModules"), intOf(v, "qrVersion"), v.getString("ecLevel").getValue(),
                    intOf(v, "maskPattern"), intOf(v, "frameHeaderBytes"), intOf(v, "framePayloadBytes"));
            boolean v1 = version == V1;
            if (video.qrVersion() != QrCodec.QR_VERSION || !QrCodec.EC_LEVEL.equals(video.ecLevel())
                    || video.frameHeaderBytes() != (v1 ? FrameHeader.SIZE : FrameV2.SIZE)
                    || video.framePayloadBytes() != (v1 ? QrCodec.PAYLOAD_CAPACITY : FrameV2.PAYLOAD)) {
                throw new IllegalArgumentException("QR parameters differ from format version " + version);
            }
            BsonDocument c = d.getDocument("compression");
            if (!v1) {
                BsonDocument parity = d.getDocument("parity");
                String id = d.getString("segmentId").getValue();
                return new SegmentManifest(version, d.getString("segmentId").getValue(),
                        d.getString("segmentIdHash").getValue(), video, longOf(v, "bytes"),
                        v.getString("sha256").getValue(), c.getString("algorithm").getValue(), intOf(c, "level"),
                        longOf(d, "streamBytes"), longOf(d, "rawBytes"), longOf(d, "uniqueRawBytes"),
                        longOf(d, "bodyBytes"), longOf(d, "compressedBytes"), intOf(d, "uniqueRecordCount"),
                        intOf(d, "recordCount"), intOf(parity, "dataFrames"), intOf(parity, "parityFrames"),
                        d.getString("indexSha256").getValue(), () -> fromVideo(id, videoFile, false).blocks(),
                        () -> fromVideo(id, videoFile, true).entries());
            }
            List<Block> blocks = new ArrayList<>();
            for (BsonValue bv : d.getArray("blocks")) {
                BsonDocument b = bv.asDocument();
                blocks.add(new Block(intOf(b, "index"), longOf(b, "streamOffset"), intOf(b, "length"),
                        intOf(b, "compressedBytes"), intOf(b, "rawBytes"), intOf(b, "bodyCount"),
                        intOf(b, "firstFrame"), intOf(b, "lastFrame"), b.getString("sha256").getValue()));
            }
            for (int i = 0; i < blocks.size(); i++) {
                if (blocks.get(i).index() != i) {
                    throw new IllegalArgumentException("block " + i + " listed with index " + blocks.get(i).index());
                }
            }
            BsonArray ea = d.getArray("entries");
            List<Entry> entries = new ArrayList<>(ea.size());
            for (BsonValue ev : ea) {
                BsonDocument e = ev.asDocument();
                Entry entry = new Entry(e.getString("memoryId").getValue(), e.getString("version").getValue(),
                        intOf(e, "block"), intOf(e, "offset"), intOf(e, "length"), intOf(e, "bsonBytes"),
                        e.getString("bodySha256").getValue());
                if (entry.blockIndex() < 0 || entry.blockIndex() >= blocks.size()) {
                    throw new IllegalArgumentException("entry \"" + entry.memoryId() + "\" names missing block "
                            + entry.blockIndex());
                }
                entries.add(entry);
            }
            return new SegmentManifest(version, d.getString("segmentId").getValue(),
                    d.getString("segmentIdHash").getValue(), video, longOf(v, "bytes"), v.getString("sha256").getValue(),
                    c.getString("algorithm").getValue(), intOf(c, "level"), longOf(d, "streamBytes"),
                    longOf(d, "rawBytes"), longOf(d, "uniqueRawBytes"), longOf(d, "bodyBytes"),
                    longOf(d, "compressedBytes"), intOf(d, "uniqueRecordCount"), blocks, entries);
        } catch (org.bson.BsonInvalidOperationException | ClassCastException e) {
            throw new IllegalArgumentException("missing or mistyped field: " + e.getMessage(), e);
        }
    }

    /** The manifest a reader of the video builds; entries (which decode every block) only if asked for. */
    private static SegmentManifest fromVideo(String segmentId, Path videoFile, boolean withEntries) throws IOException {
        if (videoFile == null) {
            throw new SegmentFormatException("segment " + segmentId + ": a v2 manifest holds no blocks or entries; "
                    + "they are in the video");
        }
        try (SegmentReader r = SegmentReader.open(videoFile)) {
            SegmentManifest m = r.manifest();
            m.blocks();
            if (withEntries) {
                m.entries(); // while the reader is open
            }
            return m;
        }
    }

    private static int intOf(BsonDocument d, String key) {
        long v = longOf(d, key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("field " + key + " out of range: " + v);
        }
        return (int) v;
    }

    private static long longOf(BsonDocument d, String key) {
        BsonValue v = d.get(key);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("missing or non-numeric field \"" + key + "\"");
        }
        if (v.isDouble()) {
            throw new IllegalArgumentException("field \"" + key + "\" must be an integer");
        }
        return v.asNumber().longValue();
    }

    @Override
    public String toString() {
        return "SegmentManifest{" + segmentId + ", v" + formatVersion + ", " + recordCount + " records, "
                + video.frameCount() + " frames, " + videoBytes + " bytes}";
    }
}
