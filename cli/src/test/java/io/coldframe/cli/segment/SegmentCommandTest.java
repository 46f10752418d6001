package io.coldframe.cli.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.bson.BsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.testkit.MemoryGenerator;

import picocli.CommandLine;

/** The segment command line, run in-process with captured output: encode, inspect, verify, get, cat and the errors. */
class SegmentCommandTest {

    @TempDir
    static Path shared;

    static Path jsonl;
    static Path pristine;
    static List<BsonDocument> documents = new ArrayList<>();
    /** memory id -> version of the last document written with that id (what get must return). */
    static Map<String, String> lastVersion = new HashMap<>();
    static SegmentManifest manifest;

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        /** Errors are one clean line: no stack trace, no exception class names. */
        void assertOneCleanErrorLine() {
            assertThat(err.strip().lines().count()).as("stderr: %s", err).isEqualTo(1);
            assertThat(err).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    static Run run(String... args) {
        return runWithStdin(null, args);
    }

    static Run runWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new SegmentCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        if (stdin != null) {
            SegmentEncodeCommand encode = cl.getSubcommands().get("encode").getCommand();
            encode.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        }
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeAll
    static void encodeOnce() throws IOException {
        documents.addAll(new MemoryGenerator(7, Instant.parse("2025-01-01T00:00:00Z")).generate(60));
        documents.add(BsonDocument.parse("{\"_id\": \"mem-1\", \"content\": {\"text\": \"first version\"}}"));
        documents.add(BsonDocument.parse("{\"_id\": {\"$numberLong\": \"42\"}, \"content\": {\"text\": \"an int64 id\"}}"));
        documents.add(BsonDocument.parse("{\"_id\": \"mem-1\", \"content\": {\"text\": \"second version\"}}"));
        JsonWriterSettings canonical = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
        StringBuilder lines = new StringBuilder();
        for (BsonDocument d : documents) {
            lines.append(d.toJson(canonical)).append('\n');
            lastVersion.put(MemoryDocuments.idOf(d.get("_id")), SegmentRecord.versionOf(d));
        }
        jsonl = shared.resolve("corpus.jsonl");
        Files.writeString(jsonl, lines, StandardCharsets.UTF_8);
        pristine = shared.resolve("pristine");
        Run r = run("encode", jsonl.toString(), "--out", pristine.toString(), "--block-size", "16");
        assertThat(r.exit()).as(r.err()).isZero();
        manifest = SegmentManifest.read(pristine.resolve("corpus.manifest.json"));
        assertThat(manifest.blocks().size()).isGreaterThanOrEqualTo(3);
        assertThat(manifest.frameCount()).isGreaterThanOrEqualTo(8);
    }

    private Path copy(String id) throws IOException {
        Path video = dir.resolve(id + ".mkv");
        Files.copy(pristine.resolve("corpus.mkv"), video);
        Files.copy(pristine.resolve("corpus.manifest.json"), dir.resolve(id + ".manifest.json"));
        return video;
    }

    private static String idIn(int block) {
        return manifest.entries().stream().filter(e -> e.blockIndex() == block).findFirst().orElseThrow().memoryId();
    }

    // ---- the happy path --------------------------------------------------------------------------------

    @Test
    void encodeWritesVerifiedSegment() {
        Path video = pristine.resolve("corpus.mkv");
        assertThat(video).isRegularFile();
        assertThat(manifest.recordCount()).isEqualTo(documents.size());
        assertThat(manifest.uniqueRecordCount()).isEqualTo(documents.size());
        Run again = run("encode", jsonl.toString(), "--out", dir.toString(), "--id", "again", "--zstd-level", "3");
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("verified OK").contains("63 records").contains("into 1 segment(s)");
        assertThat(again.err()).isEmpty();
    }

    @Test
    void encodeWritesLzma2BlocksWhenAskedAndRefusesAnUnknownCompression() {
        Run lzma = run("encode", jsonl.toString(), "--out", dir.toString(), "--id", "lzma", "--block-compression", "lzma2");
        assertThat(lzma.exit()).as(lzma.err()).isZero();
        assertThat(lzma.out()).contains("verified OK").contains("63 records");
        BsonDocument first = documents.get(0);
        Run get = run("get", dir.resolve("lzma.mkv").toString(), first.getObjectId("_id").getValue().toHexString());
        assertThat(get.out()).isEqualTo(MemoryDocuments.toCanonicalJson(first) + System.lineSeparator());

        Run bad = run("encode", jsonl.toString(), "--out", dir.toString(), "--id", "bad", "--block-compression", "brotli");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("block compression must be one of zstd, lzma2, zstd-bzip2, got brotli");
    }

    @Test
    void inspectSummarisesTheManifest() {
        Run r = run("inspect", pristine.resolve("corpus.mkv").toString(), "--blocks");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("segment corpus (format version " + SegmentManifest.FORMAT_VERSION + ")")
                .contains("63 entries, 63 unique documents")
                .contains("codec PNG_MONO (png, monob)")
                .contains(manifest.frameCount() + " frames of 178x178 px")
                .contains(SegmentOptions.DEFAULT_BLOCK_COMPRESSION.configName() + " level " + SegmentOptions.DEFAULT_ZSTD_LEVEL + ", " + manifest.blocks().size() + " block(s)")
                .contains("BSON / stored (video + manifest)")
                .contains("block 0 ");

        Run json = run("inspect", "--json", pristine.resolve("corpus.manifest.json").toString());
        assertThat(json.exit()).isZero();
        BsonDocument d = BsonDocument.parse(json.out().strip());
        assertThat(d.getInt32("records").getValue()).isEqualTo(63);
        assertThat(d.getInt32("frames").getValue()).isEqualTo(manifest.frameCount());
        assertThat(d.getString("codec").getValue()).isEqualTo("PNG_MONO");
    }

    @Test
    void verifyPassesAnIntactSegment() {
        Run r = run("verify", pristine.resolve("corpus.mkv").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("OK      corpus: " + manifest.frameCount() + " frames, 63 records verified");
        assertThat(run("verify", pristine.toString()).exit()).isZero(); // a directory
    }

    @Test
    void getPrintsCanonicalExtendedJsonForEverySpellingOfTheId() {
        BsonDocument first = documents.get(0);
        String hex = first.getObjectId("_id").getValue().toHexString();
        String segment = pristine.resolve("corpus.mkv").toString();
        for (String id : List.of("{\"$oid\": \"" + hex + "\"}", "{\"$oid\":\"" + hex + "\"}", hex, hex.toUpperCase())) {
            Run r = run("get", segment, id);
            assertThat(r.exit()).as("%s: %s", id, r.err()).isZero();
            assertThat(r.out()).isEqualTo(MemoryDocuments.toCanonicalJson(first) + System.lineSeparator());
        }
        // a string id, quoted or not: the last version written wins
        for (String id : List.of("\"mem-1\"", "mem-1")) {
            Run r = run("get", segment, id);
            assertThat(r.exit()).isZero();
            assertThat(SegmentRecord.versionOf(BsonDocument.parse(r.out()))).isEqualTo(lastVersion.get("\"mem-1\""));
            assertThat(r.out()).contains("second version");
        }
        Run int64 = run("get", pristine.toString(), "{\"$numberLong\": \"42\"}"); // a directory works too
        assertThat(int64.exit()).isZero();
        assertThat(int64.out()).contains("an int64 id").contains("{\"$numberLong\": \"42\"}");
        Run relaxed = run("get", "--relaxed", segment, "mem-1");
        assertThat(relaxed.out()).startsWith("{\"_id\": \"mem-1\"");
    }

    @Test
    void getOfAnUnknownIdExitsWith3() {
        Run r = run("get", pristine.resolve("corpus.mkv").toString(), "42"); // int32 42, not the int64 id
        assertThat(r.exit()).isEqualTo(3);
        r.assertOneCleanErrorLine();
        assertThat(r.err()).contains("memory id {\"$numberInt\": \"42\"} not found in segment corpus");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void catPrintsEveryRecordOnceAndItsOutputEncodesAgain() throws IOException {
        Run r = run("cat", pristine.resolve("corpus.mkv").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(documents.size());
        for (int i = 0; i < lines.size(); i++) {
            BsonDocument got = BsonDocument.parse(lines.get(i));
            assertThat(SegmentRecord.versionOf(got)).isEqualTo(SegmentRecord.versionOf(documents.get(i)));
            assertThat(lines.get(i)).isEqualTo(MemoryDocuments.toCanonicalJson(documents.get(i)));
        }
        // cat's output is encode's input: round trip through stdin
        Run encode = runWithStdin(r.out(), "encode", "-", "--id", "copy", "--out", dir.toString());
        assertThat(encode.exit()).as(encode.err()).isZero();
        Run again = run("cat", dir.resolve("copy.mkv").toString());
        assertThat(again.out()).isEqualTo(r.out());
    }

    @Test
    void encodeSplitsIntoSegmentsAndDirectoriesReadAsOneArchive() throws IOException {
        // 63 records in segments of 31: mem-1's first version lands in the second segment, its second in the third
        Run r = run("encode", jsonl.toString(), "--out", dir.toString(), "--id", "part", "--records-per-segment", "31",
                "--no-verify");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("not verified (--no-verify)").contains("into 3 segment(s)");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "part-00000.manifest.json", "part-00000.mkv", "part-00001.manifest.json", "part-00001.mkv",
                    "part-00002.manifest.json", "part-00002.mkv");
        }
        Run verify = run("verify", dir.toString());
        assertThat(verify.exit()).isZero();
        assertThat(verify.out()).contains("verified 3 segment(s): 3 OK, 0 REPAIRED, 0 FAILED; 63 records verified");
        Run cat = run("cat", dir.toString());
        assertThat(cat.out().lines()).hasSize(63);
        Run inspect = run("inspect", dir.toString());
        assertThat(inspect.out()).contains("3 segments: 63 records");
        // mem-1's two versions went to different segments: get on the directory refuses to guess
        Run ambiguous = run("get", dir.toString(), "mem-1");
        assertThat(ambiguous.exit()).isEqualTo(2);
        ambiguous.assertOneCleanErrorLine();
        assertThat(ambiguous.err()).contains("is in 2 segments with different versions");
        assertThat(run("get", dir.resolve("part-00002.mkv").toString(), "mem-1").out()).contains("second version");
    }

    @Test
    void encodeRefusesToOverwriteUnlessForced() {
        Run first = run("encode", jsonl.toString(), "--out", dir.toString(), "--no-verify");
        assertThat(first.exit()).isZero();
        Run second = run("encode", jsonl.toString(), "--out", dir.toString());
        assertThat(second.exit()).isEqualTo(2);
        second.assertOneCleanErrorLine();
        assertThat(second.err()).contains("segment corpus already exists").contains("--force");
        assertThat(run("encode", jsonl.toString(), "--out", dir.toString(), "--force").exit()).isZero();
    }

    // ---- usage and input errors: exit code 2 ------------------------------------------------------------

    @Test
    void missingFilesExitWith2AndOneLine() throws IOException {
        String missing = dir.resolve("nope.mkv").toString();
        for (String[] args : List.of(new String[] {"verify", missing}, new String[] {"inspect", missing},
                new String[] {"get", missing, "mem-1"}, new String[] {"cat", missing})) {
            Run r = run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            r.assertOneCleanErrorLine();
            assertThat(r.err()).contains("not found").contains("nope");
        }
        Files.copy(pristine.resolve("corpus.mkv"), dir.resolve("lonely.mkv"));
        Run noManifest = run("verify", dir.resolve("lonely.mkv").toString());
        assertThat(noManifest.exit()).isEqualTo(2);
        assertThat(noManifest.err()).contains("segment manifest not found beside");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Run emptyDir = run("cat", empty.toString());
        assertThat(emptyDir.exit()).isEqualTo(2);
        assertThat(emptyDir.err()).contains("no segments");
        Run noInput = run("encode", dir.resolve("nope.jsonl").toString(), "--out", dir.toString());
        assertThat(noInput.exit()).isEqualTo(2);
        noInput.assertOneCleanErrorLine();
        assertThat(noInput.err()).contains("input file not found");
    }

    @Test
    void malformedInputExitsWith2NamingTheLine() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"_id\": 1}\n\n{\"_id\": 2, \"x\": [1, 2\n");
        Run r = run("encode", bad.toString(), "--out", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        r.assertOneCleanErrorLine();
        assertThat(r.err()).contains("bad.jsonl:3: not an Extended JSON document");

        Files.writeString(bad, "{\"_id\": 1}\n{\"no_id\": 2}\n");
        Run noId = run("encode", bad.toString(), "--out", dir.toString());
        assertThat(noId.exit()).isEqualTo(2);
        assertThat(noId.err()).contains("bad.jsonl:2: document has no _id");
        assertThat(dir.resolve("bad.mkv")).doesNotExist();
    }

    @Test
    void badOptionsExitWith2() {
        Run lossy = run("encode", jsonl.toString(), "--out", dir.toString(), "--codec", "MJPEG");
        assertThat(lossy.exit()).isEqualTo(2);
        lossy.assertOneCleanErrorLine();
        assertThat(lossy.err()).contains("lossy");
        assertThat(run("encode", jsonl.toString(), "--out", dir.toString(), "--zstd-level", "30").exit()).isEqualTo(2);
        Run badId = run("encode", jsonl.toString(), "--out", dir.toString(), "--id", "../escape");
        assertThat(badId.exit()).isEqualTo(2);
        assertThat(badId.err()).contains("segment id must be");
        assertThat(run("verify").exit()).isEqualTo(2); // picocli: missing parameter
        assertThat(run("encode", jsonl.toString()).exit()).isEqualTo(2); // --out is required
        assertThat(run("encode", "-", "--out", dir.toString()).err()).contains("--id");
    }

    // ---- damaged segments: exit code 1 --------------------------------------------------------------------

    @Test
    void truncatedVideo() throws IOException {
        Path video = copy("truncated");
        try (RandomAccessFile f = new RandomAccessFile(video.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        Run verify = run("verify", video.toString());
        assertThat(verify.exit()).isEqualTo(1);
        // more frames lost than the parity rebuilds: every lost frame and every unreadable block is named
        assertThat(verify.out()).startsWith("FAILED  corpus: ").containsPattern("frame \\d+ \\(missing\\)")
                .containsPattern("block \\d+: unreadable");
        verify.assertOneCleanErrorLine();
        assertThat(verify.err()).contains("1 of 1 segment(s) failed verification");

        int lastBlock = manifest.blocks().size() - 1;
        Run get = run("get", video.toString(), idIn(lastBlock));
        assertThat(get.exit()).isEqualTo(1);
        get.assertOneCleanErrorLine();
        assertThat(get.err()).containsPattern("segment corpus \\(.*truncated\\.mkv\\): .*frame \\d+ \\(missing\\)");
        assertThat(run("get", video.toString(), idIn(0)).exit()).isZero(); // the first half still reads

        Run cat = run("cat", video.toString());
        assertThat(cat.exit()).isEqualTo(1);
        cat.assertOneCleanErrorLine();
        assertThat(cat.err()).contains("stopped after");
        assertThat(cat.out().lines().count()).isGreaterThan(0).isLessThan(documents.size());
    }

    @Test
    void wrongFormatVersion() throws IOException {
        Path video = copy("future");
        Path manifestFile = dir.resolve("future.manifest.json");
        String written = "\"formatVersion\": " + SegmentManifest.FORMAT_VERSION;
        Files.writeString(manifestFile, Files.readString(manifestFile).replace(written, "\"formatVersion\": 99"));
        for (String[] args : List.of(new String[] {"inspect", video.toString()}, new String[] {"get", video.toString(), "mem-1"},
                new String[] {"cat", video.toString()})) {
            Run r = run(args);
            assertThat(r.exit()).as(args[0]).isEqualTo(1);
            r.assertOneCleanErrorLine();
            assertThat(r.err()).contains("future.manifest.json").contains("unsupported segment format version 99")
                    .contains("this reader supports versions 1 and " + SegmentManifest.FORMAT_VERSION);
        }
        Run verify = run("verify", video.toString());
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("FAILED").contains("unsupported segment format version 99");
    }

    @Test
    void aCorruptedFrameIsRebuiltFromParityAndNamedByNumber() throws IOException {
        Path video = copy("damaged");
        SegmentManifest.Block block = manifest.blocks().get(1);
        int frame = block.firstFrame() + 1 <= block.lastFrame() ? block.firstFrame() + 1 : block.firstFrame();
        corruptFrame(video, frame);

        Run verify = run("verify", video.toString());
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).startsWith("REPAIRED corpus: ").contains("frame " + frame + ": ").contains("rebuilt");

        String id = idIn(1);
        Run get = run("get", video.toString(), id);
        assertThat(get.exit()).as(get.err()).isZero();
        try (SegmentReader pristineReader = SegmentReader.open(pristine.resolve("corpus.mkv"))) {
            SegmentRecord expected = pristineReader.get(id).orElseThrow();
            assertThat(get.out().strip()).isEqualTo(MemoryDocuments.toCanonicalJson(expected.document()));
        }
    }

    /** Zeroes part of the compressed image data of one frame (frames are PNG images, in frame order in the file). */
    private static void corruptFrame(Path video, int frame) throws IOException {
        byte[] data = Files.readAllBytes(video);
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        int seen = -1;
        for (int i = 0; i + png.length <= data.length; i++) {
            if (java.util.Arrays.equals(data, i, i + png.length, png, 0, png.length) && ++seen == frame) {
                java.util.Arrays.fill(data, i + 300, i + 900, (byte) 0);
                Files.write(video, data);
                return;
            }
        }
        throw new IllegalStateException("frame " + frame + " not found in " + video);
    }
}
