package io.coldframe.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** A miniature run of {@code bench segment}: every field the results promise is there and plausible. */
class BenchSegmentCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesTheResultFields() throws Exception {
        Path out = dir.resolve("results/segment.json");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(stdout, true));
        cl.setErr(new PrintWriter(stderr, true));
        int exit = cl.execute("segment", "--docs", "120", "--segment-records", "50", "--get-segments", "20", "--gets", "10",
                "--rounds", "2", "--memvid-docs", "2", "--memvid-literal-frames", "2", "--process-gets", "0", "--work-dir", dir.toString(),
                "--out", out.toString());
        assertThat(exit).as(stderr.toString()).isZero();
        BsonDocument corpora = BsonDocument.parse(Files.readString(out)).getDocument("corpora");
        assertThat(corpora.keySet()).containsExactly("demo", "chat");
        assertThat(corpora.getDocument("chat").getInt32("docs").getValue()).isEqualTo(120);
        BsonDocument r = corpora.getDocument("demo");
        for (String key : List.of("docs", "raw_jsonl_bytes", "gzip9_bytes", "zstd19_bytes", "archive_bytes", "archive_vs_gzip9",
                "encode_verify_docs_per_s_per_core", "decode_docs_per_s_per_core", "get_by_id_p50_ms", "get_by_id_p95_ms",
                "cores", "codec", "memvid_style", "notes", "per_core_method")) {
            assertThat(r.containsKey(key)).as(key).isTrue();
        }
        assertThat(r.getInt32("docs").getValue()).isEqualTo(120);
        assertThat(r.getInt32("archive_segments").getValue()).isEqualTo(3);
        assertThat(r.getDocument("get_by_id_small_segments").getInt32("segments").getValue()).isEqualTo(20);
        assertThat(r.getDocument("get_by_id").getInt32("segments").getValue()).as("the density archive's segments")
                .isEqualTo(3);
        assertThat(r.get("get_by_id_p95_ms").asNumber().doubleValue()).isEqualTo(Math.max(
                r.getDocument("get_by_id").get("p95_ms").asNumber().doubleValue(),
                r.getDocument("get_by_id_small_segments").get("p95_ms").asNumber().doubleValue()));
        assertThat(r.get("archive_bytes").asNumber().longValue())
                .isEqualTo(r.get("archive_video_bytes").asNumber().longValue() + r.get("archive_manifest_bytes").asNumber().longValue());
        BsonDocument memvid = r.getDocument("memvid_style");
        assertThat(memvid.getString("codec").getValue()).isEqualTo("libvpx-vp9");
        assertThat(memvid.get("decoded_fraction").asNumber().doubleValue()).isBetween(0.0, 1.0);
        assertThat(memvid.get("bytes").asNumber().longValue()).isPositive();
        assertThat(stdout.toString()).contains("archive_vs_gzip9").contains("results written to");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("results"); // work files deleted
        }
    }
}
