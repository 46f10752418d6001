package io.coldframe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.cli.ShippedCli;

/**
 * The demo on input real users bring, run as shipped: BSON the stand-in cannot hold, a document over MongoDB's 16 MiB,
 * and memories whose time field is not {@code created_at}. Before, the first died in insertMany or left the demo waiting on a dead connector, and the
 * second dead-lettered every memory while the demo printed LOST 0 and exited 0.
 */
class DemoBadInputIT {

    @TempDir
    Path dir;

    @Test
    void documentsTheStandInCannotHoldAreNamedAndTheRestIsArchived() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add(memory("m-" + i, "\"created_at\": {\"$date\": \"2024-01-05T00:00:00Z\"}", i == 3 ? ", \"v\": {\"$symbol\": \"s\"}"
                    : i == 4 ? ", \"link\": {\"$ref\": \"other\", \"$id\": 1}"
                    : i == 5 ? ", \"v\": {\"$binary\": {\"base64\": \"AQI=\", \"subType\": \"01\"}}"
                    : i == 6 ? ", \"v\": {\"$numberDecimal\": \"1.10\"}, \"u\": {\"$undefined\": true}"
                    : i == 7 ? ", \"transcript\": \"" + "x".repeat(17_000_000) + "\"" : ""));
        }
        Path corpus = Files.write(dir.resolve("odd.jsonl"), lines, StandardCharsets.UTF_8);
        Path summary = dir.resolve("summary.json");

        ShippedCli.Result demo = new ShippedCli(dir).run("demo", "--corpus", corpus.toString(), "--summary", summary.toString());

        assertThat(demo.out()).contains("not loaded: odd.jsonl:4, _id \"m-3\": v: a symbol",
                "not loaded: odd.jsonl:5, _id \"m-4\": link: a DBRef", "not loaded: odd.jsonl:6, _id \"m-5\": v: binary subtype 1",
                "not loaded: odd.jsonl:8, _id \"m-7\": MongoDB refused it: Payload document size is larger than maximum of 16777216");
        BsonDocument json = BsonDocument.parse(Files.readString(summary));
        assertThat(json.getNumber("loaded").intValue()).isEqualTo(26);
        assertThat(json.getNumber("not_loaded").intValue()).isEqualTo(4);
        assertThat(json.getNumber("archived").intValue()).isEqualTo(26);
        assertThat(json.getNumber("lost").intValue()).isZero();
    }

    @Test
    void memoriesTimedByAnotherFieldFailLoudlyUntilTheFieldIsNamed() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            lines.add(memory("t-" + i, "\"timestamp\": \"2024-02-0" + (1 + i % 9) + "T10:00:00Z\"", ""));
        }
        Path corpus = Files.write(dir.resolve("timestamp.jsonl"), lines, StandardCharsets.UTF_8);
        ShippedCli cli = new ShippedCli(dir);

        ShippedCli.Result failed = cli.run(1, "demo", "--corpus", corpus.toString());
        assertThat(failed.out()).contains("MOST LOADED MEMORIES WERE DEAD-LETTERED", "20 x field created_at: missing",
                "--timestamp-field NAME");

        Path summary = dir.resolve("summary.json");
        cli.run("demo", "--corpus", corpus.toString(), "--timestamp-field", "timestamp", "--summary", summary.toString());
        BsonDocument json = BsonDocument.parse(Files.readString(summary));
        assertThat(json.getNumber("dead_letters").intValue()).isZero();
        assertThat(json.getNumber("archived").intValue()).isEqualTo(20);
    }

    private static String memory(String id, String time, String extra) {
        return "{\"_id\": \"" + id + "\", \"agent_id\": \"a1\", \"memory_type\": \"interaction\", \"importance\": 0.2, " + time
                + ", \"input\": \"question " + id + "\", \"response\": \"answer " + id + "\"" + extra + "}";
    }
}
