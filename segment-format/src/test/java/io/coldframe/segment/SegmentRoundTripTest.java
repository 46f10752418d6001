package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real MKV files: write a few hundred records once, then read them back every way the API offers. */
class SegmentRoundTripTest {
    @TempDir
    static Path dir;

    static List<SegmentRecord> input;
    static SegmentRecord bigRecord;
    static SegmentManifest manifest;
    static SegmentReader reader;

    @BeforeAll
    static void writeSegment() throws Exception {
        input = new ArrayList<>(TestDocs.memories(7, 250));
        // a record much larger than a frame (incompressible binary) so it spans several frames
        byte[] noise = new byte[12_000];
        new Random(5).nextBytes(noise);
        BsonDocument big = new BsonDocument("_id", new BsonString("big")).append("blob", new BsonBinary(noise));
        bigRecord = SegmentRecord.of("\"big\"", big);
        input.add(100, bigRecord);
        // every BSON type in one record
        input.add(5, SegmentRecord.of("\"types\"", allTypes()));
        // duplicates: same id and version again, and a second memory id with an identical document
        input.add(input.get(10));
        input.add(new SegmentRecord("copy-of-20", input.get(20).version(), input.get(20).document()));
        // same id, newer version: get() returns the last one written
        BsonDocument v2 = input.get(30).document().clone();
        v2.put("accessCount", new BsonInt32(9999));
        input.add(SegmentRecord.of(input.get(30).memoryId(), v2));

        SegmentOptions opts = SegmentOptions.builder().blockTargetBytes(64 * 1024).threads(2).build();
        manifest = new SegmentWriter(opts).write("roundtrip-1", input, dir);
        reader = SegmentReader.open(dir.resolve("roundtrip-1.mkv"));
    }

    @AfterAll
    static void close() {
        reader.close();
    }

    static BsonDocument allTypes() {
        return BsonDocument.parse("""
                {"_id": {"$oid": "5f0c2b3a9d1e8a0012345678"},
                 "d": 1.5, "nan": {"$numberDouble": "NaN"}, "negz": {"$numberDouble": "-0.0"},
                 "inf": {"$numberDouble": "-Infinity"}, "s": "h\\u00e9llo \\u0000 \\ud83d\\ude00",
                 "doc": {"x": {"y": [1, [2, [3.25, 4.5]], {"z": null}]}},
                 "bin0": {"$binary": {"base64": "AAEC", "subType": "00"}},
                 "bin2": {"$binary": {"base64": "AAEC", "subType": "02"}},
                 "uuid": {"$binary": {"base64": "c//SZESzTGmQ6OfR38A11A==", "subType": "04"}},
                 "md5": {"$binary": {"base64": "c//SZESzTGmQ6OfR38A11A==", "subType": "05"}},
                 "vec": {"$binary": {"base64": "JwA=", "subType": "09"}},
                 "user": {"$binary": {"base64": "gQQB", "subType": "80"}},
                 "undef": {"$undefined": true}, "t": true,
                 "old": {"$date": {"$numberLong": "-2208988800000"}}, "null": null,
                 "re": {"$regularExpression": {"pattern": "^a.*b$", "options": "im"}},
                 "ptr": {"$dbPointer": {"$ref": "c", "$id": {"$oid": "5f0c2b3a9d1e8a0012345678"}}},
                 "js": {"$code": "f()"}, "sym": {"$symbol": "s"},
                 "jsws": {"$code": "g(x)", "$scope": {"x": [1.0, 2.0]}},
                 "i32": 7, "i64": {"$numberLong": "7"}, "i64big": {"$numberLong": "-9223372036854775808"},
                 "ts": {"$timestamp": {"t": 1700000000, "i": 3}},
                 "dec": {"$numberDecimal": "-1.2345678901234567890123456789012E-6000"},
                 "decnan": {"$numberDecimal": "NaN"},
                 "min": {"$minKey": 1}, "max": {"$maxKey": 1},
                 "ключ": "значение", "": "empty key", "a.b": {"$gt": 1},
                 "emb": [0.25, -0.5, 1.0e-30, 3.0e38], "emb64": [0.1, 0.2, -0.0],
                 "nested": [[1.5, 2.5], [{"k": [0.5]}]]}
                """);
    }

