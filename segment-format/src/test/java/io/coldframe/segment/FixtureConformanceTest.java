package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.Result;
import com.google.zxing.ResultMetadataType;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.bson.BsonDocument;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed fixtures (v1 written once by the v1 writer, v2-basic (transform 1, zstd), v2-lzma2 (transform
 * 2, LZMA2) and v2-text (transform 3, zstd with a bzip2 text section) once each by {@link FixtureGenerator}) must keep
 * decoding to exactly the committed documents: through the API, and through independent readers written
 * from docs/segment-format.md alone (zxing's stock reader and Reed-Solomon codec, zstd, the byte layouts).
 * If this fails, a change broke old archives or the spec no longer describes the format.
 */
class FixtureConformanceTest {
    private static final String ID = "v1-basic";
    private static final String V2 = "v2-basic";
    private static final String V2_LZMA2 = "v2-lzma2";
    private static final String V2_TEXT = "v2-text";

    @TempDir
    static Path dir;
    static Path video;
    static List<BsonDocument> expected;

    @BeforeAll
    static void copyFixture() throws IOException, URISyntaxException {
        Path src = Path.of(FixtureConformanceTest.class.getResource("/fixtures/" + ID + ".mkv").toURI()).getParent();
        for (String f : List.of(ID + ".mkv", ID + ".manifest.json", ID + ".expected.jsonl", V2 + ".mkv",
                V2 + ".manifest.json", V2 + ".expected.jsonl", V2_LZMA2 + ".mkv", V2_LZMA2 + ".manifest.json",
                V2_LZMA2 + ".expected.jsonl", V2_TEXT + ".mkv", V2_TEXT + ".manifest.json", V2_TEXT + ".expected.jsonl")) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        video = dir.resolve(ID + ".mkv");
        expected = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(ID + ".expected.jsonl"), StandardCharsets.UTF_8)) {
            expected.add(BsonDocument.parse(line));
        }
        assertThat(expected).hasSize(11);
    }

    @Test
    void apiDecodesTheFixtureExactly() throws IOException {
        try (SegmentReader r = SegmentReader.open(video)) {
            SegmentManifest m = r.manifest();
            assertThat(m.formatVersion()).isEqualTo(1);
            assertThat(m.segmentId()).isEqualTo(ID);
            assertThat(m.frameCount()).isEqualTo(7);
            assertThat(m.blocks()).hasSize(8);
            assertThat(m.entries()).hasSize(11);

            VerificationReport report = r.verify();
            assertThat(report.problems()).isEmpty();
            assertThat(report.ok()).isTrue();
            assertThat(report.recordsVerified()).isEqualTo(11);

            List<SegmentRecord> all = r.records().toList();
            List<BsonDocument> distinct = distinctByIdAndVersion(expected);
            assertThat(all).hasSize(distinct.size());
            for (int i = 0; i < all.size(); i++) {
                assertRecord(all.get(i), distinct.get(i));
            }
            for (BsonDocument e : expected) {
                SegmentRecord got = r.get(e.getString("memoryId").getValue()).orElseThrow();
                assertThat(got.version()).isEqualTo(e.getString("version").getValue());
            }
        }
    }

    @Test
    void independentSpecReaderDecodesTheFixtureExactly() throws Exception {
        Map<String, byte[]> byVersion = SpecReader.read(video, dir.resolve(ID + ".manifest.json"));
        for (BsonDocument e : expected) {
            byte[] bson = byVersion.get(e.getString("version").getValue());
            assertThat(bson).as(e.getString("memoryId").getValue()).isNotNull();
            assertThat(bson).isEqualTo(BsonBytes.of(e.getDocument("document")));
        }
    }

    @Test
    void apiDecodesTheV2FixtureExactlyFromTheVideoAlone() throws IOException {
        List<BsonDocument> want = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(V2 + ".expected.jsonl"), StandardCharsets.UTF_8)) {
            want.add(BsonDocument.parse(line));
        }
        Path alone = Files.createDirectories(dir.resolve("alone")).resolve(V2 + ".mkv");
        Files.copy(dir.resolve(V2 + ".mkv"), alone);
        for (Path video : List.of(dir.resolve(V2 + ".mkv"), alone)) {
            try (SegmentReader r = SegmentReader.open(video)) {
                SegmentManifest m = r.manifest();
                assertThat(m.formatVersion()).isEqualTo(2);
                assertThat(m.segmentId()).isEqualTo(V2);
                assertThat(m.frameCount()).isEqualTo(11);
                assertThat(m.parityDataFrames()).isEqualTo(4);
                assertThat(m.parityFrames()).isEqualTo(2);
                VerificationReport report = r.verify();
                assertThat(report.problems()).isEmpty();
                assertThat(report.clean()).isTrue();
                assertThat(report.recordsVerified()).isEqualTo(11);
                List<SegmentRecord> all = r.records().toList();
                List<BsonDocument> distinct = distinctByIdAndVersion(want);
                assertThat(all).hasSize(distinct.size());
                for (int i = 0; i < all.size(); i++) {
                    assertRecord(all.get(i), distinct.get(i));
                }
                for (BsonDocument e : want) {
                    assertThat(r.get(e.getString("memoryId").getValue()).orElseThrow().version())
                            .isEqualTo(lastVersionOf(want, e.getString("memoryId").getValue()));
                }
            }
        }
    }

    @Test
    void independentSpecReaderDecodesTheV2FixtureExactly() throws Exception {
        List<BsonDocument> want = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(V2 + ".expected.jsonl"), StandardCharsets.UTF_8)) {
            want.add(BsonDocument.parse(line));
        }
        List<String[]> records = SpecReaderV2.read(dir.resolve(V2 + ".mkv"));
        assertThat(records).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            BsonDocument e = want.get(i);
            assertThat(records.get(i)[0]).isEqualTo(e.getString("memoryId").getValue());
            assertThat(records.get(i)[1]).isEqualTo(e.getString("version").getValue());
            assertThat(Hashes.unhex(records.get(i)[2])).isEqualTo(BsonBytes.of(e.getDocument("document")));
        }
    }

    @Test
    void independentSpecReaderDecodesASegmentWrittenWithTheDefaults() throws Exception {
        // the fixtures keep the old writer's 2-module quiet zone; today's default frames have none
        List<SegmentRecord> input = TestDocs.memories(7, 40);
        Path fresh = Files.createDirectories(dir.resolve("fresh"));
        new SegmentWriter(SegmentOptions.defaults()).write(V2, input, fresh); // the spec reader expects this id
        List<String[]> records = SpecReaderV2.read(fresh.resolve(V2 + ".mkv"));
        assertThat(records).hasSize(input.size());
        for (int i = 0; i < input.size(); i++) {
            assertThat(records.get(i)[0]).isEqualTo(input.get(i).memoryId());
            assertThat(records.get(i)[1]).isEqualTo(input.get(i).version());
            assertThat(Hashes.unhex(records.get(i)[2])).isEqualTo(BsonBytes.of(input.get(i).document()));
        }
    }

    @Test
    void theLzma2FixtureOfTransform2DecodesExactlyThroughApiAndSpecReader() throws Exception {
        assertFixtureDecodesExactly(V2_LZMA2, "lzma2");
    }

    @Test
    void theTextFixtureOfTransform3WithBzip2DecodesExactlyThroughApiAndSpecReader() throws Exception {
        assertFixtureDecodesExactly(V2_TEXT, "zstd-bzip2");
    }

    private static void assertFixtureDecodesExactly(String id, String compression) throws Exception {
        List<BsonDocument> want = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(id + ".expected.jsonl"), StandardCharsets.UTF_8)) {
            want.add(BsonDocument.parse(line));
        }
        Path alone = Files.createDirectories(dir.resolve("alone-" + id)).resolve(id + ".mkv");
        Files.copy(dir.resolve(id + ".mkv"), alone);
        try (SegmentReader r = SegmentReader.open(alone)) {
            assertThat(r.manifest().segmentId()).isEqualTo(id);
            assertThat(r.manifest().compression()).isEqualTo(compression);
            VerificationReport report = r.verify();
            assertThat(report.problems()).isEmpty();
            assertThat(report.clean()).isTrue();
            List<SegmentRecord> all = r.records().toList();
            List<BsonDocument> distinct = distinctByIdAndVersion(want);
            assertThat(all).hasSize(distinct.size());
            for (int i = 0; i < all.size(); i++) {
                assertRecord(all.get(i), distinct.get(i));
            }
        }
        List<String[]> records = SpecReaderV2.read(dir.resolve(id + ".mkv"));
        assertThat(records).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            assertThat(records.get(i)[0]).isEqualTo(want.get(i).getString("memoryId").getValue());
            assertThat(records.get(i)[1]).isEqualTo(want.get(i).getString("version").getValue());
            assertThat(Hashes.unhex(records.get(i)[2])).isEqualTo(BsonBytes.of(want.get(i).getDocument("document")));
        }
    }

    @Test
    void independentSpecReaderDecodesALzma2Segment() throws Exception {
        List<SegmentRecord> input = TestDocs.memories(11, 60);
        Path lzma = Files.createDirectories(dir.resolve("lzma2"));
        SegmentManifest m = new SegmentWriter(SegmentOptions.builder().blockCompression(BlockCompression.LZMA2)
                .blockTargetBytes(16 * 1024).build()).write(V2, input, lzma);
        assertThat(m.compression()).isEqualTo("lzma2");
        List<String[]> records = SpecReaderV2.read(lzma.resolve(V2 + ".mkv"));
        assertThat(records).hasSize(input.size());
        for (int i = 0; i < input.size(); i++) {
            assertThat(records.get(i)[0]).isEqualTo(input.get(i).memoryId());
            assertThat(Hashes.unhex(records.get(i)[2])).isEqualTo(BsonBytes.of(input.get(i).document()));
        }
        try (SegmentReader r = SegmentReader.open(lzma.resolve(V2 + ".mkv"))) {
            assertThat(r.manifest().compression()).isEqualTo("lzma2");
            assertThat(r.verify().clean()).isTrue();
            assertThat(r.records().toList()).hasSize(input.size());
        }
    }

    private static String lastVersionOf(List<BsonDocument> docs, String memoryId) {
        String v = null;
        for (BsonDocument d : docs) {
            if (d.getString("memoryId").getValue().equals(memoryId)) {
                v = d.getString("version").getValue();
            }
        }
        return v;
    }

    private static void assertRecord(SegmentRecord got, BsonDocument want) {
        assertThat(got.memoryId()).isEqualTo(want.getString("memoryId").getValue());
        assertThat(got.version()).isEqualTo(want.getString("version").getValue());
        byte[] wantBytes = BsonBytes.of(want.getDocument("document"));
        assertThat(BsonBytes.of(got.document())).isEqualTo(wantBytes);
        assertThat(Hashes.sha256Hex(wantBytes)).isEqualTo(got.version());
    }

    private static List<BsonDocument> distinctByIdAndVersion(List<BsonDocument> docs) {
        Set<String> seen = new HashSet<>();
        List<BsonDocument> out = new ArrayList<>();
        for (BsonDocument d : docs) {
            if (seen.add(d.getString("memoryId").getValue() + "\u0000" + d.getString("version").getValue())) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * A reader written from the spec only; it shares no code with the module except through the public
     * libraries. Returns original BSON bytes by their SHA-256 (hex), having checked frame CRCs and block hashes.
     */
    static final class SpecReader {
        static Map<String, byte[]> read(Path video, Path manifestFile) throws Exception {
            BsonDocument manifest = BsonDocument.parse(Files.readString(manifestFile));
            assertThat(manifest.getString("format").getValue()).isEqualTo("coldframe-segment");
            assertThat(manifest.getInt32("formatVersion").getValue()).isEqualTo(1);
            int frameCount = manifest.getDocument("video").getInt32("frameCount").getValue();
            byte[] idHash = Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(manifest.getString("segmentId").getValue().getBytes(StandardCharsets.UTF_8)), 4);

            // 1. frames -> payloads by sequence number
            TreeMap<Integer, byte[]> payloads = new TreeMap<>();
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            QRCodeReader qr = new QRCodeReader();
            try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile())) {
                g.setImageMode(org.bytedeco.javacv.FrameGrabber.ImageMode.GRAY);
                g.start();
                Frame f;
                while ((f = g.grabImage()) != null) {
                    ByteBuffer buf = (ByteBuffer) f.image[0];
                    byte[] gray = new byte[f.imageStride * f.imageHeight];
                    buf.duplicate().position(0).get(gray);
                    Result res = qr.decode(new BinaryBitmap(new HybridBinarizer(new PlanarYUVLuminanceSource(gray,
                            f.imageStride, f.imageHeight, 0, 0, f.imageWidth, f.imageHeight, false))),
                            Map.of(DecodeHintType.PURE_BARCODE, true, DecodeHintType.CHARACTER_SET, "ISO-8859-1"));
                    @SuppressWarnings("unchecked")
                    byte[] b = ((List<byte[]>) res.getResultMetadata().get(ResultMetadataType.BYTE_SEGMENTS)).get(0);
                    ByteBuffer h = ByteBuffer.wrap(b); // big-endian
                    assertThat(h.get() & 0xff).isEqualTo(0xC0);
                    assertThat(h.get() & 0xff).isEqualTo(0x1D);
                    assertThat(h.get()).isEqualTo((byte) 1);
                    int flags = h.get();
                    byte[] segHash = new byte[4];
                    h.get(segHash);
                    assertThat(segHash).isEqualTo(idHash);
                    int seq = h.getInt();
                    assertThat(h.getInt()).isEqualTo(frameCount);
                    int len = h.getShort() & 0xffff;
                    int crc = h.getInt();
                    assertThat(b.length).isEqualTo(22 + len);
                    CRC32 c = new CRC32();
                    c.update(b, 0, 18);
                    c.update(b, 22, len);
                    assertThat((int) c.getValue()).isEqualTo(crc);
                    assertThat((flags & 1) == 1).isEqualTo(seq == frameCount - 1);
                    payloads.put(seq, Arrays.copyOfRange(b, 22, b.length));
                }
            }
            assertThat(payloads.keySet()).hasSize(frameCount);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (byte[] p : payloads.values()) {
                stream.write(p);
            }

            // 2. stream -> block envelopes -> raw blocks -> bodies -> BSON
            Map<String, byte[]> out = new java.util.HashMap<>();
            ByteBuffer s = ByteBuffer.wrap(stream.toByteArray());
            int blockIndex = 0;
            while (s.hasRemaining()) {
                byte[] magic = new byte[4];
                s.get(magic);
                assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("CFBK");
                assertThat(s.getInt()).isEqualTo(blockIndex++);
                int compLen = s.getInt();
                int rawLen = s.getInt();
                byte[] sha = new byte[32];
                s.get(sha);
                byte[] comp = new byte[compLen];
                s.get(comp);
                assertThat(java.security.MessageDigest.getInstance("SHA-256").digest(comp)).isEqualTo(sha);
                ByteBuffer raw = ByteBuffer.wrap(Zstd.decompress(comp, rawLen));
                int n = raw.getInt();
                int[] lens = new int[n];
                for (int i = 0; i < n; i++) {
                    lens[i] = raw.getInt();
                }
                for (int i = 0; i < n; i++) {
                    byte[] body = new byte[lens[i]];
                    raw.get(body);
                    byte[] bson = unpack(body);
                    out.put(Hashes.hex(java.security.MessageDigest.getInstance("SHA-256").digest(bson)), bson);
                }
                assertThat(raw.hasRemaining()).isFalse();
            }
            assertThat(blockIndex).isEqualTo(manifest.getArray("blocks").size());
            return out;
        }

        /** Record body -> original BSON, per the spec's "Record body" section. */
        static byte[] unpack(byte[] body) {
            if (body[0] == 0) {
                return Arrays.copyOfRange(body, 1, body.length);
            }
            assertThat(body[0]).isEqualTo((byte) 1);
            ByteBuffer in = ByteBuffer.wrap(body, 1, body.length - 1).order(ByteOrder.LITTLE_ENDIAN);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document(in, out);
            assertThat(in.hasRemaining()).isFalse();
            return out.toByteArray();
        }

        private static void document(ByteBuffer in, ByteArrayOutputStream out) {
            copy(in, out, 4); // the original length, as stored
            while (true) {
                int type = in.get() & 0xff;
                if (type == 0) {
                    out.write(0);
                    return;
                }
                ByteArrayOutputStream key = new ByteArrayOutputStream();
                byte c;
                while ((c = in.get()) != 0) {
                    key.write(c);
                }
                if (type == 0x81 || type == 0x82) {
                    int width = type == 0x81 ? 4 : 8;
                    int n = in.getInt();
                    byte[] planes = new byte[n * width];
                    in.get(planes);
                    ByteArrayOutputStream arr = new ByteArrayOutputStream();
                    for (int i = 0; i < n; i++) {
                        long v = 0;
                        for (int k = 0; k < width; k++) {
                            v |= (long) (planes[k * n + i] & 0xff) << (8 * k);
                        }
                        long bits = width == 4 ? Double.doubleToRawLongBits(Float.intBitsToFloat((int) v)) : v;
                        arr.write(0x01);
                        arr.writeBytes(Integer.toString(i).getBytes(StandardCharsets.US_ASCII));
                        arr.write(0);
                        arr.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bits).array());
                    }
                    out.write(0x04);
                    out.writeBytes(key.toByteArray());
                    out.write(0);
                    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(arr.size() + 5).array());
                    out.writeBytes(arr.toByteArray());
                    out.write(0);
                    continue;
                }
                out.write(type);
                out.writeBytes(key.toByteArray());
                out.write(0);
                switch (type) {
                    case 0x03, 0x04 -> document(in, out);
                    case 0x01, 0x09, 0x11, 0x12 -> copy(in, out, 8);
                    case 0x02, 0x0D, 0x0E -> copy(in, out, 4 + in.getInt(in.position()));
                    case 0x05 -> copy(in, out, 5 + in.getInt(in.position()));
                    case 0x07 -> copy(in, out, 12);
                    case 0x08 -> copy(in, out, 1);
                    case 0x0B -> {
                        copyCString(in, out);
                        copyCString(in, out);
                    }
                    case 0x0C -> copy(in, out, 4 + in.getInt(in.position()) + 12);
                    case 0x0F -> copy(in, out, in.getInt(in.position()));
                    case 0x10 -> copy(in, out, 4);
                    case 0x13 -> copy(in, out, 16);
                    case 0x06, 0x0A, 0x7F, 0xFF -> {
                    }
                    default -> throw new AssertionError("unknown type " + type);
                }
            }
        }

        private static void copy(ByteBuffer in, ByteArrayOutputStream out, int n) {
            byte[] b = new byte[n];
            in.get(b);
            out.writeBytes(b);
        }

        private static void copyCString(ByteBuffer in, ByteArrayOutputStream out) {
            byte c;
            do {
                c = in.get();
                out.write(c);
            } while (c != 0);
        }
    }
}
