package io.coldframe.segment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * Writes a spec-conformance fixture of the format version this code writes (video, sidecar, expected
 * documents) into src/test/resources/fixtures: {@code v2-basic.*} (written with the block transform 1 and zstd
 * of its time), with the argument {@code lzma2} {@code v2-lzma2.*} (transform 2, LZMA2 blocks), or with the
 * argument {@code text} {@code v2-text.*} (transform 3 with pieces, codec 2: zstd and a bzip2 text section). Run it only
 * when deliberately creating a fixture for a new format version, block transform or codec; never regenerate a
 * committed one (v1-basic was written by the v1 writer, which no longer exists): the point of a fixture is
 * that archives written by older code keep decoding.
 *
 * <pre>java -cp target/test-classes:target/classes:$(deps) io.coldframe.segment.FixtureGenerator src/test/resources/fixtures [lzma2]</pre>
 */
public final class FixtureGenerator {
    static final String SEGMENT_ID = "v2-basic";
    static final String LZMA2_SEGMENT_ID = "v2-lzma2";
    static final String TEXT_SEGMENT_ID = "v2-text";

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures");
        String mode = args.length > 1 ? args[1] : "";
        List<SegmentRecord> records = records();
        if (mode.equals("text")) {
            records.addAll(chatTurns());
        }
        // small blocks and parity groups of 4 data + 2 parity frames: several blocks and groups, a short last
        // group and two parity rows, all in a few frames
        SegmentOptions.Builder opts = SegmentOptions.builder().blockTargetBytes(mode.equals("text") ? 8192 : 4096)
                .zstdLevel(19).threads(1).parity(6, 2);
        String id = switch (mode) {
            case "lzma2" -> LZMA2_SEGMENT_ID;
            case "text" -> TEXT_SEGMENT_ID;
            default -> SEGMENT_ID;
        };
        opts.blockCompression(mode.equals("lzma2") ? BlockCompression.LZMA2 : BlockCompression.ZSTD_BZIP2);
        SegmentManifest m = new SegmentWriter(opts.build()).write(id, records, dir);
        JsonWriterSettings canonical = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
        StringBuilder expected = new StringBuilder();
        for (SegmentRecord r : records) {
            expected.append(new BsonDocument("memoryId", new BsonString(r.memoryId()))
                    .append("version", new BsonString(r.version()))
                    .append("document", r.document()).toJson(canonical)).append('\n');
        }
        Files.writeString(dir.resolve(id + ".expected.jsonl"), expected, StandardCharsets.UTF_8);
        System.out.println(m + ", video " + Files.size(dir.resolve(id + ".mkv")) + " bytes");
    }

    /**
     * A conversation stored as agent memories: each turn's text, the next one's as its response, the two before
     * joined as context (strings as pieces), and enough prose for a text section in every block.
     */
    static List<SegmentRecord> chatTurns() {
        Random rnd = new Random(99);
        String[] words = ("the a deploy rollback cluster node memory ticket user asked why latency grew after "
                + "we changed retries to three and the cache warmed slowly so I suggest checking p95 graphs "
                + "Grüße 東京 🧠 config timeout seconds").split(" ");
        List<String> turns = new ArrayList<>();
        for (int t = 0; t < 17; t++) {
            StringBuilder sb = new StringBuilder(t % 2 == 0 ? "" : "Sure. ");
            for (int w = 0, n = 25 + rnd.nextInt(40); w < n; w++) {
                sb.append(words[rnd.nextInt(words.length)]).append(w % 9 == 8 ? ". " : " ");
            }
            turns.add(sb.toString().trim());
        }
        List<SegmentRecord> out = new ArrayList<>();
        for (int t = 0; t + 1 < turns.size(); t++) {
            String id = String.format("%08x-0000-4000-8000-%012x", 0xc0ffee00 + t, t);
            BsonDocument d = new BsonDocument("_id", new BsonString("turn-" + t))
                    .append("memory_id", new BsonString(id))
                    .append("session_id", new BsonString("5c164e7c-e5f9-4bbb-9b61-9d87d96a6d86"))
                    .append("input", new BsonString(turns.get(t)))
                    .append("response", new BsonString(turns.get(t + 1)))
                    .append("context", new BsonString(String.join("\n", turns.subList(Math.max(0, t - 2), t))))
                    .append("summary", new BsonString("User: " + turns.get(t) + "\nAssistant: " + turns.get(t + 1)));
            out.add(SegmentRecord.of("\"turn-" + t + "\"", d));
        }
        return out;
    }

    static List<SegmentRecord> records() {
        List<SegmentRecord> out = new ArrayList<>();
        out.add(SegmentRecord.of("{\"$oid\": \"5f0c2b3a9d1e8a0012345678\"}", SegmentRoundTripTest.allTypes()));
        Random rnd = new Random(2024);
        int withEmbedding = 0;
        while (out.size() < 7) {
            BsonDocument d = TestDocs.memory(rnd, 1_750_000_000_000L);
            if (d.containsKey("embedding")) {
                withEmbedding++;
            }
            if (out.size() == 6 && withEmbedding == 0) {
                continue; // make sure one memory carries an embedding (float32 packing)
            }
            out.add(SegmentRecord.of("{\"$oid\": \"" + d.getObjectId("_id").getValue().toHexString() + "\"}", d));
        }
        byte[] noise = new byte[7000];
        new Random(7).nextBytes(noise);
        out.add(SegmentRecord.of("\"multi-frame\"", new BsonDocument("_id", new BsonString("multi-frame"))
                .append("blob", new BsonBinary((byte) 0x80, noise))));
        out.add(new SegmentRecord("\"same-doc-other-id\"", out.get(2).version(), out.get(2).document()));
        out.add(out.get(3)); // exact repeat: collapses in records()
        out.add(SegmentRecord.of("{\"$numberLong\": \"42\"}", BsonDocument.parse(
                "{\"_id\": {\"$numberLong\": \"42\"}, \"matrix\": [[0.1, 0.2], [0.3, 0.4]], \"f32\": [1.5, -2.25],"
                        + " \"\\u00fcnicode \\ud83e\\udde0\": {\"$date\": {\"$numberLong\": \"-1\"}}}")));
        return out;
    }
}