    @Test
    void verifiesClean() {
        VerificationReport report = reader.verify();
        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.segmentId()).isEqualTo("roundtrip-1");
        assertThat(report.framesRead()).isEqualTo(manifest.frameCount());
        assertThat(report.recordsVerified()).isEqualTo(input.size());
    }

    @Test
    void everyRecordComesBackByIdWithExactBytes() throws Exception {
        for (int i = 0; i < input.size(); i += 7) {
            SegmentRecord want = input.get(i);
            if (want.memoryId().equals(input.get(30).memoryId())) {
                continue; // two versions; see below
            }
            SegmentRecord got = reader.get(want.memoryId()).orElseThrow();
            assertThat(got.version()).isEqualTo(want.version());
            assertThat(BsonBytes.of(got.document())).isEqualTo(BsonBytes.of(want.document()));
            assertThat(got.document()).isEqualTo(want.document());
        }
        assertThat(reader.get("no-such-id")).isEmpty();
    }

    @Test
    void everyBsonTypeSurvivesTheVideo() throws Exception {
        SegmentRecord got = reader.get("\"types\"").orElseThrow();
        assertThat(got.document()).isInstanceOf(RawBsonDocument.class);
        assertThat(BsonBytes.of(got.document())).isEqualTo(BsonBytes.of(allTypes()));
        BsonDocument d = got.document();
        assertThat(Double.doubleToRawLongBits(d.getDouble("negz").getValue())).isEqualTo(Long.MIN_VALUE);
        assertThat(d.getDouble("nan").getValue()).isNaN();
        assertThat(d.get("i64")).isEqualTo(new BsonInt64(7));
        assertThat(d.get("i32")).isEqualTo(new BsonInt32(7));
        assertThat(d.get("dec")).isEqualTo(new BsonDecimal128(Decimal128.parse("-1.2345678901234567890123456789012E-6000")));
        assertThat(d.get("old")).isEqualTo(new BsonDateTime(-2208988800000L));
        assertThat(d.getBinary("user").getType()).isEqualTo((byte) 0x80);
        assertThat(d.getArray("emb").get(1)).isEqualTo(new BsonDouble(-0.5));
        assertThat(List.copyOf(d.keySet()).subList(0, 4)).containsExactly("_id", "d", "nan", "negz");
    }

    @Test
    void aRecordSpanningSeveralFramesComesBack() throws Exception {
        SegmentManifest.Entry e = entry("\"big\"");
        SegmentManifest.Block b = manifest.blocks().get(e.blockIndex());
        assertThat(b.lastFrame() - b.firstFrame()).isGreaterThanOrEqualTo(4);
        SegmentRecord got = reader.get("\"big\"").orElseThrow();
        assertThat(got.document()).isEqualTo(bigRecord.document());
    }

    @Test
    void getDecodesOnlyTheFramesOfTheRecordsBlock() throws Exception {
        try (SegmentReader fresh = SegmentReader.open(dir.resolve("roundtrip-1.mkv"))) {
            SegmentRecord target = input.get(200);
            SegmentManifest.Block b = manifest.blocks().get(entry(target.memoryId()).blockIndex());
            assertThat(manifest.frameCount()).isGreaterThan(3 * (b.lastFrame() - b.firstFrame() + 1));
            assertThat(fresh.get(target.memoryId())).isPresent();
            // the probe of frame 0, the index frames, the block's frames (and a parity frame among them), and not
            // one frame past the block's last
            int indexFrames = (int) (manifest.blocks().get(0).streamOffset() / FrameV2.PAYLOAD) + 1;
            assertThat(fresh.framesDecoded()).isLessThanOrEqualTo(1 + indexFrames + b.lastFrame() - b.firstFrame() + 1);
        }
    }

    @Test
    void identicalDocumentsAreStoredOnceAndListedForEveryId() throws Exception {
        Set<String> versions = new LinkedHashSet<>();
        input.forEach(r -> versions.add(r.version()));
        assertThat(manifest.entries()).hasSize(input.size());
        assertThat(manifest.uniqueRecordCount()).isEqualTo(versions.size());
        int bodies = manifest.blocks().stream().mapToInt(SegmentManifest.Block::bodyCount).sum();
        assertThat(bodies).isEqualTo(versions.size());

        SegmentManifest.Entry original = manifest.entries().get(20);
        SegmentManifest.Entry copy = entry("copy-of-20");
        assertThat(copy.blockIndex()).isEqualTo(original.blockIndex());
        assertThat(copy.offset()).isEqualTo(original.offset());
        assertThat(reader.get("copy-of-20").orElseThrow().document()).isEqualTo(input.get(20).document());
        assertThat(manifest.rawBytes()).isGreaterThan(manifest.uniqueRawBytes());
    }

    @Test
    void recordsStreamsEverythingInManifestOrderCollapsingRepeats() throws Exception {
        List<SegmentRecord> all;
        try (var s = reader.records()) {
            all = s.toList();
        }
        // the exact repeat of record 10 (same id and version) collapses; everything else stays, in order
        List<SegmentRecord> expected = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        input.stream().filter(r -> seen.add(r.memoryId() + "/" + r.version())).forEach(expected::add);
        assertThat(all).hasSize(input.size() - 1).hasSameSizeAs(expected);
        for (int i = 0; i < all.size(); i++) {
            SegmentRecord want = expected.get(i);
            assertThat(all.get(i).memoryId()).isEqualTo(want.memoryId());
            assertThat(all.get(i).version()).isEqualTo(want.version());
        }
        assertThat(all.get(all.size() - 1).document().getInt32("accessCount").getValue()).isEqualTo(9999);
    }

    @Test
    void sameIdWrittenTwiceGetReturnsTheLastVersion() throws Exception {
        SegmentRecord latest = input.get(input.size() - 1);
        assertThat(reader.get(latest.memoryId()).orElseThrow().version()).isEqualTo(latest.version());
    }

    @Test
    void manifestDescribesTheSegment() throws Exception {
        SegmentManifest read = SegmentManifest.read(dir.resolve("roundtrip-1.manifest.json"));
        assertThat(read.toJson()).isEqualTo(manifest.toJson());
        assertThat(read.formatVersion()).isEqualTo(2);
        assertThat(Files.size(dir.resolve("roundtrip-1.manifest.json"))).isLessThan(1500); // no per-record data
        assertThat(read.videoBytes()).isEqualTo(Files.size(dir.resolve("roundtrip-1.mkv")));
        assertThat(read.videoSha256()).isEqualTo(Hashes.sha256Hex(dir.resolve("roundtrip-1.mkv")));
        assertThat(read.video().codec()).isEqualTo(VideoCodec.PNG_MONO);
        assertThat(read.video().width()).isEqualTo(178); // 177 modules, no quiet zone, even
        long raw = 0;
        for (SegmentRecord r : input) {
            raw += BsonBytes.of(r.document()).length;
        }
        assertThat(read.rawBytes()).isEqualTo(raw);
        assertThat(read.blocks().size()).isGreaterThan(3);
        assertThat(read.entries().get(0).memoryId()).isEqualTo(input.get(0).memoryId());
        assertThat(read.compressedBytes()).isLessThan(read.uniqueRawBytes() / 2);
    }

    private static SegmentManifest.Entry entry(String id) {
        return manifest.entries().stream().filter(e -> e.memoryId().equals(id)).reduce((a, b) -> b).orElseThrow();
    }

    // ------------------------------------------------------------------------------------------------

    @Test
    void aSixteenMegabyteDocumentRoundTrips(@TempDir Path tmp) throws Exception {
        // ~16 MB: a million-element float64 array (packed), a long text and some incompressible bytes
        List<BsonValue> xs = new ArrayList<>(1_000_000);
        for (int i = 0; i < 1_000_000; i++) {
            xs.add(new BsonDouble(i % 1000 / 10.0));
        }
        byte[] noise = new byte[40_000];
        new Random(9).nextBytes(noise);
        BsonDocument doc = new BsonDocument("_id", new BsonInt32(16)).append("series", new BsonArray(xs))
                .append("noise", new BsonBinary(noise));
        int filler = 16 * 1024 * 1024 - 200 - BsonBytes.of(doc).length;
        doc.append("text", new BsonString(TestDocs.words(new Random(1), 20_000).repeat(filler / 20_000 + 1).substring(0, filler)));
        byte[] bson = BsonBytes.of(doc);
        assertThat(bson.length).isBetween(16 * 1024 * 1024 - 300, 16 * 1024 * 1024);

        SegmentRecord rec = SegmentRecord.of("16", doc);
        SegmentRecord small = TestDocs.memories(3, 1).get(0);
        new SegmentWriter(SegmentOptions.defaults()).write("huge", List.of(small, rec), tmp);
        try (SegmentReader r = SegmentReader.open(tmp.resolve("huge.mkv"))) {
            assertThat(r.manifest().blocks()).hasSize(2);
            SegmentRecord got = r.get("16").orElseThrow();
            assertThat(got.version()).isEqualTo(rec.version());
            assertThat(BsonBytes.of(got.document())).isEqualTo(bson);
            assertThat(r.get(small.memoryId()).orElseThrow().document()).isEqualTo(small.document());
        }
    }

    @Test
    void emptySegment(@TempDir Path tmp) throws Exception {
        SegmentManifest m = new SegmentWriter(SegmentOptions.defaults()).write("empty", List.of(), tmp);
        assertThat(m.frameCount()).isEqualTo(2); // the index frame and its parity frame
        try (SegmentReader r = SegmentReader.open(tmp.resolve("empty.mkv"))) {
            VerificationReport rep = r.verify();
            assertThat(rep.ok()).as(rep.problems().toString()).isTrue();
            assertThat(r.records()).isEmpty();
        }
    }

    @Test
    void ffv1CodecRoundTrips(@TempDir Path tmp) throws Exception {
        List<SegmentRecord> recs = TestDocs.memories(11, 20);
        new SegmentWriter(SegmentOptions.builder().codec(VideoCodec.FFV1).build()).write("ffv1", recs, tmp);
        try (SegmentReader r = SegmentReader.open(tmp.resolve("ffv1.mkv"))) {
            assertThat(r.manifest().video().ffmpegCodec()).isEqualTo("ffv1");
            VerificationReport rep = r.verify();
            assertThat(rep.ok()).as(rep.problems().toString()).isTrue();
            assertThat(r.get(recs.get(7).memoryId()).orElseThrow().document()).isEqualTo(recs.get(7).document());
        }
    }

    @Test
    void lossyMjpegIsRefusedUnlessForcedAndThenStillVerifies(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> SegmentOptions.builder().codec(VideoCodec.MJPEG).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lossy");
        SegmentOptions forced = SegmentOptions.builder().codec(VideoCodec.MJPEG).allowLossy(true).moduleSizePx(4).build();
        List<SegmentRecord> recs = TestDocs.memories(12, 5);
        new SegmentWriter(forced).write("mjpeg", recs, tmp);
        try (SegmentReader r = SegmentReader.open(tmp.resolve("mjpeg.mkv"))) {
            VerificationReport rep = r.verify();
            assertThat(rep.ok()).as(rep.problems().toString()).isTrue();
        }
    }

    @Test
    void x264FailsClearlyWithoutGplNatives(@TempDir Path tmp) {
        SegmentWriter w = new SegmentWriter(SegmentOptions.builder().codec(VideoCodec.X264_LOSSLESS).build());
        org.junit.jupiter.api.Assumptions.assumeTrue(
                org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name("libx264") == null,
                "GPL natives with libx264 present");
        assertThatThrownBy(() -> w.write("x264", TestDocs.memories(1, 3), tmp))
                .isInstanceOf(SegmentFormatException.class).hasMessageContaining("libx264").hasMessageContaining("GPL");
        assertThat(tmp.resolve("x264.mkv")).doesNotExist();
        assertThat(tmp.resolve("x264.manifest.json")).doesNotExist();
    }

    @Test
    void writerRejectsBadInput(@TempDir Path tmp) {
        SegmentWriter w = new SegmentWriter(SegmentOptions.defaults());
        SegmentRecord r = TestDocs.memories(1, 1).get(0);
        SegmentRecord lying = new SegmentRecord("liar", "0".repeat(64), r.document());
        assertThatThrownBy(() -> w.write("s", List.of(r, lying), tmp))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"liar\"");
        assertThatThrownBy(() -> w.write("../escape", List.of(r), tmp)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SegmentRecord("x", "ABC", r.document())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void versionIsTheSha256OfTheBsonBytes() {
        BsonDocument d = new BsonDocument("b", new BsonInt32(1)).append("a", new BsonInt32(2));
        SegmentRecord r = SegmentRecord.of("id", d);
        assertThat(r.version()).isEqualTo(Hashes.sha256Hex(BsonBytes.of(d))).hasSize(64).matches("[0-9a-f]+");
        BsonDocument reordered = new BsonDocument("a", new BsonInt32(2)).append("b", new BsonInt32(1));
        assertThat(SegmentRecord.versionOf(reordered)).isNotEqualTo(r.version()); // key order matters
        BsonDocument withId = new BsonDocument("x", new BsonInt32(1)).append("_id", new BsonInt32(2));
        assertThat(BsonBytes.of(withId)[4]).isEqualTo((byte) 0x10); // no "_id first" reordering
        assertThat(new String(BsonBytes.of(withId), 5, 1, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("x");
    }
}
